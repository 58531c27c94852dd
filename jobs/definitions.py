"""Every scheduled job, declared as data: a stable id, a trigger from settings, a function."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.services import operations
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

    return [
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
