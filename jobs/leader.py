"""This process's side of the leader lease: which scheduled runs may start here, and a clean stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from advocacy.clock import utcnow
from advocacy.db import engine
from advocacy.domain.lease import LeaseTerms, may_start_run
from advocacy.services.operations import leadership
from jobs.definitions import JobSpec

log = logging.getLogger("advocacy.jobs")


def lease_terms(app: Flask) -> LeaseTerms:
    settings = app.config["ADVOCACY"]
    return LeaseTerms(
        duration=timedelta(seconds=settings.scheduler_lease_seconds),
        renew_every=timedelta(seconds=settings.scheduler_heartbeat_seconds),
    )


class LeaderGate:
    """Lets a scheduled run start only while this process may act, and counts runs in progress.

    Leader-only jobs start only while the database says this process holds the lease with at
    least one renewal interval left: the lease is read afresh before every run, so a process that
    lost it, or cannot reach the database to know, starts nothing until it holds it again. Once the
    process is stopping, no run starts at all (not even a heartbeat that would take the lease back).
    """

    def __init__(self, app: Flask, process_name: str, terms: LeaseTerms) -> None:
        self._app = app
        self._name = process_name
        self._terms = terms
        self._changes = threading.Condition()
        self._stopping = False
        self._running = 0
        self._leading: bool | None = None  # as last seen by a run, to log only the changes

    @contextmanager
    def admitted(self, spec: JobSpec) -> Iterator[str | None]:
        """A note for the log if the run of `spec` may start now (counted meanwhile), else None."""
        with self._changes:
            stopping = self._stopping
            if not stopping:
                self._running += 1
        if stopping:
            yield None
            return
        try:
            yield self._leader_note() if spec.leader_only else ""
        finally:
            with self._changes:
                self._running -= 1
                self._changes.notify_all()

    def stop(self) -> None:
        with self._changes:
            self._stopping = True

    def wait_until_idle(self, timeout: float) -> bool:
        """Wait for the runs in progress to end; False if some still run after `timeout` seconds."""
        with self._changes:
            return self._changes.wait_for(lambda: self._running == 0, timeout)

    def _leader_note(self) -> str | None:
        try:
            with self._app.app_context(), Session(engine()) as session:
                lease = leadership.scheduler_lease(session)
        except SQLAlchemyError as error:
            log.warning("job run skipped: cannot read the leader lease (%s)", type(error).__name__)
            self._saw(False)
            return None
        # Read after the query: a slow database must not make the lease look longer than it is.
        now = utcnow()
        if lease is None or not may_start_run(lease, self._name, now, self._terms.start_margin):
            self._saw(False)
            return None
        self._saw(True)
        return f" (leader epoch {lease.epoch})"

    def _saw(self, leading: bool) -> None:
        with self._changes:
            changed, self._leading = self._leading != leading, leading
        if changed and leading:
            log.info("jobs run here: this process holds the leader lease")
        elif changed:
            log.info("jobs wait: another process leads, or this one's lease is about to run out")
