"""Back up a live SQLite database to a file, and restore one into an empty database.

PostgreSQL has its own tools (`pg_dump`, `pg_restore`), better than anything a product could
rebuild; the commands say so instead of pretending (docs/guide.md, "Backups and upgrades").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from advocacy import migrate
from advocacy.adapters import sqlite_backup
from advocacy.domain.errors import RuleError
from advocacy.repository.tables import row_counts

Progress = Callable[[int, int], None]

POSTGRES_BACKUP = (
    "advocacy backup copies SQLite databases. On PostgreSQL use its own tool: "
    "pg_dump --format=custom --file=FILE DATABASE (docs/guide.md, Backups and upgrades)."
)
POSTGRES_RESTORE = (
    "advocacy restore reads SQLite backups. On PostgreSQL use pg_restore --dbname=DATABASE FILE "
    "into an empty database (docs/guide.md, Backups and upgrades)."
)


@dataclass(frozen=True)
class BackupReport:
    """A backup file and what is in it: its migration revision and rows per table."""

    path: Path
    size_bytes: int
    revision: str | None
    rows: dict[str, int]


def back_up(engine: Engine, target: Path, *, progress: Progress | None = None) -> BackupReport:
    """Copy the live SQLite database into a new file `target`, consistent at one moment."""
    if engine.dialect.name != "sqlite":
        raise RuleError(POSTGRES_BACKUP)
    if target.exists():
        raise RuleError("%(path)s already exists: a backup never overwrites a file.", path=target)
    if not target.parent.is_dir():
        raise RuleError("There is no folder %(folder)s.", folder=target.parent)
    # Written under another name and renamed at the end: a crash midway never leaves a file
    # that looks like a complete backup.
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    live = engine.raw_connection()
    try:
        copy = sqlite_backup.open_file(partial, read_only=False)
        try:
            sqlite_backup.copy_database(_sqlite(live.driver_connection), copy, progress)
            # The copy carries the live database's WAL flag; a backup is one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
            revision = sqlite_backup.stored_revision(copy)
        finally:
            copy.close()
    finally:
        live.close()
    os.replace(partial, target)
    return _report(target, revision)


def restore(
    engine: Engine, url: str, source: Path, *, progress: Progress | None = None
) -> BackupReport:
    """Load a backup file into this empty SQLite database, then migrate it to this version."""
    if engine.dialect.name != "sqlite":
        raise RuleError(POSTGRES_RESTORE)
    revision = _check_backup(url, source)
    occupied = [name for name, count in row_counts(engine).items() if count]
    if occupied:
        raise RuleError(
            "The database is not empty (rows in %(tables)s): restore only into an empty "
            "database, so that nothing is overwritten.",
            tables=", ".join(occupied[:5]) + (", ..." if len(occupied) > 5 else ""),
        )
    backup = sqlite_backup.open_file(source, read_only=True)
    live = engine.raw_connection()
    try:
        sqlite_backup.copy_database(backup, _sqlite(live.driver_connection), progress)
    finally:
        live.close()
        backup.close()
    engine.dispose()  # pooled connections still hold the old schema in their caches
    migrate.upgrade(url)  # a backup from an older version is brought up to this one
    report = _report(source, revision)
    return BackupReport(source, report.size_bytes, revision, row_counts(engine))


def _check_backup(url: str, source: Path) -> str:
    if not source.is_file():
        raise RuleError("There is no file %(path)s.", path=source)
    backup = sqlite_backup.open_file(source, read_only=True)
    try:
        problems = sqlite_backup.integrity_problems(backup)
        revision = None if problems else sqlite_backup.stored_revision(backup)
    finally:
        backup.close()
    if problems:
        raise RuleError(
            "%(path)s is not a sound SQLite database: %(problem)s", path=source, problem=problems[0]
        )
    if revision is None:
        raise RuleError("%(path)s is not an advocacy backup (no migration revision).", path=source)
    if not migrate.knows_revision(url, revision):
        raise RuleError(
            "%(path)s was made by another version of advocacy (revision %(revision)s, unknown "
            "here): restore it with that version or a newer one.",
            path=source,
            revision=revision,
        )
    return revision


def _report(path: Path, revision: str | None) -> BackupReport:
    reader = create_engine(
        "sqlite://", creator=lambda: sqlite_backup.open_file(path, read_only=True)
    )
    try:
        rows = row_counts(reader)
    finally:
        reader.dispose()
    return BackupReport(path, path.stat().st_size, revision, rows)


def _sqlite(connection: object) -> sqlite_backup.sqlite3.Connection:
    if not isinstance(connection, sqlite_backup.sqlite3.Connection):
        raise TypeError("the SQLite engine's driver connection is not sqlite3")
    return connection
