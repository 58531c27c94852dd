"""The jobs process: jobs declared as data, run-once through the schedule's path, a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import SchedulerHeartbeat
from jobs import runner
from jobs.cli import jobs_group
from tests.conftest import TEST_SECRET


def test_every_job_has_a_stable_unique_id_and_a_grace_time(app: Flask) -> None:
    specs = runner.specs(app)
    ids = [spec.id for spec in specs]
    assert len(ids) == len(set(ids))
    assert all("." in spec.id and spec.grace_s > 1 for spec in specs)


def test_the_scheduler_coalesces_runs_one_at_a_time_and_tolerates_lateness(app: Flask) -> None:
    scheduler = runner.build_scheduler(app)
    jobs = scheduler.get_jobs()
    assert jobs
    for job in jobs:
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time > 1


def test_only_catch_up_jobs_run_as_soon_as_the_process_starts(app: Flask) -> None:
    scheduler = runner.build_scheduler(app)
    catch_up = {spec.id for spec in runner.specs(app) if spec.catch_up}
    assert "checkins.generate" in catch_up
    # Before the scheduler starts, only jobs given a first run time have one; the others get
    # theirs from their trigger (the next tick) at start.
    starting_now = {
        job.id for job in scheduler.get_jobs() if getattr(job, "next_run_time", None) is not None
    }
    assert starting_now == catch_up


def test_run_once_records_a_heartbeat_that_healthz_reports(app: Flask) -> None:
    result = app.test_cli_runner().invoke(jobs_group, ["run-once", "operations.heartbeat"])
    assert result.exit_code == 0, result.output
    assert app.test_client().get("/healthz").json["scheduler"]["status"] == "ok"


def test_running_the_heartbeat_twice_keeps_one_row(app: Flask) -> None:
    runner.run_once(app, "operations.heartbeat")
    runner.run_once(app, "operations.heartbeat")
    with app.app_context():
        assert len(db_session().exec(select(SchedulerHeartbeat)).all()) == 1


def test_run_once_with_an_unknown_job_lists_the_known_ones(app: Flask) -> None:
    result = app.test_cli_runner().invoke(jobs_group, ["run-once", "nope"])
    assert result.exit_code != 0
    assert "operations.heartbeat" in result.output


def test_jobs_list_shows_every_job(app: Flask) -> None:
    result = app.test_cli_runner().invoke(jobs_group, ["list"])
    assert "operations.heartbeat" in result.output


def test_the_jobs_process_beats_and_stops_on_sigterm(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "ADVOCACY_ENV": "test",
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_SECRET_KEY": TEST_SECRET,
        "ADVOCACY_INSTANCE_PATH": str(tmp_path),
        "ADVOCACY_SCHEDULER_HEARTBEAT_SECONDS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "advocacy", "jobs", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        beats: list[float] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(set(beats)) < 2:
            with app.app_context():
                row = db_session().exec(select(SchedulerHeartbeat)).first()
                if row is not None:
                    beats.append(row.beat_at.timestamp())
                db_session().close()
            time.sleep(0.3)
        assert len(set(beats)) >= 2, "the jobs process did not beat twice"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "jobs process stopping" in output
    # A daily catch-up job ran at start, not only at its hour: a new install sees its check-ins.
    assert "job checkins.generate finished" in output


def test_the_journey_job_proposes_former_for_silent_accounts_once(app_factory) -> None:
    from datetime import timedelta

    from advocacy.clock import utcnow
    from advocacy.domain.journey import Stage
    from advocacy.models import JourneySignal
    from advocacy.services.journey.accounts import record_move
    from tests.factories import make_account, make_user

    app = app_factory(journey_former_after_days=30)
    with app.app_context():
        session = db_session()
        owner = make_user(session)
        account = make_account(session, owner=owner)
        long_ago = utcnow() - timedelta(days=60)
        record_move(session, account, Stage.ACTIVE, reason="won", by=owner, now=long_ago)
        record_move(session, account, Stage.BETWEEN, reason="done", by=owner, now=long_ago)
        session.commit()
    runner.run_once(app, "journey.flag_silent")
    runner.run_once(app, "journey.flag_silent")
    with app.app_context():
        signals = db_session().exec(select(JourneySignal)).all()
    assert [(s.kind, s.account_id) for s in signals] == [("propose_former", account.id)]
