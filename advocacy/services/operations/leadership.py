"""The scheduler's leader lease in the database: taken or renewed at each heartbeat, read, released.

One row per lease in `scheduler_leases`. Taking and renewing are one statement, a conditional UPDATE
"take it if free, expired or mine"; a missing row is created already held, with an INSERT that does
nothing on conflict, so two processes starting together never both win nor fail. Both databases
apply the UPDATE atomically to the row: PostgreSQL locks it and re-checks the condition on the
newest version when two processes race; SQLite runs the whole statement under its single write lock.
No advisory locks, and nothing database-specific beyond the INSERT's conflict clause.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col

from advocacy.domain.lease import Lease
from advocacy.models import SchedulerHeartbeat
from advocacy.models.types import UTCDateTime

log = logging.getLogger(__name__)

SCHEDULER_LEASE = "scheduler"
# Rows of processes that stopped long ago (each start has a new name) are of no use to anyone.
FORGET_SILENT_PROCESSES_AFTER = timedelta(days=7)
_table = SQLModel.metadata.tables["scheduler_leases"]


@dataclass(frozen=True)
class LeaseHold:
    """What one heartbeat learnt: the lease as it now stands, and this process's part in it."""

    lease: Lease
    leading: bool
    took_over: bool  # this beat took the lease: it was free, expired or another's


def note_heartbeat(
    session: Session, name: str, *, host: str, pid: int, started_at: datetime, now: datetime
) -> SchedulerHeartbeat:
    """Add or update the heartbeat row of process `name` (no commit: the caller owns it)."""
    beat = session.get(SchedulerHeartbeat, name)
    if beat is None:
        beat = SchedulerHeartbeat(name=name, started_at=started_at, beat_at=now)
    beat.host, beat.pid, beat.started_at, beat.beat_at = host, pid, started_at, now
    session.add(beat)
    return beat


def beat_and_hold_lease(
    session: Session,
    name: str,
    *,
    host: str,
    pid: int,
    started_at: datetime,
    lease_for: timedelta,
    now: datetime,
) -> LeaseHold:
    """Record that jobs process `name` is alive and take or renew the lease for it (one commit)."""
    if not _take_if_free_expired_or_mine(session, name, now=now, until=now + lease_for):
        _create_held_by(session, name, now=now, until=now + lease_for)
    lease = scheduler_lease(session)
    assert lease is not None  # created just above if it was missing
    note_heartbeat(session, name, host=host, pid=pid, started_at=started_at, now=now)
    session.exec(
        delete(SchedulerHeartbeat).where(
            col(SchedulerHeartbeat.beat_at) < now - FORGET_SILENT_PROCESSES_AFTER
        )
    )
    session.commit()
    leading = lease.holder == name
    hold = LeaseHold(lease, leading, took_over=leading and lease.acquired_at == now)
    if hold.took_over:
        log.info("%s now leads the jobs (lease epoch %d)", name, lease.epoch)
    return hold


def scheduler_lease(session: Session) -> Lease | None:
    """The scheduler lease as the database has it now, or None if no process ever took it."""
    row = session.exec(  # type: ignore[call-overload]
        select(_table.c.holder, _table.c.acquired_at, _table.c.expires_at, _table.c.epoch).where(
            _table.c.name == SCHEDULER_LEASE
        )
    ).first()
    return Lease(*row) if row is not None else None


def release_lease(session: Session, name: str, *, now: datetime) -> bool:
    """Give the lease up at a clean stop so a standby takes it at its next beat (one commit)."""
    result = session.exec(
        update(_table)
        .where(_table.c.name == SCHEDULER_LEASE, _table.c.holder == name)
        .values(holder=None, renewed_at=now, expires_at=now)
    )
    session.commit()
    return bool(result.rowcount)


def _take_if_free_expired_or_mine(
    session: Session, name: str, *, now: datetime, until: datetime
) -> bool:
    mine = _table.c.holder == name
    result = session.exec(
        update(_table)
        .where(
            _table.c.name == SCHEDULER_LEASE,
            or_(mine, _table.c.holder.is_(None), _table.c.expires_at <= now),
        )
        .values(
            holder=name,
            # A renewal keeps the leadership's start and number; a take-over starts a new one.
            acquired_at=case((mine, _table.c.acquired_at), else_=literal(now, UTCDateTime())),
            epoch=case((mine, _table.c.epoch), else_=_table.c.epoch + 1),
            renewed_at=now,
            expires_at=until,
        )
    )
    return bool(result.rowcount)


def _create_held_by(session: Session, name: str, *, now: datetime, until: datetime) -> None:
    # The first process ever: whoever inserts first holds it; the other's INSERT does nothing
    # (PostgreSQL waits for the first to commit, SQLite for its write lock).
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.exec(
        insert(_table)
        .values(
            name=SCHEDULER_LEASE,
            holder=name,
            epoch=1,
            acquired_at=now,
            renewed_at=now,
            expires_at=until,
        )
        .on_conflict_do_nothing(index_elements=["name"])
    )
