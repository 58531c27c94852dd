"""SQLite's online backup API: a consistent copy of a live database, page by page.

The copy is taken while the web and jobs processes keep writing (SQLite restarts the step that a
write interrupted), so a backup needs no downtime. Used in both directions: live → file to back
up, file → an empty live database to restore.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

# Pages copied per step: small enough that writers wait only briefly between steps, large
# enough that a multi-gigabyte database does not take a million steps.
PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None]


def copy_database(
    source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress | None = None
) -> None:
    """Copy every page of `source` into `target`, reporting (pages copied, pages in all)."""

    def report(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    source.backup(target, pages=PAGES_PER_STEP, progress=report)


def open_file(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A plain connection to a database file; read-only opens never create the file."""
    if read_only:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    return sqlite3.connect(path)


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """What `PRAGMA quick_check` finds wrong (empty when the file is a sound database)."""
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:  # not a database at all, or encrypted
        return [str(error)]
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def stored_revision(connection: sqlite3.Connection) -> str | None:
    """The migration revision a database file is at, or None when it has none."""
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else str(row[0])
