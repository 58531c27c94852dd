"""Read model of the audit log for the admin page and its CSV export. Queries only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.audit import Action, ActorKind
from advocacy.domain.paging import pager
from advocacy.models import AuditEntry

PAGE_SIZE: Final = 50
EXPORT_CHUNK: Final = 1000


@dataclass(frozen=True)
class AuditFilter:
    """What the admin narrowed the log to; every field empty shows everything."""

    action: Action | None = None
    actor_kind: ActorKind | None = None
    actor: str = ""  # text the actor's label contains (an e-mail, a token prefix, a job)
    subject_type: str = ""
    subject_id: int | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEntry]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _where(query: Any, wanted: AuditFilter, zone: tzinfo) -> Any:
    if wanted.action is not None:
        query = query.where(AuditEntry.action == wanted.action.value)
    if wanted.actor_kind is not None:
        query = query.where(AuditEntry.actor_kind == wanted.actor_kind.value)
    if wanted.actor.strip():
        pattern = _like(wanted.actor.strip())
        query = query.where(func.lower(AuditEntry.actor_label).like(pattern, escape="\\"))
    if wanted.subject_type:
        query = query.where(AuditEntry.subject_type == wanted.subject_type)
    if wanted.subject_id is not None:
        query = query.where(AuditEntry.subject_id == wanted.subject_id)
    # Dates are the viewer's calendar days.
    if wanted.since is not None:
        start = datetime.combine(wanted.since, time(), zone)
        query = query.where(col(AuditEntry.occurred_at) >= start)
    if wanted.until is not None:
        end = datetime.combine(wanted.until + timedelta(days=1), time(), zone)
        query = query.where(col(AuditEntry.occurred_at) < end)
    return query


def _newest_first(query: Any) -> Any:
    return query.order_by(col(AuditEntry.occurred_at).desc(), col(AuditEntry.id).desc())


def count_entries(session: Session, wanted: AuditFilter, *, zone: tzinfo) -> int:
    """How many entries the filter keeps."""
    query = _where(select(func.count()).select_from(AuditEntry), wanted, zone)
    return int(session.exec(query).one())


def list_entries(session: Session, wanted: AuditFilter, *, zone: tzinfo) -> AuditPage:
    """One page of the log, newest first."""
    total = count_entries(session, wanted, zone=zone)
    shown = pager(total, wanted.page, PAGE_SIZE)
    query = _newest_first(_where(select(AuditEntry), wanted, zone))
    rows = list(session.exec(query.offset(shown.offset).limit(PAGE_SIZE)))
    return AuditPage(rows, total, shown.page, shown.pages)


def all_entries(session: Session, wanted: AuditFilter, *, zone: tzinfo) -> Iterator[AuditEntry]:
    """Every entry the filter keeps, newest first, read a chunk at a time (by key, not offset,
    so a long log costs the same per chunk)."""
    last: tuple[datetime, int] | None = None
    while True:
        query = _newest_first(_where(select(AuditEntry), wanted, zone))
        if last is not None:
            at, key = last
            query = query.where(
                (col(AuditEntry.occurred_at) < at)
                | ((col(AuditEntry.occurred_at) == at) & (col(AuditEntry.id) < key))
            )
        chunk = list(session.exec(query.limit(EXPORT_CHUNK)))
        yield from chunk
        if len(chunk) < EXPORT_CHUNK:
            return
        final = chunk[-1]
        last = (final.occurred_at, final.id or 0)


def subject_types(session: Session) -> list[str]:
    """The kinds of subject the log names, for the filter's choices."""
    query = select(AuditEntry.subject_type).distinct().order_by(AuditEntry.subject_type)
    return [kind for kind in session.exec(query) if kind]


def details_of(entry: AuditEntry) -> list[tuple[str, str]]:
    """An entry's details as (name, value) pairs; an unreadable stored value shows as none."""
    try:
        details = json.loads(entry.details_json or "{}")
    except ValueError:
        return []
    if not isinstance(details, dict):
        return []
    return [(str(key), "" if value is None else str(value)) for key, value in details.items()]
