"""Benchmark: `advocacy demo --size large` into a fresh SQLite file, time per phase and rows/s.

    .venv/bin/python benchmarks/demo_large.py [--size large] [--seed N] [--keep PATH]

Not a test: it prints a Markdown table for docs/benchmarks.md. Next to it, a reference measured in
the same run on the same disk (plain sqlite3 executemany into a trivial table), so the numbers
can be compared across machines as a ratio. Target: the large demo in 180 s or less.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from advocacy import migrate
from advocacy.app import create_app
from advocacy.db import build_engine
from advocacy.demo import loader
from advocacy.demo.firm import DEFAULT_SEED

REFERENCE_ROWS = 1_000_000


def reference_rate(folder: Path) -> float:
    """Rows/s of plain sqlite3 executemany into a trivial table, in one transaction."""
    path = folder / "reference.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE trivial (id INTEGER PRIMARY KEY, n INTEGER, label TEXT)")
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO trivial VALUES (?, ?, ?)", ((i, i, "x") for i in range(REFERENCE_ROWS))
        )
    seconds = time.perf_counter() - started
    connection.close()
    return REFERENCE_ROWS / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=loader.SIZES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = args.keep or folder / "demo.db"
        if path.exists():
            sys.exit(f"{path} exists: the benchmark needs a fresh database")
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        engine = build_engine(url)
        reference = reference_rate(folder)

        def progress(done: int, total: int) -> None:
            print(f"\r  accounts {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

        # The demo's client voice renders e-mails through the real templates: an app is needed.
        app = create_app(
            {
                "env": "test",
                "database_url": url,
                "instance_path": str(folder / "instance"),
                "secret_key": "benchmark-secret-key-long-enough-0123456789abcdef",
                "log_level": "WARNING",
            }
        )
        started = time.perf_counter()
        with app.app_context(), Session(engine, expire_on_commit=False) as session:
            report = loader.load_demo(
                session, size=args.size, now=datetime.now(UTC), seed=args.seed, progress=progress
            )
        total = time.perf_counter() - started
        print(file=sys.stderr)
        engine.dispose()
        app.extensions["advocacy.engine"].dispose()
        size_mb = path.stat().st_size / 1e6

    rows = sum(count for kind, count in report.created.items() if kind not in {"staff"})
    print(
        f"demo --size {args.size} --seed {args.seed}: {total:.1f} s, {rows:,} rows, {size_mb:.0f} MB"
    )
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")  # fmt: skip
    print()
    print("| phase | seconds | rows | rows/s |")
    print("| --- | ---: | ---: | ---: |")
    for phase, seconds in report.seconds.items():
        table = phase.removeprefix("write ").replace("_", " ")
        count = report.created.get(table, 0) if phase.startswith("write ") else 0
        rate = f"{count / seconds:,.0f}" if count and seconds else ""
        print(
            f"| {phase} | {seconds:.2f} | {count:,} | {rate} |"
            if count
            else f"| {phase} | {seconds:.2f} | | |"
        )
    print(f"| **total** | **{total:.1f}** | **{rows:,}** | **{rows / total:,.0f}** |")
    print()
    touch = report.created.get("touchpoints", 0) / report.seconds.get("write touchpoints", 1)
    print(f"reference, sqlite3 executemany into a trivial table: {reference:,.0f} rows/s")
    print(f"ratio: demo overall {rows / total / reference:.3f}, touchpoint writes "
          f"{touch / reference:.3f} of the reference rate")  # fmt: skip
    return 0 if total <= 180 or args.size != "large" else 1


if __name__ == "__main__":
    sys.exit(main())
