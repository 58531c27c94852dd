"""Run the jobs: the blocking scheduler, or one job once through the same wrapper."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from jobs.definitions import JobSpec, current_process, job_definitions

log = logging.getLogger("advocacy.jobs")


def run_in_app(app: Flask, spec: JobSpec) -> Callable[[], Any]:
    """Wrap a job so it runs in an app context (its own DB session) and logs start, end, failure."""

    def run() -> Any:
        started = time.monotonic()
        log.info("job %s started", spec.id)
        with app.app_context():
            try:
                result = spec.function()
            except Exception:
                log.exception("job %s failed after %.2fs", spec.id, time.monotonic() - started)
                raise
        log.info("job %s finished in %.2fs", spec.id, time.monotonic() - started)
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


def build_scheduler(app: Flask) -> BlockingScheduler:
    # Memory job store on purpose: the schedule lives in code, state lives in our own tables, so a
    # restart never resets or loses anything (see COMPONENTS.md on persistent job stores).
    scheduler = BlockingScheduler(timezone="UTC")
    for spec in specs(app):
        scheduler.add_job(
            run_in_app(app, spec),
            trigger=spec.trigger,
            id=spec.id,
            name=spec.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.grace_s,
        )
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Run every job on its schedule until SIGTERM or Ctrl-C; beat once at start for /healthz."""
    scheduler = build_scheduler(app)
    if app.config["ADVOCACY"].log_level != "DEBUG":
        # Our wrapper logs each run; APScheduler's own INFO lines would double every one of them.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)

    def stop(_signum: int, _frame: object) -> None:
        log.info("jobs process stopping")
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    try:
        run_once(app, "operations.heartbeat")
    except Exception:  # the database may be starting too: the schedule retries
        log.warning("first heartbeat failed; retrying on schedule")
    log.info("jobs process started with %d jobs", len(scheduler.get_jobs()))
    try:
        scheduler.start()
    except KeyboardInterrupt:
        log.info("jobs process stopped")
