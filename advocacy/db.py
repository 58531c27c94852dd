"""Engine and per-request session. Built in create_app, never at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def build_engine(url: str, **options: Any) -> Engine:
    """Engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **options
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web server read while the jobs process writes; foreign keys are off by default
    # in SQLite and must be turned on for every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's lower() and LIKE know ASCII letters only; searches for "Zürich" or "société" call
    # Python's lower() instead (PostgreSQL's ILIKE knows every letter already).
    dbapi_connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)


SQLITE_LOWER = "advocacy_lower"


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def init_app(app: Flask, engine: Engine) -> None:
    """Bind the engine to the app and close the request's session when the request ends."""
    app.extensions["advocacy.engine"] = engine
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["advocacy.engine"]


def db_session() -> Session:
    """The session of the current request (or app context), opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def savepoint(session: Session) -> Iterator[SessionTransaction]:
    """`session.begin_nested()`, nested inside the caller's transaction on SQLite too.

    pysqlite begins a transaction only at the first INSERT, UPDATE or DELETE: a SAVEPOINT issued
    before then is the outermost one, and releasing it commits, taking the commit away from the
    service that owns the transaction. So the transaction begins first; IMMEDIATE because a write
    follows, and a transaction that only read could not take the write lock once another
    connection has written.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
    with session.begin_nested() as nested:
        yield nested
