"""The contact-pressure budget: counts per contact and account, send windows in the contact's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from advocacy.domain.pressure import (
    Budget,
    SendWindow,
    VerdictKind,
    assess,
    check_budget,
    next_send_time,
)

PARIS = ZoneInfo("Europe/Paris")
BUDGET = Budget(per_contact=2, per_account=5, days=14)
WEEKDAYS = SendWindow.parse("08:00-18:00", (1, 2, 3, 4, 5), ())
# Monday 23 November 2026, 09:30 UTC (10:30 in Paris).
MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def days_ago(*days: float) -> list[datetime]:
    return [MONDAY - timedelta(days=day) for day in days]


@pytest.mark.parametrize(
    ("contact", "account", "allowed"),
    [
        ([], [], True),
        (days_ago(1), days_ago(1), True),
        (days_ago(1, 2), days_ago(1, 2), False),  # two for this contact already
        (days_ago(1, 20), days_ago(1, 20), True),  # one of them is outside the 14 days
        (days_ago(1), days_ago(1, 2, 3, 4, 5), False),  # five at the account already
        (days_ago(1), days_ago(1, 2, 3, 4, 15), True),
        (days_ago(1, 13.99), days_ago(1, 13.99), False),  # still inside the period
    ],
)
def test_the_budget_counts_touches_per_contact_and_per_account_within_the_period(
    contact: list[datetime], account: list[datetime], allowed: bool
) -> None:
    check = check_budget(MONDAY, BUDGET, contact_touches=contact, account_touches=account)
    assert check.allowed is allowed


def test_a_refusal_says_which_budget_and_when_it_frees_up() -> None:
    check = check_budget(
        MONDAY, BUDGET, contact_touches=days_ago(3, 10), account_touches=days_ago(3, 10)
    )
    assert not check.allowed
    assert "contact" in check.reason
    # The oldest of the two leaves the 14-day period in 4 days.
    assert check.frees_at == MONDAY + timedelta(days=4)


def test_future_touches_do_not_count() -> None:
    later = [MONDAY + timedelta(hours=1)] * 3
    assert check_budget(MONDAY, BUDGET, contact_touches=later, account_touches=later).allowed


@pytest.mark.parametrize(
    ("now", "timezone", "expected"),
    [
        # Inside the window in Paris (10:30): now.
        (MONDAY, "Europe/Paris", MONDAY),
        # 06:30 in Paris on Monday → 08:00 Paris = 07:00 UTC.
        (
            datetime(2026, 11, 23, 5, 30, tzinfo=UTC),
            "Europe/Paris",
            datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
        ),
        # Friday 18:30 in Paris → Monday 08:00 Paris.
        (
            datetime(2026, 11, 27, 17, 30, tzinfo=UTC),
            "Europe/Paris",
            datetime(2026, 11, 30, 7, 0, tzinfo=UTC),
        ),
        # Monday 09:30 UTC is 04:30 in New York → 08:00 New York = 13:00 UTC.
        (MONDAY, "America/New_York", datetime(2026, 11, 23, 13, 0, tzinfo=UTC)),
        # Monday 09:30 UTC is Monday 22:30 in Auckland → Tuesday 08:00 there = Monday 19:00 UTC.
        (MONDAY, "Pacific/Auckland", datetime(2026, 11, 23, 19, 0, tzinfo=UTC)),
        # Sunday 09:30 UTC in Tokyo is Sunday 18:30 → Monday 08:00 Tokyo = Sunday 23:00 UTC.
        (
            datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
            "Asia/Tokyo",
            datetime(2026, 11, 22, 23, 0, tzinfo=UTC),
        ),
        # No time zone (or a bad one): UTC.
        (datetime(2026, 11, 23, 7, 0, tzinfo=UTC), "", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        (
            datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
            "Mars/Olympus",
            datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_next_send_time_is_in_the_window_of_the_contacts_time_zone(
    now: datetime, timezone: str, expected: datetime
) -> None:
    assert next_send_time(now, timezone, WEEKDAYS) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Paris springs forward on Sunday 29 March 2026: Monday 30 March opens at 08:00 CEST,
        # which is 06:00 UTC, not 07:00.
        (datetime(2026, 3, 28, 12, 0, tzinfo=UTC), datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
        # Falls back on Sunday 25 October 2026: Monday 26 opens at 08:00 CET = 07:00 UTC.
        (datetime(2026, 10, 24, 12, 0, tzinfo=UTC), datetime(2026, 10, 26, 7, 0, tzinfo=UTC)),
        # Friday 27 March 17:30 CET (16:30 UTC) is inside; 17:30 UTC (18:30 CET) is not.
        (datetime(2026, 3, 27, 16, 30, tzinfo=UTC), datetime(2026, 3, 27, 16, 30, tzinfo=UTC)),
        (datetime(2026, 3, 27, 17, 30, tzinfo=UTC), datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
    ],
)
def test_send_windows_follow_daylight_saving_time(now: datetime, expected: datetime) -> None:
    assert next_send_time(now, "Europe/Paris", WEEKDAYS) == expected


def test_a_window_starting_in_the_spring_forward_gap_opens_at_the_first_real_moment() -> None:
    # 02:30 does not exist in Paris on 29 March 2026 (02:00 → 03:00); everyday window.
    window = SendWindow.parse("02:30-04:00", range(1, 8), ())
    opens = next_send_time(datetime(2026, 3, 28, 23, 0, tzinfo=UTC), "Europe/Paris", window)
    assert opens == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, inside the window
    assert opens is not None
    assert window.start <= opens.astimezone(PARIS).time() <= window.end


def test_quiet_days_are_skipped_in_the_contacts_local_date() -> None:
    window = SendWindow.parse("08:00-18:00", (1, 2, 3, 4, 5), ("2026-12-24", "2026-12-25"))
    wednesday_evening = datetime(2026, 12, 23, 18, 30, tzinfo=UTC)
    assert next_send_time(wednesday_evening, "UTC", window) == datetime(
        2026, 12, 28, 8, 0, tzinfo=UTC
    )
    assert date(2026, 12, 24) in window.quiet_days


def test_a_window_that_never_opens_gives_no_time() -> None:
    window = SendWindow.parse("08:00-18:00", (1,), ())
    window = SendWindow(window.start, window.end, frozenset(), frozenset())
    assert next_send_time(MONDAY, "UTC", window) is None


@pytest.mark.parametrize(
    ("now", "contact", "kind"),
    [
        (MONDAY, [], VerdictKind.SEND_NOW),
        (MONDAY, days_ago(1, 2), VerdictKind.REFUSED),
        # Outside the window the answer is "wait", judged again when the window opens.
        (datetime(2026, 11, 22, 12, 0, tzinfo=UTC), days_ago(1, 2), VerdictKind.WAIT),
    ],
)
def test_assess_combines_the_window_and_the_budget(
    now: datetime, contact: list[datetime], kind: VerdictKind
) -> None:
    verdict = assess(
        now,
        timezone="Europe/Paris",
        window=WEEKDAYS,
        budget=BUDGET,
        contact_touches=contact,
        account_touches=contact,
    )
    assert verdict.kind is kind
    if kind is VerdictKind.WAIT:
        assert verdict.at == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
