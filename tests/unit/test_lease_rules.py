"""Leader lease rules: free, expired, mine or held; who may take it; when a job run may start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from advocacy.domain.lease import Lease, LeaseTerms, Standing, may_start_run, may_take, standing
from advocacy.settings import SettingsError, load_settings

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
ME, OTHER = "jobs@a:1:aaaaaa", "jobs@b:2:bbbbbb"
TERMS = LeaseTerms(duration=timedelta(seconds=40), renew_every=timedelta(seconds=15))


def lease(holder: str | None, expires_in_s: float) -> Lease:
    return Lease(holder, NOW - timedelta(minutes=5), NOW + timedelta(seconds=expires_in_s), 3)


# (the lease, the process asking, where it stands, whether it may take the lease now)
STANDINGS = [
    pytest.param(None, ME, Standing.FREE, True, id="never-taken"),
    pytest.param(lease(None, -10), ME, Standing.FREE, True, id="released"),
    pytest.param(lease(None, 30), ME, Standing.FREE, True, id="released-before-its-end"),
    pytest.param(lease(ME, 30), ME, Standing.MINE, True, id="mine-renewal"),
    pytest.param(lease(ME, -10), ME, Standing.MINE, True, id="mine-after-its-end"),
    pytest.param(lease(OTHER, 30), ME, Standing.HELD, False, id="held-by-another"),
    pytest.param(lease(OTHER, 0.001), ME, Standing.HELD, False, id="held-one-ms-more"),
    pytest.param(lease(OTHER, 0), ME, Standing.EXPIRED, True, id="expires-right-now"),
    pytest.param(lease(OTHER, -10), ME, Standing.EXPIRED, True, id="expired"),
    pytest.param(lease(OTHER, 30), None, Standing.HELD, False, id="observer-sees-held"),
    pytest.param(lease(OTHER, -10), None, Standing.EXPIRED, True, id="observer-sees-expired"),
]


@pytest.mark.parametrize(("current", "me", "expected", "takeable"), STANDINGS)
def test_a_process_takes_the_lease_only_when_free_expired_or_its_own(
    current: Lease | None, me: str | None, expected: Standing, takeable: bool
) -> None:
    assert standing(current, me, NOW) is expected
    if me is not None:
        assert may_take(current, me, NOW) is takeable


@pytest.mark.parametrize(
    ("current", "allowed"),
    [
        pytest.param(lease(ME, 40), True, id="just-renewed"),
        pytest.param(lease(ME, 25), True, id="one-renewal-due"),
        pytest.param(lease(ME, 15), True, id="exactly-the-margin-left"),
        pytest.param(lease(ME, 14.9), False, id="about-to-expire"),
        pytest.param(lease(ME, -1), False, id="expired-though-still-mine"),
        pytest.param(lease(OTHER, 40), False, id="another-leads"),
        pytest.param(lease(None, 40), False, id="released"),
        pytest.param(None, False, id="never-taken"),
    ],
)
def test_a_job_run_starts_only_on_the_holder_with_a_renewal_interval_left(
    current: Lease | None, allowed: bool
) -> None:
    assert may_start_run(current, ME, NOW, TERMS.start_margin) is allowed


@pytest.mark.parametrize(
    ("lease_s", "renew_s", "works"),
    [(40, 15, True), (30, 15, True), (29, 15, False), (15, 15, False), (6, 1, True)],
)
def test_the_lease_must_survive_one_late_renewal(lease_s: int, renew_s: int, works: bool) -> None:
    terms = LeaseTerms(timedelta(seconds=lease_s), timedelta(seconds=renew_s))
    assert (terms.problem() is None) is works


def test_with_the_default_terms_a_standby_takes_over_within_a_minute(tmp_path: Path) -> None:
    settings = load_settings({"ADVOCACY_INSTANCE_PATH": str(tmp_path)})
    terms = LeaseTerms(
        timedelta(seconds=settings.scheduler_lease_seconds),
        timedelta(seconds=settings.scheduler_heartbeat_seconds),
    )
    assert terms.problem() is None
    assert terms.takeover_within < timedelta(minutes=1)


def test_a_lease_shorter_than_two_heartbeats_stops_start_up_naming_both_settings(
    tmp_path: Path,
) -> None:
    environ = {
        "ADVOCACY_INSTANCE_PATH": str(tmp_path),
        "ADVOCACY_SCHEDULER_LEASE_SECONDS": "20",
        "ADVOCACY_SCHEDULER_HEARTBEAT_SECONDS": "15",
    }
    with pytest.raises(SettingsError, match="scheduler_lease_seconds / scheduler_heartbeat"):
        load_settings(environ)
