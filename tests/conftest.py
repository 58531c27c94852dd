"""Shared fixtures: a real database (SQLite by default, PostgreSQL when asked), the app, a live server.

ADVOCACY_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test runs the whole suite on
PostgreSQL: each run creates its own database next to the one named and drops it at the end, so runs
never see each other's rows.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel
from werkzeug.serving import BaseWSGIServer, make_server

from advocacy import migrate
from advocacy.app import create_app
from advocacy.db import build_engine

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-0123456789"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def need(condition: bool, reason: str) -> None:
    """Skip with `reason` when a component is missing, except under CI=true where it fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and a required component is missing: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_postgres_database(admin_url: str) -> str:
    """Create an empty database beside the one in `admin_url`; return its URL."""
    name = f"advocacy_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def postgres_admin_url() -> str:
    """The PostgreSQL server to create test databases on; skip (fail in CI) when none runs."""
    url = os.environ.get("ADVOCACY_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = DEFAULT_PG
    parsed = make_url(url)
    need(
        port_open(parsed.host or "127.0.0.1", parsed.port or 5432),
        f"no PostgreSQL server at {parsed.host}:{parsed.port}",
    )
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database of this test run, migrated to the newest revision."""
    wanted = os.environ.get("ADVOCACY_TEST_DATABASE_URL", "")
    if wanted.startswith("postgresql"):
        admin_url = postgres_admin_url()
        url = create_postgres_database(admin_url)
        migrate.upgrade(url)
        yield url
        drop_postgres_database(admin_url, url)
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'advocacy.db'}"
    migrate.upgrade(url)
    yield url


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # the audit log's trigger lets only this through
            connection.execute(
                text("SELECT set_config('advocacy.audit_purge_before', 'infinity', true)")
            )
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


def settings_overrides(url: str, instance: Path, **extra: Any) -> dict[str, Any]:
    return {
        "env": "test",
        "database_url": url,
        "instance_path": str(instance),
        "secret_key": TEST_SECRET,
        "ratelimit_storage_uri": "memory://",
        "log_level": "WARNING",
        **extra,
    }


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Build apps on the test database with extra settings; tables are emptied after the test."""
    built: list[Flask] = []

    def build(**extra: Any) -> Flask:
        app = create_app(settings_overrides(database_url, tmp_path / "instance", **extra))
        built.append(app)
        return app

    yield build
    for app in built:
        engine: Engine = app.extensions["advocacy.engine"]
        empty_all_tables(engine)
        engine.dispose()


@pytest.fixture
def app(app_factory: Any) -> Flask:
    return app_factory()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A real session on the test database, for service tests."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def now() -> datetime:
    return NOW


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent through `engine` inside the block (a set-based read or run sends
    the same handful whatever the data size; one per row shows as a count that grows)."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


class LiveServer:
    """The app served over HTTP on 127.0.0.1 in a thread, for the browser and OIDC tests."""

    def __init__(self, app: Flask, port: int) -> None:
        self.app = app
        self.url = f"http://127.0.0.1:{port}"
        self._server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        # A short poll interval: shutdown() waits up to one interval, at every test's teardown.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server_factory(app_factory: Any) -> Iterator[Any]:
    """Start the app on a free port with extra settings; base_url points at it."""
    servers: list[LiveServer] = []

    def start(**extra: Any) -> LiveServer:
        port = extra.pop("port", None) or free_port()
        app = app_factory(base_url=f"http://127.0.0.1:{port}", **extra)
        server = LiveServer(app, port).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live_server(live_server_factory: Any) -> LiveServer:
    return live_server_factory()
