"""Webhook rules: the backoff schedule, which answers are final, the URL rule on every resolved
address, and what each scope may see."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.domain.errors import RuleError
from advocacy.domain.webhooks import (
    Answer,
    DeliveryStatus,
    EventType,
    Scope,
    UrlProblem,
    address_problem,
    backoff,
    check_subscription,
    decide,
    payload_data,
    should_disable,
    url_form_problem,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_backoff_doubles_from_30_seconds_and_stops_growing_at_4_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert backoff(30) == timedelta(hours=4)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (200, DeliveryStatus.DELIVERED),
        (204, DeliveryStatus.DELIVERED),
        (500, DeliveryStatus.PENDING),
        (503, DeliveryStatus.PENDING),
        (408, DeliveryStatus.PENDING),
        (429, DeliveryStatus.PENDING),
        (None, DeliveryStatus.PENDING),
        (400, DeliveryStatus.FAILED),
        (401, DeliveryStatus.FAILED),
        (410, DeliveryStatus.FAILED),
        (301, DeliveryStatus.FAILED),
    ],
)
def test_2xx_delivers_5xx_408_429_and_no_answer_retry_the_rest_is_final(
    code: int | None, status: DeliveryStatus
) -> None:
    assert decide(Answer(code), attempts=1, created_at=NOW, now=NOW).status is status


def test_a_retry_after_is_honoured_and_retries_stop_a_day_after_the_event() -> None:
    waited = decide(
        Answer(429, retry_after=timedelta(minutes=10)), attempts=1, created_at=NOW, now=NOW
    )
    assert waited.next_attempt_at == NOW + timedelta(minutes=10)
    late = NOW + timedelta(hours=23, minutes=59)
    last = decide(Answer(500), attempts=12, created_at=NOW, now=late)
    assert last.status is DeliveryStatus.FAILED and last.error.startswith("gave up after 12")


def test_an_endpoint_is_disabled_after_failing_for_a_whole_day() -> None:
    assert not should_disable(None, NOW)
    assert not should_disable(NOW - timedelta(hours=23), NOW)
    assert should_disable(NOW - timedelta(hours=24), NOW)


@pytest.mark.parametrize(
    ("addresses", "problem"),
    [
        (["93.184.216.34"], None),
        (["93.184.216.34", "10.0.0.1"], UrlProblem.PRIVATE),  # every address counts
        (["127.0.0.1"], UrlProblem.PRIVATE),
        (["169.254.169.254"], UrlProblem.PRIVATE),
        (["::ffff:127.0.0.1"], UrlProblem.PRIVATE),
        (["fe80::1%eth0"], UrlProblem.PRIVATE),
        (["0.0.0.0"], UrlProblem.PRIVATE),  # noqa: S104 - an address to refuse, not to bind
        ([], UrlProblem.UNRESOLVED),
    ],
)
def test_every_resolved_address_must_be_public(
    addresses: list[str], problem: UrlProblem | None
) -> None:
    assert address_problem(addresses) is problem


def test_allowed_networks_let_chosen_inside_addresses_through() -> None:
    allowed = [ipaddress.ip_network("127.0.0.0/8")]
    assert address_problem(["127.0.0.1"], allowed) is None
    assert address_problem(["127.0.0.1", "10.0.0.1"], allowed) is UrlProblem.PRIVATE


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://hooks.example/x", None),
        ("ftp://hooks.example/x", UrlProblem.SCHEME),
        ("javascript:alert(1)", UrlProblem.SCHEME),
        ("https://", UrlProblem.NO_HOST),
        ("https://a:b@hooks.example/", UrlProblem.CREDENTIALS),
        ("https://hooks.example:99999/", UrlProblem.NO_HOST),
    ],
)
def test_the_form_of_the_url(url: str, problem: UrlProblem | None) -> None:
    assert url_form_problem(url) is problem


def test_a_publish_scope_sees_only_the_published_fields_and_no_scope_sees_notes() -> None:
    facts = {
        "testimonial_id": 1,
        "shown": True,
        "quote": "Great",
        "contact_email": "ann@client.example",
        "notes": "internal",
    }
    assert payload_data(Scope.PUBLISH, EventType.TESTIMONIAL_PUBLISHED, facts) == {
        "testimonial_id": 1,
        "shown": True,
        "quote": "Great",
    }
    internal = payload_data(Scope.INTERNAL, EventType.TESTIMONIAL_PUBLISHED, facts)
    assert "contact_email" in internal and "notes" not in internal
    assert payload_data(Scope.PUBLISH, EventType.REFERRAL_RECEIVED, facts) == {}
    with pytest.raises(RuleError):
        check_subscription(Scope.PUBLISH, ["referral.received"])
