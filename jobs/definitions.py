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
from advocacy.db import db_session, engine
from advocacy.domain.mail import Category
from advocacy.domain.mail_events import asm_group_categories
from advocacy.services import dispatch, journey, mail_events, operations
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

    asm_groups = asm_group_categories(
        {
            Category.NURTURE: settings.sendgrid_asm_group_nurture,
            Category.SURVEY: settings.sendgrid_asm_group_survey,
            Category.ADVOCACY_ASK: settings.sendgrid_asm_group_advocacy_ask,
            Category.REFERENCE_REQUEST: settings.sendgrid_asm_group_reference_request,
        }
    )

    def process_mail_events() -> object:
        return mail_events.process_pending_events(db_session(), utcnow(), asm_groups=asm_groups)

    def dispatch_mail() -> object:
        return dispatch.run_dispatch(engine(), settings, now=utcnow())

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
        JobSpec(
            "mail.dispatch",
            dispatch_mail,
            # Often, so mail leaves within seconds; a late or skipped run loses nothing (the
            # outbox is the state), so the grace only needs to cover a busy moment.
            IntervalTrigger(seconds=5),
            grace_s=60,
            description="Send due outbox messages (safe with two processes; leases per batch).",
        ),
        JobSpec(
            "mail.process_events",
            process_mail_events,
            IntervalTrigger(seconds=30),
            grace_s=300,
            description="Apply stored SendGrid events: delivery, touchpoints, suppressions.",
        ),
    ]


def current_process() -> ProcessInfo:
    return ProcessInfo(started_at=utcnow(), pid=os.getpid())
