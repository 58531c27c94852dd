"""Outbox rules: the idempotency key, the dispatch state machine, and what a provider's answer means.

Mail Send has no idempotency key of its own, so exactly-once rests on three rules here:
- a message is written once per key (purpose + recipient + source object + occurrence);
- a request that may have reached the provider (timeout, an ambiguous 5xx, a dispatcher that died
  after the request started) is never retried blindly: the message becomes `unknown` and is
  resent only after a wait with no provider event for it; the events find it through the custom
  arg MESSAGE_ID_ARG, which the sender sets and SendGrid echoes in every event;
- only a request that certainly did not go out (connection refused, a request never started) or
  that the provider refused as a whole (429, 503) is retried at once or on schedule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

from advocacy.domain.mail import CLIENT_FACING, Category, suppressed_for
from advocacy.domain.text import N_

# The one custom arg of every Mail Send request: our outbox id (never personal data). SendGrid
# echoes custom args as top-level fields of each event, so the sender sets this name and the
# event parser reads this name: defined here, once, for both.
MESSAGE_ID_ARG: Final = "outbox_id"


class Status(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a dispatcher under a lease
    SENT = "sent"
    UNKNOWN = "unknown"  # the request may have gone out; waiting for a provider event
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    CANCELLED = "cancelled"  # refused at send time: consent gone, contact left, over budget


TRANSITIONS: Final[Mapping[Status, frozenset[Status]]] = {
    Status.QUEUED: frozenset({Status.SENDING, Status.CANCELLED}),
    Status.SENDING: frozenset(
        {
            Status.SENT,
            Status.QUEUED,  # retry later, rate limit, outside the send window
            Status.UNKNOWN,  # timeout / 5xx / lease expired mid-send
            Status.FAILED,
            Status.SUPPRESSED,
            Status.CANCELLED,
        }
    ),
    # Claimed again for a resend after the wait, or settled by a provider event.
    Status.UNKNOWN: frozenset({Status.SENDING, Status.SENT, Status.FAILED}),
    Status.SENT: frozenset(),
    Status.FAILED: frozenset(),
    Status.SUPPRESSED: frozenset(),
    Status.CANCELLED: frozenset(),
}
DUE: Final = (Status.QUEUED, Status.UNKNOWN)


def can_move(old: Status, new: Status) -> bool:
    """Whether the dispatch state machine allows `old` → `new`."""
    return new in TRANSITIONS[old]


def idempotency_key(
    purpose: str, recipient: str, source_type: str, source_id: int | str | None, occurrence: str
) -> str:
    """The outbox key: one e-mail per purpose, recipient, source object and occurrence.

    The parts are hashed so the key has a fixed length and the column holds no address in clear;
    the purpose stays readable for whoever looks at the table.
    """
    parts = (purpose, recipient.strip().lower(), source_type, str(source_id or ""), occurrence)
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{purpose}:{digest}"


@dataclass(frozen=True)
class OutgoingMail:
    """What a sender needs to deliver one outbox message: plain values, no database row."""

    message_id: int
    category: str
    to_email: str
    to_name: str
    subject: str
    html_body: str
    text_body: str
    headers: Mapping[str, str]


class AnswerKind(StrEnum):
    ACCEPTED = "accepted"  # 2xx: the provider took the message
    REJECTED = "rejected"  # 4xx about this message: it will never go as it is
    RATE_LIMITED = "rate_limited"  # 429: nothing was taken; wait for the reset
    ACCOUNT_REFUSED = "account_refused"  # 401/403: the key or account, not the message
    NOT_SENT = "not_sent"  # connection failed before the request went out
    UNAVAILABLE = "unavailable"  # 503: SendGrid's API is not available; nothing was taken
    UNCERTAIN = "uncertain"  # timeout, other 5xx, connection lost after sending
    NOT_ATTEMPTED = "not_attempted"  # the batch stopped (rate limit) before this one left


@dataclass(frozen=True)
class ProviderAnswer:
    kind: AnswerKind
    provider_message_id: str = ""
    status_code: int | None = None
    detail: str = ""
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    unknown_wait: timedelta
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    rate_limit_default: timedelta = timedelta(seconds=60)
    rate_limit_cap: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Decision:
    """What to write for one message after a send attempt."""

    status: Status
    next_attempt_at: datetime
    error: str = ""
    provider_message_id: str = ""
    counts_attempt: bool = True
    halt_batch_until: datetime | None = None  # stop sending the rest of the batch until then


class RandomSource(Protocol):
    def random(self) -> float: ...


def backoff(attempts: int, policy: RetryPolicy, rng: RandomSource) -> timedelta:
    """Exponential backoff with equal jitter: half the delay fixed, half random.

    The random half spreads retries of many messages that failed together (a network blip), so
    they do not all come back in the same second.
    """
    exponent = min(max(attempts - 1, 0), 30)
    delay = min(policy.backoff_cap, policy.backoff_base * (1 << exponent))
    return delay / 2 + delay * (rng.random() / 2)


def rate_limit_reset(
    headers: Mapping[str, str] | None, now: datetime, policy: RetryPolicy
) -> datetime:
    """When a 429 says we may send again: X-RateLimit-Reset (Unix seconds) or Retry-After.

    A missing or absurd value falls back to a default wait; the result is never in the past and
    never more than the cap away, so a bad header cannot stall the outbox for days.
    """
    lowered = {key.lower(): value for key, value in (headers or {}).items()}
    at: datetime | None = None
    try:
        if "x-ratelimit-reset" in lowered:
            at = datetime.fromtimestamp(float(lowered["x-ratelimit-reset"]), tz=now.tzinfo)
        elif "retry-after" in lowered:
            at = now + timedelta(seconds=float(lowered["retry-after"]))
    except (ValueError, OverflowError, OSError):
        at = None
    if at is None:
        at = now + policy.rate_limit_default
    return min(max(at, now + timedelta(seconds=1)), now + policy.rate_limit_cap)


def decide(
    answer: ProviderAnswer,
    *,
    attempts_before: int,
    now: datetime,
    policy: RetryPolicy,
    rng: RandomSource,
) -> Decision:
    """Classify one provider answer into the message's next state."""
    attempts = attempts_before + 1
    kind = answer.kind
    if kind is AnswerKind.ACCEPTED:
        return Decision(Status.SENT, now, provider_message_id=answer.provider_message_id)
    if kind is AnswerKind.REJECTED:
        detail = f"rejected by the provider ({answer.status_code}): {answer.detail}"
        return Decision(Status.FAILED, now, error=detail[:1000])
    if kind is AnswerKind.RATE_LIMITED:
        until = rate_limit_reset(answer.headers, now, policy)
        return Decision(
            Status.QUEUED,
            until,
            error=RATE_LIMITED,
            counts_attempt=False,
            halt_batch_until=until,
        )
    if kind is AnswerKind.NOT_ATTEMPTED:
        return Decision(Status.QUEUED, now, counts_attempt=False)
    if kind is AnswerKind.UNCERTAIN:
        detail = f"outcome unknown ({answer.status_code or 'no answer'}): {answer.detail}"
        # A server error is likely the first of many: stop starting requests for a moment, so an
        # outage leaves only the requests already under way in doubt, not the whole batch.
        halt = now + policy.backoff_base if answer.status_code else None
        return Decision(
            Status.UNKNOWN, now + policy.unknown_wait, error=detail[:1000], halt_batch_until=halt
        )
    # NOT_SENT, UNAVAILABLE and ACCOUNT_REFUSED: nothing was taken; retry with backoff until the
    # limit. After a refusal of the account or an unavailable API, the rest of the batch waits too.
    label = _NOT_TAKEN_LABELS.get(kind, "not sent")
    detail = f"{label} ({answer.status_code or 'connection'}): {answer.detail}"
    if attempts >= policy.max_attempts:
        return Decision(
            Status.FAILED, now, error=f"gave up after {attempts} attempts; {detail}"[:1000]
        )
    wait = backoff(attempts, policy, rng)
    if kind is AnswerKind.UNAVAILABLE:
        # A Retry-After, when SendGrid sends one, says when to come back; never sooner.
        wait = max(wait, _retry_after(answer.headers) or timedelta(0))
        wait = min(wait, policy.backoff_cap)
    halt = now + wait if kind in (AnswerKind.ACCOUNT_REFUSED, AnswerKind.UNAVAILABLE) else None
    return Decision(Status.QUEUED, now + wait, error=detail[:1000], halt_batch_until=halt)


_NOT_TAKEN_LABELS: Final[Mapping[AnswerKind, str]] = {
    AnswerKind.ACCOUNT_REFUSED: "refused the account",
    AnswerKind.UNAVAILABLE: "provider unavailable, nothing taken",
}


def _retry_after(headers: Mapping[str, str] | None) -> timedelta | None:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return timedelta(seconds=max(0.0, float(value)))
            except (ValueError, OverflowError):
                return None
    return None


def postponed(until: datetime, reason: str) -> Decision:
    """Put a claimed message back in the queue without counting an attempt."""
    return Decision(Status.QUEUED, until, error=reason, counts_attempt=False)


def settle_unknown(
    *, has_provider_event: bool, attempts: int, policy: RetryPolicy, now: datetime
) -> Decision | None:
    """For a message claimed again after being `unknown`: settle it, or None to resend it.

    Any provider event for it (processed, delivered, bounce...) proves the provider took it, so it
    is sent and never resent. Without one after the wait it is resent, up to the attempt limit.
    """
    if has_provider_event:
        return Decision(Status.SENT, now, error="", counts_attempt=False)
    if attempts >= policy.max_attempts:
        return Decision(
            Status.FAILED,
            now,
            error=f"gave up after {attempts} attempts with no word from the provider",
            counts_attempt=False,
        )
    return None


class Refusal(StrEnum):
    """Why a message may not go to this recipient (at queue time or at send time)."""

    NO_ADDRESS = N_("The recipient has no e-mail address.")
    SUPPRESSED = N_("The address is suppressed for this kind of e-mail.")
    NO_CONTACT = N_("A client e-mail must be addressed to a contact.")
    NO_CONSENT = N_("The contact has no consent basis for client e-mails.")
    CONTACT_INACTIVE = N_("The contact has left or retired.")
    OVER_BUDGET = N_("The contact or account has had enough e-mails and conversations lately.")


@dataclass(frozen=True)
class Recipient:
    """What the consent rule needs to know about who an e-mail is for."""

    email: str
    suppressed_categories: frozenset[str]
    has_contact: bool = False
    contact_active: bool = True
    consent_basis: str = ""


def refusal_for(category: Category, recipient: Recipient) -> Refusal | None:
    """Whether `category` may go to `recipient` as far as address, suppression and consent go.

    Client-facing mail needs a contact who is still there and a recorded consent basis; a
    suppression (unsubscribe, bounce, spam report) wins over everything, immediately.
    """
    if not recipient.email.strip():
        return Refusal.NO_ADDRESS
    if suppressed_for(category, set(recipient.suppressed_categories)):
        return Refusal.SUPPRESSED
    if category not in CLIENT_FACING:
        return None
    if not recipient.has_contact:
        return Refusal.NO_CONTACT
    if not recipient.contact_active:
        return Refusal.CONTACT_INACTIVE
    if not recipient.consent_basis.strip():
        return Refusal.NO_CONSENT
    return None


LEASE_EXPIRED: Final = "the dispatcher stopped while sending; waiting for a provider event"
RATE_LIMITED: Final = "rate limited by the provider"
# Held back, unsent, after the provider refused or failed a request of the same batch. While such
# messages wait, no dispatcher starts new requests (see PROVIDER_PAUSES).
HELD_BACK: Final = "held back: the provider asked to wait or failed a request"
PROVIDER_PAUSES: Final = (RATE_LIMITED, HELD_BACK)
# The lease ran out before this message's request started: nothing can have gone out.
LEASE_EXPIRED_UNSENT: Final = "the dispatcher stopped before sending this message; queued again"
