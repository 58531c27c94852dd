"""Backups: a live SQLite database copied to a file and restored, every table read back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from advocacy import migrate
from advocacy.app import create_app
from advocacy.db import build_engine
from advocacy.demo import loader
from advocacy.domain.errors import RuleError
from advocacy.repository.tables import row_counts
from advocacy.services.operations import backups
from tests.conftest import NOW, settings_overrides


def _sqlite(path: Path, revision: str = "head") -> tuple[str, Engine]:
    url = f"sqlite:///{path}"
    migrate.upgrade(url, revision)
    return url, build_engine(url)


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    """The small demo firm in a SQLite file, and a backup of it taken while its engine is open."""
    folder = tmp_path_factory.mktemp("backup")
    url, live = _sqlite(folder / "live.db")
    app = create_app(settings_overrides(url, folder / "instance"))
    with app.app_context(), Session(live) as session:
        loader.load_demo(session, size="small", now=NOW)
    app.extensions["advocacy.engine"].dispose()
    backups.back_up(live, folder / "firm.backup")
    yield live, folder / "firm.backup"
    live.dispose()


def _contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def test_a_restored_backup_holds_every_row_of_every_table(
    demo_backup: tuple[Engine, Path], tmp_path: Path
) -> None:
    live, backup = demo_backup
    url, empty = _sqlite(tmp_path / "restored.db")
    seen: list[tuple[int, int]] = []

    report = backups.restore(
        empty, url, backup, progress=lambda done, total: seen.append((done, total))
    )

    assert report.rows == row_counts(live)
    assert sum(report.rows.values()) > 1_000  # the demo firm, not an empty schema
    assert _contents(empty) == _contents(live)
    assert seen and seen[-1][0] == seen[-1][1]  # the progress reached the end
    assert migrate.current_revision(empty) == migrate.head_revisions(url)[0]
    empty.dispose()


def test_a_backup_is_one_self_contained_file(demo_backup: tuple[Engine, Path]) -> None:
    _live, backup = demo_backup
    assert not Path(f"{backup}-wal").exists()
    assert not backup.with_name(backup.name + ".partial").exists()
    with sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM accounts").fetchone()[0] > 0


def test_a_backup_never_overwrites_a_file(demo_backup: tuple[Engine, Path]) -> None:
    live, backup = demo_backup
    before = backup.read_bytes()
    with pytest.raises(RuleError, match="already exists"):
        backups.back_up(live, backup)
    assert backup.read_bytes() == before


def test_restore_refuses_a_database_that_holds_data(
    demo_backup: tuple[Engine, Path], tmp_path: Path
) -> None:
    live, backup = demo_backup
    url = str(live.url)
    before = row_counts(live)
    with pytest.raises(RuleError, match="not empty"):
        backups.restore(live, url, backup)
    assert row_counts(live) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"name,email\nAda,ada@example.com\n", "not a sound SQLite database"),
        (None, "not an advocacy backup"),
    ],
)
def test_restore_refuses_what_is_not_a_backup(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    source = tmp_path / "source.db"
    if content is None:  # a SQLite database, but not one of ours
        with sqlite3.connect(source) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
    else:
        source.write_bytes(content)
    url, empty = _sqlite(tmp_path / "target.db")
    with pytest.raises(RuleError, match=reason):
        backups.restore(empty, url, source)
    assert sum(row_counts(empty).values()) == 0
    empty.dispose()


def test_restore_refuses_a_missing_file(tmp_path: Path) -> None:
    url, empty = _sqlite(tmp_path / "target.db")
    with pytest.raises(RuleError, match="There is no file"):
        backups.restore(empty, url, tmp_path / "nowhere.backup")
    empty.dispose()


def test_a_backup_from_an_older_version_is_upgraded_on_restore(tmp_path: Path) -> None:
    _old_url, old = _sqlite(tmp_path / "old.db", "0012_scoring")
    backups.back_up(old, tmp_path / "old.backup")
    old.dispose()
    url, empty = _sqlite(tmp_path / "target.db")

    report = backups.restore(empty, url, tmp_path / "old.backup")

    assert report.revision == "0012_scoring"
    assert migrate.current_revision(empty) == migrate.head_revisions(url)[0]
    assert (
        "nurture_segments" in report.rows
    )  # a table of a later migration exists after the upgrade
    empty.dispose()


def test_on_postgresql_the_commands_point_to_pg_dump(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL answer is checked when the suite runs on PostgreSQL")
    with pytest.raises(RuleError, match="pg_dump"):
        backups.back_up(engine, tmp_path / "firm.backup")
    with pytest.raises(RuleError, match="pg_restore"):
        backups.restore(engine, str(engine.url), tmp_path / "firm.backup")
    assert not (tmp_path / "firm.backup").exists()


def test_the_commands_back_up_and_restore_with_a_summary(
    app_factory: Any, demo_backup: tuple[Engine, Path], tmp_path: Path
) -> None:
    live, _backup = demo_backup
    source: Flask = app_factory(database_url=str(live.url))
    made = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "cli.backup")])
    assert made.exit_code == 0, made.output
    assert "backup:" in made.output and "rows" in made.output

    url, empty = _sqlite(tmp_path / "cli-target.db")
    empty.dispose()
    target: Flask = app_factory(database_url=url)
    loaded = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "cli.backup")])
    assert loaded.exit_code == 0, loaded.output
    again = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "cli.backup")])
    assert again.exit_code == 1
    assert "not empty" in again.output
