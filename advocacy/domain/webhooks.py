"""Outgoing webhooks: the events, what each endpoint's scope may see, retries, and the URL rule.

Delivery is at least once: an event is written to the webhook outbox in the same transaction as
the change, once per endpoint, under a `webhook-id` that never changes; a receiver that sees the
same id twice has seen the same event twice. A delivery is retried with exponential backoff for
RETRY_FOR after it was written; an endpoint failing for DISABLE_AFTER is switched off.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_


class EventType(StrEnum):
    TESTIMONIAL_PUBLISHED = "testimonial.published"
    TESTIMONIAL_WITHDRAWN = "testimonial.withdrawn"
    TESTIMONIAL_CONSENT_CHANGED = "testimonial.consent_changed"
    REFERRAL_RECEIVED = "referral.received"
    REFERRAL_WON = "referral.won"
    REFERENCE_REQUEST_ANSWERED = "reference_request.answered"
    SURVEY_ANSWERED = "survey.answered"
    CONTACT_MOVED = "contact.moved"
    CONTACT_RETIRED = "contact.retired"
    ACCOUNT_STAGE_CHANGED = "account.stage_changed"
    TEST = "webhook.test"  # sent from the admin page, to one endpoint only


class Scope(StrEnum):
    # The firm's website or CMS: only what the client allowed to be published.
    PUBLISH = "publish"
    # The firm's own systems (CRM, chat): names and addresses of the people concerned, never
    # the staff's private notes.
    INTERNAL = "internal"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a deliverer under a lease
    DELIVERED = "delivered"
    FAILED = "failed"  # final: refused by the receiver, or retried for a day in vain


SUBSCRIBABLE: Final = tuple(event for event in EventType if event is not EventType.TEST)

# What a publish endpoint may receive, per event, field by field. The testimonial's quote and
# attribution are put in the facts only as the client's live permissions disclose them to a
# published audience (empty otherwise), so a withdrawn quote never leaves again.
_PUBLISH_FIELDS: Final[Mapping[EventType, frozenset[str]]] = {
    EventType.TESTIMONIAL_PUBLISHED: frozenset(
        {"testimonial_id", "status", "shown", "quote", "attribution", "logo", "published_at"}
    ),
    EventType.TESTIMONIAL_WITHDRAWN: frozenset(
        {"testimonial_id", "status", "shown", "withdrawn_at"}
    ),
    EventType.TESTIMONIAL_CONSENT_CHANGED: frozenset(
        {"testimonial_id", "status", "shown", "quote", "attribution", "logo"}
    ),
    EventType.TEST: frozenset({"message"}),
}
# Never sent to any endpoint, whatever the scope: notes written by staff for staff.
PRIVATE_FIELDS: Final = frozenset({"notes", "private_notes", "reason", "comment"})


def events_for_scope(scope: Scope) -> tuple[EventType, ...]:
    """The events an endpoint of `scope` may subscribe to."""
    if scope is Scope.PUBLISH:
        return tuple(event for event in SUBSCRIBABLE if event in _PUBLISH_FIELDS)
    return SUBSCRIBABLE


def payload_data(scope: Scope, event: EventType, facts: Mapping[str, object]) -> dict[str, object]:
    """The `data` of one event as an endpoint of `scope` may see it."""
    if scope is Scope.PUBLISH:
        allowed = _PUBLISH_FIELDS.get(event, frozenset())
        return {key: value for key, value in facts.items() if key in allowed}
    return {key: value for key, value in facts.items() if key not in PRIVATE_FIELDS}


def envelope(event: EventType, data: Mapping[str, object], now: datetime) -> dict[str, object]:
    """The body of a delivery, in the Standard Webhooks shape: type, timestamp, data."""
    return {"type": event.value, "timestamp": now.isoformat(), "data": dict(data)}


def check_subscription(scope: Scope, events: Iterable[str]) -> tuple[EventType, ...]:
    """The events chosen for an endpoint, checked against its scope; a RuleError otherwise."""
    wanted = tuple(dict.fromkeys(events))
    if not wanted:
        raise RuleError(N_("Choose at least one event."))
    allowed = {event.value for event in events_for_scope(scope)}
    for name in wanted:
        if name not in allowed:
            raise RuleError(N_("The event %(event)s is not available to this scope."), event=name)
    return tuple(EventType(name) for name in wanted)


# Retries ------------------------------------------------------------------------------------

RETRY_FOR: Final = timedelta(hours=24)
DISABLE_AFTER: Final = timedelta(hours=24)
BACKOFF_BASE: Final = timedelta(seconds=30)
BACKOFF_CAP: Final = timedelta(hours=4)
_RETRIED_4XX: Final = frozenset({408, 429})


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min... at most 4 hours."""
    exponent = min(max(attempts - 1, 0), 20)
    return min(BACKOFF_CAP, BACKOFF_BASE * (1 << exponent))


@dataclass(frozen=True)
class Answer:
    """What came back from one attempt: a status code, or no answer and why."""

    status_code: int | None
    error: str = ""
    retry_after: timedelta | None = None


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus
    next_attempt_at: datetime
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is DeliveryStatus.DELIVERED


def is_retried(answer: Answer) -> bool:
    """5xx, 408, 429, a timeout or a connection error may pass: worth another try."""
    code = answer.status_code
    return code is None or code >= 500 or code in _RETRIED_4XX


def decide(answer: Answer, *, attempts: int, created_at: datetime, now: datetime) -> Outcome:
    """The delivery's next state after its `attempts`-th attempt got `answer`."""
    code = answer.status_code
    if code is not None and 200 <= code < 300:
        return Outcome(DeliveryStatus.DELIVERED, now)
    detail = answer.error or f"HTTP {code}"
    if not is_retried(answer):
        if code is not None and 300 <= code < 400:
            detail = f"HTTP {code}: redirects are not followed"
        return Outcome(DeliveryStatus.FAILED, now, error=f"refused: {detail}"[:1000])
    wait = backoff(attempts)
    if answer.retry_after is not None:
        wait = min(max(wait, answer.retry_after), BACKOFF_CAP)
    if now + wait > created_at + RETRY_FOR:
        return Outcome(
            DeliveryStatus.FAILED, now, error=f"gave up after {attempts} attempts: {detail}"[:1000]
        )
    return Outcome(DeliveryStatus.PENDING, now + wait, error=detail[:1000])


def failing_since_after(
    failing_since: datetime | None, outcome: Outcome, now: datetime
) -> datetime | None:
    """Since when the endpoint has been failing, once this outcome is known (None: it works)."""
    if outcome.succeeded:
        return None
    return failing_since or now


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    """An endpoint that has failed every attempt for a day is switched off."""
    return failing_since is not None and now - failing_since >= DISABLE_AFTER


# The URL rule ---------------------------------------------------------------------------------


class UrlProblem(StrEnum):
    SCHEME = N_("The address must start with http:// or https://.")
    NO_HOST = N_("The address has no host name.")
    CREDENTIALS = N_("Put no user name or password in the address; use the signing secret.")
    UNRESOLVED = N_("The host name does not resolve to any address.")
    PRIVATE = N_(
        "The host resolves to a private, loopback or link-local address, which this "
        "installation does not allow."
    )


def url_host(url: str) -> str:
    """The host name of `url` ("" when it has none)."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def url_form_problem(url: str) -> UrlProblem | None:
    """What is wrong with the address itself, before any name is resolved."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return UrlProblem.NO_HOST
    if parts.scheme not in ("http", "https"):
        return UrlProblem.SCHEME
    if not parts.hostname:
        return UrlProblem.NO_HOST
    if parts.username or parts.password:
        return UrlProblem.CREDENTIALS
    return None


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated networks ("127.0.0.0/8, 10.1.0.0/16"); ValueError on a bad one."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


def address_problem(
    addresses: Iterable[str],
    allowed: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = (),
) -> UrlProblem | None:
    """Whether every address a host resolves to may be called.

    Every address is checked, not the first: a name with one public and one private address
    would otherwise let a request reach the inside of the firm's network.
    """
    found = [ipaddress.ip_address(address.split("%")[0]) for address in addresses]
    if not found:
        return UrlProblem.UNRESOLVED
    networks = tuple(allowed)
    for address in found:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        inside = (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        )
        if inside and not any(address in network for network in networks):
            return UrlProblem.PRIVATE
    return None
