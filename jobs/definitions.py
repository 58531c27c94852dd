"""Every scheduled job, declared as data: a stable id, a trigger from settings, a function."""

from __future__ import annotations

import functools
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from advocacy.adapters.images import PictureStore
from advocacy.clock import utcnow
from advocacy.db import db_session, engine
from advocacy.domain.mail import Category
from advocacy.domain.mail_events import asm_group_categories
from advocacy.services.analytics import stored
from advocacy.services.audit.retention import purge_expired
from advocacy.services.check_ins import generation
from advocacy.services.check_ins.digest import send_digests
from advocacy.services.journey import accounts
from advocacy.services.mail import dispatch, events
from advocacy.services.nurture.run import run_campaigns
from advocacy.services.operations import leadership
from advocacy.services.privacy import retention
from advocacy.services.scoring import recompute
from advocacy.services.voice import testimonials
from advocacy.services.voice.surveys import run as run_surveys
from advocacy.services.webhooks.deliver import run_delivery
from advocacy.settings import Settings


@dataclass(frozen=True)
class JobSpec:
    id: str
    function: Callable[[], object]
    trigger: BaseTrigger
    # Seconds a run may start late (after a pause or restart) and still run; APScheduler's
    # default of 1 s silently skips runs.
    grace_s: int = 60
    description: str = ""
    # Scheduled runs start only on the process holding the leader lease; False only for the
    # heartbeat, which every process runs (it is how a standby takes the lease over).
    leader_only: bool = True
    # Also run once as soon as the process starts: a daily job whose work must not wait for its
    # next tick on a fresh install or after a long stop (it is idempotent, so an extra run is free).
    catch_up: bool = False
    # Runs every few seconds: its start and end are logged at DEBUG (INFO when a run is slow or
    # fails), or they would bury everything else in the log.
    quiet: bool = False


@dataclass(frozen=True)
class ProcessInfo:
    started_at: datetime
    pid: int
    host: str = field(default_factory=socket.gethostname)
    # Two processes may share a host name and a pid (containers on the host's network): the lease
    # must never mistake one for the other.
    token: str = field(default_factory=lambda: secrets.token_hex(3))

    @property
    def name(self) -> str:
        """This process's name in the heartbeats and as the lease holder."""
        return f"jobs@{self.host}:{self.pid}:{self.token}"


def job_definitions(settings: Settings, process: ProcessInfo) -> list[JobSpec]:
    """The jobs of this installation, built from its settings."""

    def heartbeat() -> object:
        return leadership.beat_and_hold_lease(
            db_session(),
            process.name,
            host=process.host,
            pid=process.pid,
            started_at=process.started_at,
            lease_for=timedelta(seconds=settings.scheduler_lease_seconds),
            now=utcnow(),
        )

    def flag_silent_accounts() -> object:
        return accounts.flag_silent_accounts(
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
        return events.process_pending_events(db_session(), utcnow(), asm_groups=asm_groups)

    def dispatch_mail() -> object:
        return dispatch.run_dispatch(engine(), settings, now=utcnow())

    check_in_rules = generation.rules_of(settings)

    def generate_check_ins() -> object:
        return generation.generate_due(db_session(), check_in_rules, now=utcnow())

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
            description="Tell /healthz this process is alive; renew or take over the leader lease.",
            leader_only=False,
            quiet=True,
        ),
        JobSpec(
            "mail.dispatch",
            dispatch_mail,
            # Often, so mail leaves within seconds; a late or skipped run loses nothing (the
            # outbox is the state), so the grace only needs to cover a busy moment.
            IntervalTrigger(seconds=5),
            grace_s=60,
            description="Send due outbox messages (safe with two processes; leases per batch).",
            quiet=True,
        ),
        JobSpec(
            "webhooks.deliver",
            lambda: run_delivery(engine(), settings, clock=utcnow),
            # Often, so a withdrawn testimonial leaves the firm's website within a minute; a
            # skipped run loses nothing (the webhook outbox is the state).
            IntervalTrigger(seconds=settings.webhooks_deliver_every_seconds),
            grace_s=60,
            description="Deliver due webhook events, signed (safe with two processes; leases).",
            quiet=True,
        ),
        JobSpec(
            "checkins.generate",
            generate_check_ins,
            _daily(settings.checkins_job_time),
            # A day late is still worth it: the check-ins are the same ones, and nothing is
            # created twice (one open check-in per account).
            grace_s=20 * 3600,
            description="Create the check-ins that come due, at each account's rhythm.",
            catch_up=True,
        ),
        JobSpec(
            "checkins.digest",
            lambda: send_digests(db_session(), settings, now=utcnow()),
            _daily(settings.checkins_digest_time),
            # A digest a few hours late still helps plan the day; later, the next one is better.
            # Nobody gets two: the key is the person and their local date.
            grace_s=4 * 3600,
            description="E-mail each account manager their check-ins due today and overdue.",
        ),
        JobSpec(
            "surveys.run",
            lambda: run_surveys(db_session(), settings, now=utcnow()),
            _daily(settings.surveys_job_time),
            # A survey a few hours late is as good; nothing goes twice (survey and outbox keys).
            grace_s=20 * 3600,
            description="Send the surveys that came due, remind once, expire the unanswered.",
        ),
        JobSpec(
            "scores.recompute",
            lambda: recompute.recompute_all(
                db_session(), now=utcnow(), rules=recompute.rules_of(settings)
            ),
            _daily(settings.scoring_job_time),
            # A night late is still worth it: the run reads the evidence as it stands then.
            grace_s=20 * 3600,
            description="Recompute every contact's advocacy score, tier and next best ask.",
            catch_up=True,
        ),
        JobSpec(
            "mail.process_events",
            process_mail_events,
            IntervalTrigger(seconds=30),
            grace_s=300,
            description="Apply stored SendGrid events: delivery, touchpoints, suppressions.",
            quiet=True,
        ),
        JobSpec(
            "nurture.run",
            lambda: run_campaigns(db_session(), now=utcnow(), settings=settings),
            IntervalTrigger(minutes=settings.nurture_run_minutes),
            # A skipped run loses nothing: the next one plans from what is stored, and every
            # step is keyed by contact, campaign, step and occurrence.
            grace_s=settings.nurture_run_minutes * 60,
            description="Plan and carry out the active nurture campaigns (docs/nurture.md).",
        ),
        JobSpec(
            "analytics.refresh",
            lambda: stored.refresh(db_session(), now=utcnow()),
            # Every analytics_refresh_minutes (hourly by default), the first time a minute after
            # the process starts, so a new installation's pages soon read stored answers; a
            # skipped run only leaves the pages computing the unfiltered view themselves until
            # the next one (the stored answer goes stale).
            IntervalTrigger(
                minutes=settings.analytics_refresh_minutes,
                start_date=utcnow() + timedelta(minutes=1),
            ),
            grace_s=settings.analytics_refresh_minutes * 60,
            description="Store every analytics question's unfiltered answer, in every language.",
        ),
        JobSpec(
            "audit.purge",
            lambda: purge_expired(db_session(), days=settings.audit_retention_days, now=utcnow()),
            _daily(settings.audit_job_time),
            # A day late only keeps entries a day longer; a run deletes whatever is due then.
            grace_s=20 * 3600,
            description="Delete audit log entries older than audit_retention_days.",
        ),
        JobSpec(
            "testimonials.expire",
            lambda: testimonials.expire_due(db_session(), now=utcnow()),
            # Just after midnight UTC, when a permission's last day is over everywhere in Europe;
            # a late run still marks the same rows (it is idempotent).
            _daily("15 0"),
            grace_s=20 * 3600,
            description="Mark testimonial permissions past their last day, and spent testimonials, expired.",
        ),
        JobSpec(
            "privacy.retention",
            lambda: retention.apply_retention(
                db_session(),
                retention.policy_of(settings),
                now=utcnow(),
                pictures=PictureStore(Path(settings.instance_path) / "uploads"),
            ),
            _daily("45 1"),
            grace_s=20 * 3600,
            description="Empty old e-mail and former clients' comments; erase inactive prospects.",
        ),
    ]


def _daily(minute_hour: str) -> CronTrigger:
    minute, hour = minute_hour.split()
    return CronTrigger(minute=minute, hour=hour, timezone="UTC")


def current_process() -> ProcessInfo:
    """This process, under one name for its whole life (a forked child gets its own)."""
    return _process(os.getpid())


@functools.cache
def _process(pid: int) -> ProcessInfo:
    return ProcessInfo(started_at=utcnow(), pid=pid)
