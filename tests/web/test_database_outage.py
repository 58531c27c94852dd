"""The database goes away and comes back: clear 503s meanwhile, recovery without a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from advocacy import migrate
from advocacy.db import db_session
from tests.conftest import TEST_SECRET, need
from tests.factories import bearer, make_staff, make_token, signed_in_client
from tests.private_postgres import PrivatePostgres, server_binaries


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    if not os.environ.get("ADVOCACY_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("the outage test runs with the PostgreSQL suite")
    binaries = server_binaries()
    need(binaries is not None, "PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    assert binaries is not None
    server = PrivatePostgres(binaries)
    server.start()
    migrate.upgrade(server.url)
    yield server
    server.remove()


def _last_beat(url: str) -> Any:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT max(beat_at) FROM scheduler_heartbeats")
            ).scalar()
    finally:
        engine.dispose()


def _wait_for_beat_after(url: str, moment: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        beat = _last_beat(url)
        if beat is not None and (moment is None or beat > moment):
            return beat
        time.sleep(0.3)
    raise AssertionError(f"no heartbeat after {moment} within {timeout} s")


def test_pages_api_health_and_jobs_ride_out_a_database_outage(
    postgres: PrivatePostgres, app_factory: Any, tmp_path: Path
) -> None:
    app = app_factory(database_url=postgres.url)
    admin = make_staff(app, role="admin")
    browser = signed_in_client(app, admin)
    with app.app_context():
        token = make_token(db_session(), admin)
    api = app.test_client()
    jobs = subprocess.Popen(
        [sys.executable, "-m", "advocacy", "jobs", "run"],
        env={
            **os.environ,
            "ADVOCACY_ENV": "test",
            "ADVOCACY_DATABASE_URL": postgres.url,
            "ADVOCACY_SECRET_KEY": TEST_SECRET,
            "ADVOCACY_INSTANCE_PATH": str(tmp_path / "jobs"),
            "ADVOCACY_SCHEDULER_HEARTBEAT_SECONDS": "1",
            "ADVOCACY_SCHEDULER_LEASE_SECONDS": "3",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        before = _wait_for_beat_after(postgres.url, None, timeout=30)
        assert browser.get("/accounts").status_code == 200
        assert api.get("/api/v1/accounts", headers=bearer(token)).status_code == 200
        assert app.test_client().get("/healthz").status_code == 200

        postgres.stop()

        page = browser.get("/accounts")
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "30"
        assert "The database cannot be reached" in page.get_data(as_text=True)
        answer = api.get("/api/v1/accounts", headers=bearer(token))
        assert answer.status_code == 503
        assert answer.mimetype == "application/problem+json"
        assert "database cannot be reached" in answer.get_json()["detail"]
        health = app.test_client().get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["database"] != "ok"
        time.sleep(3)  # the jobs process keeps trying through several beats
        assert jobs.poll() is None, "the jobs process gave up during the outage"

        postgres.start()

        # Same app, same jobs process: no restart.
        assert browser.get("/accounts").status_code == 200
        assert api.get("/api/v1/accounts", headers=bearer(token)).status_code == 200
        assert app.test_client().get("/healthz").status_code == 200
        _wait_for_beat_after(postgres.url, before, timeout=30)
        assert jobs.poll() is None
    finally:
        jobs.send_signal(signal.SIGTERM)
        output, _ = jobs.communicate(timeout=30)
    assert "database unreachable" in output or "cannot read the leader lease" in output, output
