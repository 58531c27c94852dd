"""Read models for the admin mail pages: the message log, one message's events, the suppression
list. Queries only: nothing here writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.paging import pager
from advocacy.models import MailEvent, OutboxMessage, Suppression

PAGE_SIZE: Final = 50
STATUSES: Final = ("queued", "sending", "sent", "unknown", "failed", "suppressed", "cancelled")
# Fields of a provider event worth showing on the timeline (the rest is in the raw payload).
EVENT_DETAILS: Final = ("reason", "response", "status", "type", "url", "attempt", "asm_group_id")


@dataclass(frozen=True)
class MessageFilter:
    status: str | None = None
    category: str | None = None
    recipient: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1


@dataclass(frozen=True)
class MessagePage:
    rows: list[OutboxMessage]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _where(query: Any, wanted: MessageFilter, zone: Any) -> Any:
    if wanted.status:
        query = query.where(OutboxMessage.status == wanted.status)
    if wanted.category:
        query = query.where(OutboxMessage.category == wanted.category)
    if wanted.recipient.strip():
        query = query.where(
            func.lower(OutboxMessage.to_email).like(_like(wanted.recipient.strip()), escape="\\")
        )
    # Dates are the viewer's calendar days.
    if wanted.since is not None:
        query = query.where(OutboxMessage.queued_at >= datetime.combine(wanted.since, time(), zone))
    if wanted.until is not None:
        end = datetime.combine(wanted.until + timedelta(days=1), time(), zone)
        query = query.where(OutboxMessage.queued_at < end)
    return query


def list_messages(session: Session, wanted: MessageFilter, *, zone: Any) -> MessagePage:
    """One page of the message log, newest first."""
    total = session.exec(
        _where(select(func.count()).select_from(OutboxMessage), wanted, zone)
    ).one()
    shown = pager(total, wanted.page, PAGE_SIZE)
    query = (
        _where(select(OutboxMessage), wanted, zone)
        .order_by(col(OutboxMessage.queued_at).desc(), col(OutboxMessage.id).desc())
        .offset(shown.offset)
        .limit(PAGE_SIZE)
    )
    return MessagePage(list(session.exec(query)), total, shown.page, shown.pages)


def categories_in_use(session: Session) -> list[str]:
    query = select(OutboxMessage.category).distinct().order_by(OutboxMessage.category)
    return list(session.exec(query))


@dataclass(frozen=True)
class TimelineEntry:
    event: str
    occurred_at: datetime
    details: list[tuple[str, str]]
    processed: bool


def timeline(session: Session, message_id: int) -> list[TimelineEntry]:
    """The provider events of one message, in the order they happened."""
    query = (
        select(MailEvent)
        .where(MailEvent.message_id == message_id)
        .order_by(col(MailEvent.occurred_at), col(MailEvent.id))
    )
    entries = []
    for row in session.exec(query):
        try:
            payload = json.loads(row.payload_json)
        except ValueError:
            payload = {}
        details = [
            (key, str(payload[key])[:300])
            for key in EVENT_DETAILS
            if isinstance(payload, dict) and payload.get(key) not in (None, "")
        ]
        entries.append(
            TimelineEntry(row.event, row.occurred_at, details, row.processed_at is not None)
        )
    return entries


def headers_of(message: OutboxMessage) -> list[tuple[str, str]]:
    try:
        headers = json.loads(message.headers_json or "{}")
    except ValueError:
        return []
    if not isinstance(headers, dict):
        return []
    return [(str(name), str(value)) for name, value in sorted(headers.items())]


@dataclass(frozen=True)
class SuppressionPage:
    rows: list[Suppression]
    total: int
    page: int
    pages: int


def list_suppressions(session: Session, *, search: str = "", page: int = 1) -> SuppressionPage:
    """Suppressed addresses, newest first, optionally narrowed to addresses containing `search`."""
    count = select(func.count()).select_from(Suppression)
    query = select(Suppression)
    if search.strip():
        match = func.lower(Suppression.email).like(_like(search.strip()), escape="\\")
        count, query = count.where(match), query.where(match)
    total = session.exec(count).one()
    shown = pager(total, page, PAGE_SIZE)
    query = (
        query.order_by(col(Suppression.created_at).desc(), col(Suppression.id).desc())
        .offset(shown.offset)
        .limit(PAGE_SIZE)
    )
    return SuppressionPage(list(session.exec(query)), total, shown.page, shown.pages)
