"""Outbox rules: idempotency key, provider answers → next state, the dispatch state machine."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.domain.mail import Category
from advocacy.domain.outbox import (
    TRANSITIONS,
    AnswerKind,
    ProviderAnswer,
    Recipient,
    Refusal,
    RetryPolicy,
    Status,
    backoff,
    can_move,
    decide,
    idempotency_key,
    rate_limit_reset,
    refusal_for,
    settle_unknown,
)

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=5, unknown_wait=timedelta(minutes=60))


class Fixed:
    """A random source that always answers the same number."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


def test_the_same_purpose_recipient_source_and_occurrence_make_the_same_key() -> None:
    a = idempotency_key("nurture", "Ann@Client.example ", "nurture_step", 7, "2026-11")
    b = idempotency_key("nurture", "ann@client.example", "nurture_step", 7, "2026-11")
    assert a == b
    assert a.startswith("nurture:") and len(a) <= 255
    assert "ann" not in a


@pytest.mark.parametrize(
    "other",
    [
        ("survey", "ann@client.example", "nurture_step", 7, "2026-11"),
        ("nurture", "bob@client.example", "nurture_step", 7, "2026-11"),
        ("nurture", "ann@client.example", "nurture_step", 8, "2026-11"),
        ("nurture", "ann@client.example", "checkin", 7, "2026-11"),
        ("nurture", "ann@client.example", "nurture_step", 7, "2026-12"),
    ],
)
def test_any_differing_part_makes_another_key(other: tuple) -> None:
    base = idempotency_key("nurture", "ann@client.example", "nurture_step", 7, "2026-11")
    assert idempotency_key(*other) != base


def test_parts_cannot_run_into_each_other() -> None:
    assert idempotency_key("nurture", "a@b.c", "x", 1, "23") != idempotency_key(
        "nurture", "a@b.c", "x", 12, "3"
    )


def test_an_accepted_answer_marks_the_message_sent_with_the_provider_id() -> None:
    decision = decide(
        ProviderAnswer(AnswerKind.ACCEPTED, provider_message_id="abc"),
        attempts_before=0,
        now=T0,
        policy=POLICY,
        rng=Fixed(0.5),
    )
    assert decision.status is Status.SENT
    assert decision.provider_message_id == "abc"


@pytest.mark.parametrize("code", [400, 413, 422])
def test_a_4xx_fails_the_message_for_good_with_the_reason(code: int) -> None:
    answer = ProviderAnswer(AnswerKind.REJECTED, status_code=code, detail="invalid address")
    decision = decide(answer, attempts_before=0, now=T0, policy=POLICY, rng=Fixed(0.5))
    assert decision.status is Status.FAILED
    assert str(code) in decision.error and "invalid address" in decision.error
    assert decision.halt_batch_until is None  # one bad address never stops the others


def test_a_429_waits_until_the_reset_header_without_counting_an_attempt() -> None:
    reset = int((T0 + timedelta(seconds=42)).timestamp())
    answer = ProviderAnswer(
        AnswerKind.RATE_LIMITED, status_code=429, headers={"X-RateLimit-Reset": str(reset)}
    )
    decision = decide(answer, attempts_before=3, now=T0, policy=POLICY, rng=Fixed(0.5))
    assert decision.status is Status.QUEUED
    assert decision.next_attempt_at == T0 + timedelta(seconds=42)
    assert decision.counts_attempt is False
    assert decision.halt_batch_until == T0 + timedelta(seconds=42)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-ratelimit-reset": str(int(T0.timestamp()) + 30)}, timedelta(seconds=30)),
        ({"Retry-After": "12"}, timedelta(seconds=12)),
        ({}, timedelta(seconds=60)),  # no header: the default wait
        ({"X-RateLimit-Reset": "soon"}, timedelta(seconds=60)),  # garbage: the default wait
        ({"X-RateLimit-Reset": str(int(T0.timestamp()) - 100)}, timedelta(seconds=1)),  # past
        ({"X-RateLimit-Reset": str(int(T0.timestamp()) + 10**6)}, timedelta(hours=1)),  # cap
    ],
)
def test_the_rate_limit_reset_is_read_from_the_headers_and_kept_sane(
    headers: dict, expected: timedelta
) -> None:
    assert rate_limit_reset(headers, T0, POLICY) == T0 + expected


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 15, 30), (2, 30, 60), (3, 60, 120), (4, 120, 240), (20, 1800, 3600)],
)
def test_backoff_doubles_per_attempt_with_jitter_and_a_cap(
    attempts: int, low: int, high: int
) -> None:
    assert backoff(attempts, POLICY, Fixed(0.0)) == timedelta(seconds=low)
    assert backoff(attempts, POLICY, Fixed(0.999999)) <= timedelta(seconds=high)
    seeded = backoff(attempts, POLICY, random.Random(7))
    assert timedelta(seconds=low) <= seeded <= timedelta(seconds=high)


def test_jitter_spreads_retries_of_messages_that_failed_together() -> None:
    rng = random.Random(1)
    delays = {backoff(3, POLICY, rng) for _ in range(20)}
    assert len(delays) > 10


def test_a_connection_error_before_sending_retries_with_backoff() -> None:
    answer = ProviderAnswer(AnswerKind.NOT_SENT, detail="connection refused")
    decision = decide(answer, attempts_before=1, now=T0, policy=POLICY, rng=Fixed(0.0))
    assert decision.status is Status.QUEUED
    assert decision.next_attempt_at == T0 + timedelta(seconds=30)
    assert decision.counts_attempt is True


def test_a_message_that_never_gets_out_fails_after_the_attempt_limit() -> None:
    answer = ProviderAnswer(AnswerKind.NOT_SENT, detail="connection refused")
    decision = decide(answer, attempts_before=4, now=T0, policy=POLICY, rng=Fixed(0.0))
    assert decision.status is Status.FAILED
    assert "gave up after 5 attempts" in decision.error


@pytest.mark.parametrize(
    "answer",
    [
        ProviderAnswer(AnswerKind.UNCERTAIN, status_code=500, detail="oops"),
        ProviderAnswer(AnswerKind.UNCERTAIN, detail="timed out"),
    ],
)
def test_a_timeout_or_5xx_makes_the_message_unknown_until_the_wait_is_over(
    answer: ProviderAnswer,
) -> None:
    decision = decide(answer, attempts_before=0, now=T0, policy=POLICY, rng=Fixed(0.5))
    assert decision.status is Status.UNKNOWN
    assert decision.next_attempt_at == T0 + timedelta(minutes=60)


def test_an_account_refusal_retries_later_and_stops_the_batch() -> None:
    answer = ProviderAnswer(AnswerKind.ACCOUNT_REFUSED, status_code=401, detail="bad key")
    decision = decide(answer, attempts_before=0, now=T0, policy=POLICY, rng=Fixed(0.0))
    assert decision.status is Status.QUEUED
    assert decision.halt_batch_until == decision.next_attempt_at > T0


def test_an_unknown_message_with_a_provider_event_is_settled_as_sent_not_resent() -> None:
    decision = settle_unknown(has_provider_event=True, attempts=1, policy=POLICY, now=T0)
    assert decision is not None and decision.status is Status.SENT


def test_an_unknown_message_without_event_is_resent_until_the_limit() -> None:
    assert settle_unknown(has_provider_event=False, attempts=1, policy=POLICY, now=T0) is None
    last = settle_unknown(has_provider_event=False, attempts=5, policy=POLICY, now=T0)
    assert last is not None and last.status is Status.FAILED


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        (Status.QUEUED, Status.SENDING, True),
        (Status.SENDING, Status.SENT, True),
        (Status.SENDING, Status.UNKNOWN, True),
        (Status.SENDING, Status.QUEUED, True),
        (Status.UNKNOWN, Status.SENDING, True),
        (Status.UNKNOWN, Status.SENT, True),
        (Status.QUEUED, Status.SENT, False),  # nothing is sent without a claim
        (Status.UNKNOWN, Status.QUEUED, False),  # an unknown message is never retried blindly
        (Status.SENT, Status.SENDING, False),
        (Status.FAILED, Status.QUEUED, False),
        (Status.SUPPRESSED, Status.SENDING, False),
    ],
)
def test_the_dispatch_state_machine(old: Status, new: Status, allowed: bool) -> None:
    assert can_move(old, new) is allowed


def test_final_states_are_final() -> None:
    for status in (Status.SENT, Status.FAILED, Status.SUPPRESSED, Status.CANCELLED):
        assert TRANSITIONS[status] == frozenset()


CONSENTED = Recipient("ann@client.example", frozenset(), True, True, "contract")


@pytest.mark.parametrize(
    ("category", "recipient", "refusal"),
    [
        (Category.NURTURE, CONSENTED, None),
        (Category.NURTURE, Recipient("", frozenset(), True, True, "contract"), Refusal.NO_ADDRESS),
        (
            Category.NURTURE,
            Recipient("a@b.example", frozenset({"nurture"}), True, True, "contract"),
            Refusal.SUPPRESSED,
        ),
        (
            Category.SURVEY,
            Recipient("a@b.example", frozenset({"all"}), True, True, "contract"),
            Refusal.SUPPRESSED,
        ),
        (
            Category.SURVEY,
            Recipient("a@b.example", frozenset({"nurture"}), True, True, "contract"),
            None,
        ),
        (Category.NURTURE, Recipient("a@b.example", frozenset(), False), Refusal.NO_CONTACT),
        (
            Category.ADVOCACY_ASK,
            Recipient("a@b.example", frozenset(), True, False, "contract"),
            Refusal.CONTACT_INACTIVE,
        ),
        (
            Category.REFERENCE_REQUEST,
            Recipient("a@b.example", frozenset(), True, True, ""),
            Refusal.NO_CONSENT,
        ),
        (Category.TRANSACTIONAL, Recipient("staff@firm.example", frozenset({"all"})), None),
        (
            Category.TRANSACTIONAL,
            Recipient("gone@firm.example", frozenset({"all", "bounce"})),
            Refusal.SUPPRESSED,
        ),
    ],
)
def test_who_may_receive_what(
    category: Category, recipient: Recipient, refusal: Refusal | None
) -> None:
    assert refusal_for(category, recipient) is refusal


def test_a_503_took_nothing_so_it_is_retried_after_its_retry_after_and_stops_the_batch() -> None:
    answer = ProviderAnswer(
        AnswerKind.UNAVAILABLE, status_code=503, detail="down", headers={"Retry-After": "120"}
    )
    decision = decide(answer, attempts_before=0, now=T0, policy=POLICY, rng=Fixed(0.0))
    assert decision.status is Status.QUEUED
    assert decision.next_attempt_at == T0 + timedelta(seconds=120)
    assert decision.halt_batch_until == decision.next_attempt_at
    assert "unavailable" in decision.error


def test_a_server_error_pauses_the_batch_but_a_timeout_does_not() -> None:
    server_error = ProviderAnswer(AnswerKind.UNCERTAIN, status_code=500, detail="oops")
    timeout = ProviderAnswer(AnswerKind.UNCERTAIN, detail="timed out")
    paused = decide(server_error, attempts_before=0, now=T0, policy=POLICY, rng=Fixed(0.5))
    assert paused.status is Status.UNKNOWN
    assert paused.halt_batch_until == T0 + POLICY.backoff_base
    kept = decide(timeout, attempts_before=0, now=T0, policy=POLICY, rng=Fixed(0.5))
    assert kept.halt_batch_until is None
