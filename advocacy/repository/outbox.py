"""Query helpers for the outbox: claims under a lease, pressure counts, send-time checks.

Add, flush and execute; never commit (the service owns the transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from advocacy.domain.mail import CLIENT_FACING
from advocacy.domain.outbox import (
    DUE,
    LEASE_EXPIRED,
    LEASE_EXPIRED_UNSENT,
    PROVIDER_PAUSES,
    Decision,
    Status,
)
from advocacy.domain.touchpoints import TouchpointKind
from advocacy.models import ClientLink, Contact, MailEvent, OutboxMessage, Suppression, Touchpoint
from advocacy.models.fields import saved_id
from advocacy.models.types import UTCDateTime

KEY_CHUNK = 500
HUMAN_TOUCHES = (TouchpointKind.CALL.value, TouchpointKind.MEETING.value)
CLIENT_CATEGORIES = tuple(sorted(category.value for category in CLIENT_FACING))
_DUE = tuple(status.value for status in DUE)
_table = SQLModel.metadata.tables["outbox_messages"]


def message_by_key(session: Session, key: str) -> OutboxMessage | None:
    return session.exec(
        select(OutboxMessage).where(col(OutboxMessage.idempotency_key) == key)
    ).one_or_none()


def ids_by_key(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The messages already written under these keys (in chunks the databases accept)."""
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), KEY_CHUNK):
        chunk = wanted[start : start + KEY_CHUNK]
        for key, message_id in session.exec(
            select(OutboxMessage.idempotency_key, OutboxMessage.id).where(
                col(OutboxMessage.idempotency_key).in_(chunk)
            )
        ):
            if message_id is not None:
                found[key] = message_id
    return found


def insert_new(
    session: Session, links: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]]
) -> None:
    """Write links and messages in bulk; a message whose key exists already is left as it was."""
    dialect = session.get_bind().dialect.name
    if links:
        session.execute(insert(ClientLink), list(links))
    if rows:
        builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = builder(OutboxMessage).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
        session.execute(statement, list(rows))
    session.flush()


def expire_leases(session: Session, *, now: datetime, wait: timedelta) -> int:
    """Messages whose dispatcher died mid-batch: `unknown` if their request started, else due.

    A message whose request had started may have reached the provider: it becomes `unknown`, and
    the wait before a resend counts from the lease's end (the last moment it could have gone
    out); it keeps its lease owner, so a dispatcher that was only slow can still record its
    answer. A message whose request never started cannot have gone out: it is due again now, and
    its lease is dropped, so a slow dispatcher can no longer start it (mark_requests_started).
    """
    expired = session.exec(
        select(col(OutboxMessage.lease_expires_at))
        .where(
            col(OutboxMessage.status) == Status.SENDING.value,
            col(OutboxMessage.lease_expires_at) <= now,
        )
        .distinct()
    ).all()
    changed = 0
    for lease_end in expired:  # one lease per claimed batch: a handful of values
        if lease_end is None:  # excluded by the query; this tells the type checker so
            continue
        held = and_(
            col(OutboxMessage.status) == Status.SENDING.value,
            col(OutboxMessage.lease_expires_at) == lease_end,
        )
        started = session.exec(
            update(OutboxMessage)
            .where(held, col(OutboxMessage.send_started_at).is_not(None))
            .values(
                status=Status.UNKNOWN.value,
                next_attempt_at=lease_end + wait,
                error=LEASE_EXPIRED,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        unsent = session.exec(
            update(OutboxMessage)
            .where(held, col(OutboxMessage.send_started_at).is_(None))
            .values(
                status=Status.QUEUED.value,
                next_attempt_at=now,
                error=LEASE_EXPIRED_UNSENT,
                lease_owner="",
                lease_expires_at=None,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        changed += (started.rowcount or 0) + (unsent.rowcount or 0)
    return changed


_START = (
    update(_table)
    .where(
        _table.c.id.in_(bindparam("s_ids", expanding=True)),
        _table.c.lease_owner == bindparam("s_owner"),
        _table.c.status == Status.SENDING.value,
    )
    .values(send_started_at=bindparam("s_at", type_=UTCDateTime()))
    .returning(_table.c.id)
)


def mark_requests_started(
    connection: Connection, ids: Sequence[int], *, worker_id: str, at: datetime
) -> set[int]:
    """Note that `worker_id` starts the requests of these messages; return those it still holds.

    Written (and committed by the caller) before the requests leave: a message without this mark
    was certainly never sent, and a dispatcher whose lease was taken back must not send at all.
    One prepared statement on a Core connection: it runs every few messages, so it must be cheap.
    """
    if not ids:
        return set()
    result = connection.execute(_START, {"s_ids": list(ids), "s_owner": worker_id, "s_at": at})
    return {row[0] for row in result}


def provider_paused_until(session: Session, *, now: datetime) -> datetime | None:
    """Until when messages wait because the provider refused or failed a request (or None)."""
    return session.exec(
        select(func.max(OutboxMessage.next_attempt_at)).where(
            col(OutboxMessage.status) == Status.QUEUED.value,
            col(OutboxMessage.next_attempt_at) > now,
            col(OutboxMessage.error).in_(PROVIDER_PAUSES),
        )
    ).one()


@dataclass(frozen=True)
class Claimed:
    """A message this worker holds under a lease: what the send-time checks and the sender need."""

    id: int
    category: str
    to_email: str
    to_name: str
    contact_id: int | None
    account_id: int | None
    attempts: int
    subject: str
    html_body: str
    text_body: str
    headers_json: str


_CLAIMED_COLUMNS = [_table.c[name] for name in Claimed.__dataclass_fields__]


def claim_due(
    session: Session, *, worker_id: str, now: datetime, lease_until: datetime, limit: int
) -> list[Claimed]:
    """Take up to `limit` due messages for `worker_id` and return them.

    One conditional UPDATE ... RETURNING: PostgreSQL locks the chosen rows with FOR UPDATE SKIP
    LOCKED, so two dispatchers take disjoint batches without waiting; SQLite ignores the locking
    clause but runs the statement under its single write lock, and the repeated status/time
    condition in the outer WHERE means a row is only ever taken while it is still due.
    """
    due = and_(_table.c.status.in_(_DUE), _table.c.next_attempt_at <= now)
    # A materialized CTE, not a subquery in the WHERE: PostgreSQL may rescan such a subquery for
    # each row it updates, and since the rows it already took are no longer due, every rescan
    # would take `limit` more, so one claim took everything that was due.
    chosen = (
        select(_table.c.id)
        .where(due)
        .order_by(_table.c.next_attempt_at, _table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("chosen")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    result = session.exec(
        update(_table)
        .where(_table.c.id.in_(select(chosen.c.id)), due)
        .values(
            status=Status.SENDING.value,
            lease_owner=worker_id,
            lease_expires_at=lease_until,
            send_started_at=None,
            updated_at=now,
        )
        .returning(*_CLAIMED_COLUMNS)
    )
    return sorted((Claimed(*row) for row in result), key=lambda claimed: claimed.id)


_RECORD = (
    update(_table)
    .where(
        _table.c.id == bindparam("b_id"),
        _table.c.lease_owner == bindparam("b_owner"),
        # Not IN (...): an expanding list cannot be used with executemany.
        or_(_table.c.status == Status.SENDING.value, _table.c.status == Status.UNKNOWN.value),
    )
    .values(
        status=bindparam("b_status"),
        next_attempt_at=bindparam("b_next"),
        error=bindparam("b_error"),
        attempts=_table.c.attempts + bindparam("b_inc"),
        provider_message_id=func.coalesce(
            func.nullif(bindparam("b_pid"), ""), _table.c.provider_message_id
        ),
        sent_at=func.coalesce(bindparam("b_sent_at", type_=UTCDateTime()), _table.c.sent_at),
        lease_owner="",
        lease_expires_at=None,
        updated_at=bindparam("b_now"),
    )
)


def record_decisions(
    session: Session, decisions: Mapping[int, Decision], *, worker_id: str, now: datetime
) -> None:
    """Write every decision in one executemany, only where this worker still holds the lease.

    A row another dispatcher has claimed since (after this worker's lease ran out and the wait
    passed) is left alone: that dispatcher owns it now.
    """
    params = [
        {
            "b_id": message_id,
            "b_owner": worker_id,
            "b_status": decision.status.value,
            "b_next": decision.next_attempt_at,
            "b_error": decision.error,
            "b_inc": 1 if decision.counts_attempt else 0,
            "b_pid": decision.provider_message_id,
            "b_sent_at": now if decision.status is Status.SENT else None,
            "b_now": now,
        }
        for message_id, decision in decisions.items()
    ]
    if params:
        session.exec(_RECORD, params=params)


def with_provider_events(session: Session, ids: Sequence[int]) -> set[int]:
    """Which of these messages the provider has told us about (any event at all)."""
    if not ids:
        return set()
    rows = session.exec(
        select(col(MailEvent.message_id)).where(col(MailEvent.message_id).in_(ids)).distinct()
    )
    return {message_id for message_id in rows if message_id is not None}


def suppressions_for(session: Session, emails: Iterable[str]) -> dict[str, frozenset[str]]:
    """Suppressed categories per address (with the "bounce" marker), like suppressed_categories."""
    wanted = sorted({email.lower() for email in emails})
    found: dict[str, set[str]] = defaultdict(set)
    if wanted:
        for row in session.exec(select(Suppression).where(col(Suppression.email).in_(wanted))):
            found[row.email].add(row.category)
            if row.reason == "bounce":
                found[row.email].add("bounce")
    return {email: frozenset(found.get(email, ())) for email in wanted}


def contacts(session: Session, ids: Iterable[int | None]) -> dict[int, Contact]:
    wanted = sorted({contact_id for contact_id in ids if contact_id is not None})
    if not wanted:
        return {}
    rows = session.exec(select(Contact).where(col(Contact.id).in_(wanted)))
    return {saved_id(row): row for row in rows}


def contact_timezones(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    return {contact_id: row.timezone for contact_id, row in contacts(session, ids).items()}


def pressure_touches(
    session: Session,
    *,
    contact_ids: Iterable[int],
    account_ids: Iterable[int],
    since: datetime,
    now: datetime,
    pending: Sequence[Status],
    exclude_ids: Iterable[int] = (),
    everyone: bool = False,
) -> tuple[dict[int, list[datetime]], dict[int, list[datetime]]]:
    """Recent client-facing e-mails and logged calls/meetings, per contact and per account.

    Sent e-mails count at their send time; messages in a `pending` status (not sent yet, or maybe
    sent) count as of `now`. `everyone` reads them for every contact and account (a planner over
    a whole segment: the rows are bounded by the period's mail, not by the segment's size).
    """
    contact_set = sorted(set(contact_ids))
    account_set = sorted(set(account_ids))
    by_contact: dict[int, list[datetime]] = defaultdict(list)
    by_account: dict[int, list[datetime]] = defaultdict(list)
    if not contact_set and not account_set and not everyone:
        return by_contact, by_account
    pending_values = [status.value for status in pending]
    mail_rows = session.exec(
        select(
            col(OutboxMessage.contact_id),
            col(OutboxMessage.account_id),
            col(OutboxMessage.status),
            col(OutboxMessage.sent_at),
        ).where(
            col(OutboxMessage.category).in_(CLIENT_CATEGORIES),
            true()
            if everyone
            else or_(
                col(OutboxMessage.contact_id).in_(contact_set),
                col(OutboxMessage.account_id).in_(account_set),
            ),
            or_(
                and_(
                    col(OutboxMessage.status) == Status.SENT.value,
                    col(OutboxMessage.sent_at) > since,
                ),
                col(OutboxMessage.status).in_(pending_values),
            ),
            col(OutboxMessage.id).not_in(list(exclude_ids)),
        )
    )
    for contact_id, account_id, status, sent_at in mail_rows:
        at = sent_at if status == Status.SENT.value and sent_at is not None else now
        _add(by_contact, by_account, contact_id, account_id, at)
    touch_rows = session.exec(
        select(
            col(Touchpoint.contact_id), col(Touchpoint.account_id), col(Touchpoint.occurred_at)
        ).where(
            col(Touchpoint.kind).in_(HUMAN_TOUCHES),
            col(Touchpoint.occurred_at) > since,
            col(Touchpoint.occurred_at) <= now,
            true()
            if everyone
            else or_(
                col(Touchpoint.contact_id).in_(contact_set),
                col(Touchpoint.account_id).in_(account_set),
            ),
        )
    )
    for contact_id, account_id, occurred_at in touch_rows:
        _add(by_contact, by_account, contact_id, account_id, occurred_at)
    return by_contact, by_account


def _add(
    by_contact: dict[int, list[datetime]],
    by_account: dict[int, list[datetime]],
    contact_id: int | None,
    account_id: int | None,
    at: datetime,
) -> None:
    if contact_id is not None:
        by_contact[contact_id].append(at)
    if account_id is not None:
        by_account[account_id].append(at)
