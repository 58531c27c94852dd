"""Operational use cases: the jobs processes' heartbeats and the health report built from them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from advocacy.domain.lease import Lease, Standing, standing
from advocacy.models import MailEvent, OutboxMessage, SchedulerHeartbeat
from advocacy.repository import staff
from advocacy.services.operations.leadership import note_heartbeat, scheduler_lease

log = logging.getLogger(__name__)


def record_heartbeat(
    session: Session, name: str, *, host: str, pid: int, started_at: datetime, now: datetime
) -> SchedulerHeartbeat:
    """Record that the jobs process `name` is alive at `now` (one row per process name)."""
    beat = note_heartbeat(session, name, host=host, pid=pid, started_at=started_at, now=now)
    session.commit()
    return beat


@dataclass(frozen=True)
class ProcessReport:
    """One live jobs process, as its heartbeat row describes it."""

    name: str
    host: str
    pid: int
    last_heartbeat: datetime
    age_s: float

    def as_json(self) -> dict[str, Any]:
        return {
            "process": self.name,
            "host": self.host,
            "pid": self.pid,
            "last_heartbeat": self.last_heartbeat.isoformat(),
            "age_seconds": round(self.age_s, 1),
        }


@dataclass(frozen=True)
class LeaderReport:
    """The holder of the scheduler lease: the one process that runs the jobs."""

    lease: Lease
    lease_status: Standing  # held, or expired (its holder stopped renewing)
    host: str
    pid: int

    def as_json(self) -> dict[str, Any]:
        return {
            "process": self.lease.holder,
            "host": self.host,
            "pid": self.pid,
            "since": self.lease.acquired_at.isoformat(),
            "lease_expires_at": self.lease.expires_at.isoformat(),
            "lease": self.lease_status.value,
            "epoch": self.lease.epoch,
        }


@dataclass(frozen=True)
class MailEventsReport:
    """Whether SendGrid's signed webhook is heard from: unknown outcomes settle only through it."""

    last_event_at: datetime | None
    unheard_since: datetime | None  # the oldest send past the silence with no event since

    @property
    def status(self) -> str:
        return "silent" if self.unheard_since is not None else "ok"

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            "sent_without_event_since": self.unheard_since.isoformat()
            if self.unheard_since
            else None,
        }


def mail_events_report(session: Session, *, now: datetime, silence: timedelta) -> MailEventsReport:
    """When the last provider event arrived, and whether mail sent long enough ago has had none."""
    last_event = session.exec(select(func.max(MailEvent.received_at))).one()
    # Only the last week counts: an installation that never sent anything is not silent.
    since = max(last_event, now - timedelta(days=7)) if last_event else now - timedelta(days=7)
    unheard = session.exec(
        select(OutboxMessage.sent_at)
        .where(col(OutboxMessage.sent_at) > since, col(OutboxMessage.sent_at) <= now - silence)
        .order_by(col(OutboxMessage.sent_at))
        .limit(1)
    ).first()
    return MailEventsReport(last_event, unheard)


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    database_error: str | None
    last_heartbeat: datetime | None
    heartbeat_age_s: float | None
    stale_after_s: int
    leader: LeaderReport | None = None
    standbys: tuple[ProcessReport, ...] = ()
    mail_events: MailEventsReport | None = None  # None: mail does not go through SendGrid

    @property
    def scheduler_status(self) -> str:
        if self.heartbeat_age_s is None:
            return "never"
        return "ok" if self.heartbeat_age_s <= self.stale_after_s else "stale"

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.database_ok else "unavailable",
            "database": {"ok": self.database_ok, "error": self.database_error},
            "scheduler": {
                "status": self.scheduler_status,
                "last_heartbeat": self.last_heartbeat.isoformat() if self.last_heartbeat else None,
                "age_seconds": round(self.heartbeat_age_s, 1)
                if self.heartbeat_age_s is not None
                else None,
                "leader": self.leader.as_json() if self.leader else None,
                "standbys": [standby.as_json() for standby in self.standbys],
            },
            "mail_events": self.mail_events.as_json() if self.mail_events else None,
        }


def health_report(
    engine: Engine,
    *,
    now: datetime,
    stale_after_s: int,
    mail_events_silence: timedelta | None = None,
) -> HealthReport:
    """Check the database, read the newest heartbeat, the lease holder and the live standbys,
    and (with `mail_events_silence`) whether SendGrid's events still arrive."""
    try:
        with Session(engine) as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            beat = staff.latest_heartbeat(session)
            lease = scheduler_lease(session)
            live = session.exec(
                select(SchedulerHeartbeat)
                .where(col(SchedulerHeartbeat.beat_at) >= now - timedelta(seconds=stale_after_s))
                .order_by(col(SchedulerHeartbeat.name))
            ).all()
            leader_row = (
                session.get(SchedulerHeartbeat, lease.holder) if lease and lease.holder else None
            )
            mail_events = (
                mail_events_report(session, now=now, silence=mail_events_silence)
                if mail_events_silence is not None
                else None
            )
    except SQLAlchemyError as error:
        log.warning("health check: database unavailable: %s", error.__class__.__name__)
        return HealthReport(False, error.__class__.__name__, None, None, stale_after_s)
    leader = None
    if lease is not None and lease.holder is not None:
        leader = LeaderReport(
            lease,
            standing(lease, None, now),
            leader_row.host if leader_row else "",
            leader_row.pid if leader_row else 0,
        )
    standbys = tuple(
        ProcessReport(row.name, row.host, row.pid, row.beat_at, _age(row.beat_at, now))
        for row in live
        if lease is None or row.name != lease.holder
    )
    if beat is None:
        return HealthReport(True, None, None, None, stale_after_s, leader, standbys, mail_events)
    return HealthReport(
        True,
        None,
        beat.beat_at,
        _age(beat.beat_at, now),
        stale_after_s,
        leader,
        standbys,
        mail_events,
    )


def _age(moment: datetime, now: datetime) -> float:
    return max(0.0, (now - moment).total_seconds())
