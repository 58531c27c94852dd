"""The database adapter: SQLite pragmas, UTC timestamps on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from advocacy.db import build_engine
from advocacy.models import User


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    finally:
        engine.dispose()


def test_timestamps_come_back_as_the_same_instant_in_utc(session: Session) -> None:
    paris_morning = datetime(2026, 3, 29, 9, 15, tzinfo=timezone(timedelta(hours=2)))
    user = User(email="tz@firm.example", role="marketing", created_at=paris_morning)
    session.add(user)
    session.commit()
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert stored.created_at == paris_morning
    assert stored.created_at.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_refused_rather_than_guessed(session: Session) -> None:
    session.add(User(email="naive@firm.example", role="marketing", created_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()
    session.rollback()
