"""Operational use cases: the jobs process heartbeat and the health report built from it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from advocacy import repository
from advocacy.models import SchedulerHeartbeat

log = logging.getLogger(__name__)


def record_heartbeat(
    session: Session, name: str, *, host: str, pid: int, started_at: datetime, now: datetime
) -> SchedulerHeartbeat:
    """Record that the jobs process `name` is alive at `now` (one row per process name)."""
    beat = session.get(SchedulerHeartbeat, name)
    if beat is None:
        beat = SchedulerHeartbeat(name=name, started_at=started_at, beat_at=now)
    beat.host, beat.pid, beat.started_at, beat.beat_at = host, pid, started_at, now
    session.add(beat)
    session.commit()
    return beat


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    database_error: str | None
    last_heartbeat: datetime | None
    heartbeat_age_s: float | None
    stale_after_s: int

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
            },
        }


def health_report(engine: Engine, *, now: datetime, stale_after_s: int) -> HealthReport:
    """Check the database with a trivial query and read the newest scheduler heartbeat."""
    try:
        with Session(engine) as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            beat = repository.latest_heartbeat(session)
    except SQLAlchemyError as error:
        log.warning("health check: database unavailable: %s", error.__class__.__name__)
        return HealthReport(False, error.__class__.__name__, None, None, stale_after_s)
    if beat is None:
        return HealthReport(True, None, None, None, stale_after_s)
    age = max(0.0, (now - beat.beat_at).total_seconds())
    return HealthReport(True, None, beat.beat_at, age, stale_after_s)
