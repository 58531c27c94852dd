"""Provider events: parsing a signed batch, and what each event means for the message, the
journey map and the address.

Touchpoint initiative says who acted: the recipient (open, click, unsubscribe, spam report, group
changes) or the firm (what happened to mail we sent: processed, deferred, delivered, bounce,
dropped). Scoring can then count the recipient's own actions without counting our sends.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from advocacy.domain.consent import Reason
from advocacy.domain.mail import ALL, Category
from advocacy.domain.outbox import MESSAGE_ID_ARG
from advocacy.domain.touchpoints import Initiative

MAX_ID: Final = 2**31 - 1


class EventBatchError(ValueError):
    """The body is not a JSON array of events."""


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str  # sg_event_id, or a hash of the event when SendGrid sent none
    event: str
    email: str
    occurred_at: datetime
    message_id: int | None  # our outbox id, from custom args
    provider_message_id: str  # the X-Message-Id part of sg_message_id
    reason: str
    bounce_type: str
    asm_group_id: int | None
    payload: str


def timestamp_is_fresh(header: str, *, now: datetime, max_age_s: int, skew_s: int = 60) -> bool:
    """Whether a signature timestamp is recent: not older than `max_age_s`, not in the future
    beyond `skew_s` (clocks differ a little). A replayed old request fails here."""
    if not header.isascii() or not header.isdigit() or len(header) > 12:
        return False
    age = now.timestamp() - int(header)
    return -skew_s <= age <= max_age_s


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        value = int(value.strip())
    return value if isinstance(value, int) and 1 <= value <= MAX_ID else None


def _time(value: Any, default: datetime) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return default


def parse_event(raw: Mapping[str, Any], *, received_at: datetime) -> ProviderEvent | None:
    """One event as we keep it; None when it names no event."""
    event = _text(raw.get("event"), 30)
    if not event:
        return None
    payload = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    event_id = _text(raw.get("sg_event_id"), 200)
    if not event_id or len(event_id) > 100:
        # Deterministic, so a retried event without an id still deduplicates.
        event_id = "sha256:" + hashlib.sha256(payload.encode()).hexdigest()
    custom = raw.get("custom_args")
    message_id = _int(raw.get(MESSAGE_ID_ARG))
    if message_id is None and isinstance(custom, Mapping):
        message_id = _int(custom.get(MESSAGE_ID_ARG))
    return ProviderEvent(
        event_id=event_id,
        event=event,
        email=_text(raw.get("email"), 254).lower(),
        occurred_at=_time(raw.get("timestamp"), received_at),
        message_id=message_id,
        provider_message_id=_text(raw.get("sg_message_id"), 1000).split(".", 1)[0][:100],
        reason=_text(raw.get("reason"), 500) or _text(raw.get("response"), 500),
        bounce_type=_text(raw.get("type"), 20),
        asm_group_id=_int(raw.get("asm_group_id")),
        payload=payload,
    )


def parse_batch(body: str, *, received_at: datetime, max_events: int) -> list[ProviderEvent]:
    """The events of a webhook body (a JSON array), or EventBatchError."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise EventBatchError("not JSON") from error
    if not isinstance(data, list):
        raise EventBatchError("not a JSON array")
    if len(data) > max_events:
        raise EventBatchError("too many events")
    events = []
    for raw in data:
        if isinstance(raw, Mapping):
            parsed = parse_event(raw, received_at=received_at)
            if parsed is not None:
                events.append(parsed)
    return events


# How far along a message is; a late "processed" never hides a "delivered" or an "open".
DELIVERY_RANK: Final[Mapping[str, int]] = {
    "processed": 1,
    "deferred": 2,
    "delivered": 3,
    "open": 4,
    "click": 5,
    "blocked": 6,
    "bounce": 6,
    "dropped": 6,
    "spamreport": 7,
}
BY_RECIPIENT: Final = frozenset(
    {"open", "click", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe"}
)
TOUCHPOINT_EVENTS: Final = frozenset(DELIVERY_RANK) | BY_RECIPIENT
# SendGrid drops mail to addresses already on its lists; the reason names the list.
DROPPED_REASONS: Final[Mapping[str, str]] = {
    "bounced address": Reason.BOUNCE,
    "spam reporting address": Reason.SPAMREPORT,
    "unsubscribed address": Reason.UNSUBSCRIBE,
}


@dataclass(frozen=True)
class EventEffect:
    delivery: str | None = None  # the message's new delivery state, if it moves forward
    initiative: Initiative | None = None  # None: no touchpoint
    withdraw: tuple[str, str] | None = None  # (category or "all", reason)
    resubscribe: Category | None = None
    consent_action: str | None = None  # recorded as a ConsentChange when set


def delivery_moves_forward(current: str, new: str | None) -> bool:
    return new is not None and DELIVERY_RANK.get(new, 0) >= DELIVERY_RANK.get(current, 0)


def _dropped_reason(reason: str) -> str | None:
    lowered = reason.lower()
    for marker, suppression in DROPPED_REASONS.items():
        if marker in lowered:
            return suppression
    # "Invalid SMTPAPI header" is our request's fault, not the address's.
    if "invalid" in lowered and "smtpapi" not in lowered:
        return Reason.DROPPED
    return None


def effect_of(event: ProviderEvent, asm_groups: Mapping[int, Category]) -> EventEffect:
    """What `event` changes. `asm_groups` maps SendGrid unsubscribe group ids to categories."""
    kind = event.event
    initiative = (
        (Initiative.CLIENT if kind in BY_RECIPIENT else Initiative.FIRM)
        if kind in TOUCHPOINT_EVENTS
        else None
    )
    delivery = kind if kind in DELIVERY_RANK else None
    if kind == "bounce":
        if event.bounce_type == "blocked":  # a temporary refusal by the receiving server
            return EventEffect(delivery="blocked", initiative=initiative)
        return EventEffect(delivery, initiative, withdraw=(ALL, Reason.BOUNCE))
    if kind == "dropped":
        reason = _dropped_reason(event.reason)
        return EventEffect(delivery, initiative, withdraw=(ALL, reason) if reason else None)
    if kind == "spamreport":
        return EventEffect(
            delivery, initiative, withdraw=(ALL, Reason.SPAMREPORT), consent_action="unsubscribe"
        )
    if kind == "unsubscribe":
        return EventEffect(
            None, initiative, withdraw=(ALL, Reason.UNSUBSCRIBE), consent_action="unsubscribe"
        )
    if kind in {"group_unsubscribe", "group_resubscribe"}:
        category = asm_groups.get(event.asm_group_id or 0)
        if category is None:  # a group we do not map: nothing to change here
            return EventEffect(None, initiative)
        if kind == "group_unsubscribe":
            return EventEffect(
                None,
                initiative,
                withdraw=(category.value, Reason.UNSUBSCRIBE),
                consent_action="unsubscribe",
            )
        return EventEffect(None, initiative, resubscribe=category, consent_action="resubscribe")
    return EventEffect(delivery, initiative)


def asm_group_categories(groups: Mapping[Category, int]) -> dict[int, Category]:
    """SendGrid unsubscribe group id -> category, leaving out unset (0) groups."""
    return {group: category for category, group in groups.items() if group > 0}


TOUCHPOINT_SUMMARIES: Final[Mapping[str, str]] = {
    "processed": "E-mail accepted by SendGrid",
    "deferred": "E-mail delivery deferred",
    "delivered": "E-mail delivered",
    "open": "E-mail opened",
    "click": "Link clicked in e-mail",
    "bounce": "E-mail bounced",
    "dropped": "E-mail dropped by SendGrid",
    "spamreport": "E-mail reported as spam",
    "unsubscribe": "Unsubscribed from all e-mail",
    "group_unsubscribe": "Unsubscribed from one kind of e-mail",
    "group_resubscribe": "Subscribed again to one kind of e-mail",
}


def touchpoint_summary(event: str, subject: str) -> str:
    """Summary of the touchpoint an event becomes (stored; staff read it on the journey map)."""
    what = TOUCHPOINT_SUMMARIES.get(event, event)
    return f"{what}: {subject}"[:500] if subject else what
