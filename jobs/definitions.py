"""Every scheduled job, declared as data: a stable id, a trigger from settings, a function."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.services import journey, operations
from advocacy.settings import Settings

PROCESS_NAME = f"jobs@{socket.gethostname()}"


@dataclass(frozen=True)
class JobSpec:
    id: str
    function: Callable[[], object]
    trigger: BaseTrigger
    # Seconds a run may start late (after a pause or restart) and still run; APScheduler's
    # default of 1 s silently skips runs.
    grace_s: int = 60
    description: str = ""


@dataclass(frozen=True)
class ProcessInfo:
    started_at: datetime
    pid: int


def job_definitions(settings: Settings, process: ProcessInfo) -> list[JobSpec]:
    """The jobs of this installation, built from its settings."""

    def heartbeat() -> object:
        return operations.record_heartbeat(
            db_session(),
            PROCESS_NAME,
            host=socket.gethostname(),
            pid=process.pid,
            started_at=process.started_at,
            now=utcnow(),
        )

    def flag_silent_accounts() -> object:
        return journey.flag_silent_accounts(
            db_session(),
            now=utcnow(),
            silence=timedelta(days=settings.journey_former_after_days),
            apply=settings.journey_apply_former_automatically,
        )

    minute, hour = settings.journey_job_time.split()
    return [
        JobSpec(
            "journey.flag_silent",
            flag_silent_accounts,
            CronTrigger(minute=minute, hour=hour, timezone="UTC"),
            grace_s=6 * 3600,
            description="Propose (or make) the move to former for accounts silent too long.",
        ),
        JobSpec(
            "operations.heartbeat",
            heartbeat,
            IntervalTrigger(seconds=settings.scheduler_heartbeat_seconds),
            grace_s=settings.scheduler_heartbeat_seconds,
            description="Tell /healthz that the jobs process is alive.",
        ),
    ]


def current_process() -> ProcessInfo:
    return ProcessInfo(started_at=utcnow(), pid=os.getpid())
