"""Run the jobs: the blocking scheduler, or one job once through the same wrapper."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.util import undefined
from flask import Flask
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from advocacy import audit_context
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.audit import job_actor
from advocacy.services.operations import leadership
from jobs.definitions import JobSpec, current_process, job_definitions
from jobs.leader import LeaderGate, lease_terms

log = logging.getLogger("advocacy.jobs")
HEARTBEAT = "operations.heartbeat"
SLOW_RUN_S = 1.0  # a quiet job's run this long is worth an INFO line


def run_in_app(app: Flask, spec: JobSpec, gate: LeaderGate | None = None) -> Callable[[], Any]:
    """Wrap a job so it runs in an app context (its own DB session) and logs start, end, failure.

    On the schedule a gate decides first whether the run may start here (leader-only jobs only
    on the lease holder); `run-once` has none: an operator's explicit request runs at once.
    """

    def run() -> Any:
        admission: AbstractContextManager[str | None] = (
            gate.admitted(spec) if gate is not None else nullcontext("")
        )
        with admission as note:
            if note is None:
                log.debug("job %s not started: this process may not run it now", spec.id)
                return None
            started = time.monotonic()
            level = logging.DEBUG if spec.quiet else logging.INFO
            log.log(level, "job %s started%s", spec.id, note)
            with app.app_context():
                try:
                    with audit_context.acting(job_actor(spec.id)):
                        result = spec.function()
                except (OperationalError, InterfaceError) as error:
                    # The database is away: the job's state lives there, so nothing is lost and
                    # its next run carries on from where the database says it stopped.
                    log.warning(
                        "job %s: database unreachable (%s); it runs again on schedule",
                        spec.id,
                        type(error.orig).__name__,
                    )
                    raise
                except Exception:
                    log.exception("job %s failed after %.2fs", spec.id, time.monotonic() - started)
                    raise
            took = time.monotonic() - started
            if took >= SLOW_RUN_S:
                level = logging.INFO
            log.log(level, "job %s finished in %.2fs", spec.id, took)
            return result

    return run


def specs(app: Flask) -> list[JobSpec]:
    return job_definitions(app.config["ADVOCACY"], current_process())


def run_once(app: Flask, name: str) -> Any:
    """Run the job `name` now, through the same code path as the schedule."""
    by_id = {spec.id: spec for spec in specs(app)}
    if name not in by_id:
        raise KeyError(name)
    return run_in_app(app, by_id[name])()


def leader_gate(app: Flask) -> LeaderGate:
    return LeaderGate(app, current_process().name, lease_terms(app))


def build_scheduler(app: Flask, gate: LeaderGate | None = None) -> BlockingScheduler:
    # Memory job store on purpose: the schedule lives in code, state lives in our own tables, so a
    # restart never resets or loses anything (see COMPONENTS.md on persistent job stores).
    gate = gate or leader_gate(app)
    scheduler = BlockingScheduler(timezone="UTC")
    for spec in specs(app):
        scheduler.add_job(
            run_in_app(app, spec, gate),
            trigger=spec.trigger,
            id=spec.id,
            name=spec.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.grace_s,
            # The first beat has run by then (run_scheduler), so the leader holds its lease.
            next_run_time=utcnow() if spec.catch_up else undefined,
        )
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Run the jobs on their schedule until SIGTERM or Ctrl-C, as leader or as standby.

    Every process beats (once at start, then on schedule) and each beat takes or renews the leader
    lease; only the holder runs the other jobs. At a clean stop the leader gives the lease up once
    its runs are over, so a standby takes over at its next beat rather than after the lease ends.
    """
    if app.config["ADVOCACY"].log_level != "DEBUG":
        # Our wrapper logs each run; APScheduler's own INFO lines would double every one of them.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    gate = leader_gate(app)
    scheduler = build_scheduler(app, gate)

    def stop(_signum: int, _frame: object) -> None:
        log.info("jobs process stopping")
        gate.stop()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    role = "standby"
    try:
        if run_once(app, HEARTBEAT).leading:
            role = "leader"
    except Exception:  # the database may be starting too: the schedule retries
        log.warning("first heartbeat failed; retrying on schedule")
    log.info("jobs process started with %d jobs, as %s", len(scheduler.get_jobs()), role)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        gate.stop()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        log.info("jobs process stopped")
    give_up_lease(app, gate)


def give_up_lease(app: Flask, gate: LeaderGate) -> None:
    """Release the lease if this process holds it, once no run of this process is in progress."""
    if not gate.wait_until_idle(timeout=lease_terms(app).duration.total_seconds()):
        log.warning("runs still in progress: the leader lease is left to expire")
        return
    try:
        with app.app_context():
            released = leadership.release_lease(db_session(), current_process().name, now=utcnow())
    except SQLAlchemyError as error:
        log.warning("could not release the leader lease (%s)", type(error).__name__)
        return
    if released:
        log.info("leader lease released")
