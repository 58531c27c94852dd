"""Benchmark: the advocacy score's full recompute over the large demo firm, next to a bare SQL
aggregation over the same rows, and the incremental recompute of one contact.

    .venv/bin/python benchmarks/score_recompute.py [--size large] [--reuse PATH]
        [--database-url URL [--load]]

Not a test: it prints the lines for docs/benchmarks.md. Without --reuse or --database-url it
loads the demo firm into a fresh SQLite file first (`benchmarks/demo_large.py --keep PATH` makes
one to reuse). `--database-url` names a database with the demo already loaded, or an empty one
with `--load` (PostgreSQL: create the database first, e.g. `createdb advocacy_large`). The
measurements run in a child process, so its peak memory (ru_maxrss) is the
recompute's own, not the demo load's. Targets (issue 15): full recompute ≤ 15 s on SQLite and
≤ 500 MB, within 3× of the bare aggregation; one contact ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy
from sqlalchemy import text
from sqlmodel import Session

from advocacy import migrate
from advocacy.app import create_app
from advocacy.db import build_engine
from advocacy.demo import loader
from advocacy.services.scoring import recompute

SINGLE_RUNS = 50
# The same evidence the score reads, one grouped query per table, all rows, no chunks, no rules:
# the floor for reading it.
BARE_AGGREGATION = (
    "SELECT contact_id, count(*), max(occurred_at) FROM touchpoints "
    "WHERE contact_id IS NOT NULL GROUP BY contact_id",
    "SELECT contact_id, count(*), max(answered_at) FROM surveys "
    "WHERE score IS NOT NULL GROUP BY contact_id",
    "SELECT ec.contact_id, count(*), min(e.start_date), sum(e.value) FROM engagement_contacts ec "
    "JOIN engagements e ON e.id = ec.engagement_id GROUP BY ec.contact_id",
    "SELECT contact_id, count(*) FROM contact_roles GROUP BY contact_id",
    "SELECT id, seniority, influence, status, account_id FROM contacts",
)


def _app(url: str, folder: Path) -> object:
    return create_app(
        {
            "env": "test",
            "database_url": url,
            "instance_path": str(folder / "instance"),
            "secret_key": "benchmark-secret-key-long-enough-0123456789abcdef",
            "log_level": "WARNING",
        }
    )


def build(url: str, size: str, folder: Path) -> None:
    """Load the demo firm (its client voice renders e-mails: an app context is needed)."""
    migrate.upgrade(url)
    engine = build_engine(url)
    app = _app(url, folder)
    with app.app_context(), Session(engine, expire_on_commit=False) as session:  # type: ignore[attr-defined]
        loader.load_demo(session, size=size, now=datetime.now(UTC))
    engine.dispose()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str) -> int:
    """The child process: bare aggregation, full recompute, single-contact recomputes."""
    engine = build_engine(url)
    now = datetime.now(UTC)
    rules = recompute.ScoringRules()
    with engine.connect() as connection:
        rows = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            for table in ("contacts", "touchpoints", "surveys", "engagement_contacts")
        }
        started, cpu = time.perf_counter(), time.process_time()
        for statement in BARE_AGGREGATION:
            connection.execute(text(statement)).fetchall()
        bare = time.perf_counter() - started
        bare_cpu = time.process_time() - cpu
    before = _peak_mb()
    with Session(engine, expire_on_commit=False) as session:
        started, cpu = time.perf_counter(), time.process_time()
        scored = recompute.recompute_all(session, now=now, rules=rules)
        full = time.perf_counter() - started
        full_cpu = time.process_time() - cpu
    peak = _peak_mb()
    with Session(engine, expire_on_commit=False) as session:
        ids = (
            session.execute(sqlalchemy.text("SELECT id FROM contacts ORDER BY id")).scalars().all()
        )
        step = max(1, len(ids) // SINGLE_RUNS)
        times = []
        for contact_id in ids[::step][:SINGLE_RUNS]:
            started = time.perf_counter()
            recompute.recompute_contacts(session, [contact_id], now=now, rules=rules)
            times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    print("rows: " + ", ".join(f"{table} {count:,}" for table, count in rows.items()))
    server = engine.dialect.server_version_info or ()
    print(f"database: {engine.dialect.name} {'.'.join(map(str, server))}, "
          f"machine: {platform.platform()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print()
    print("| measure | result | target |")
    print("| --- | ---: | ---: |")
    print(f"| full recompute, {scored:,} contacts scored | {full:.1f} s | ≤ 15 s |")
    print(f"| bare SQL aggregation over the same rows | {bare:.1f} s | |")
    print(f"| ratio full / bare | {full / bare:.1f}× | ≤ 3× |")
    # On a shared machine the wall clock follows the load; the CPU time of this process does not
    # (on SQLite it includes the database's own work, on PostgreSQL only the client's).
    print(f"| CPU time of this process: full / bare | {full_cpu:.1f} s / {bare_cpu:.1f} s "
          f"= {full_cpu / max(bare_cpu, 0.001):.1f}× | |")  # fmt: skip
    print(f"| peak memory of the process (before the recompute: {before:.0f} MB) | {peak:.0f} MB "
          f"| ≤ 500 MB |")  # fmt: skip
    print(f"| one contact, median of {len(times)} | {statistics.median(times):.1f} ms | ≤ 50 ms |")
    print(f"| one contact, slowest | {max(times):.1f} ms | |")
    ok = full <= 15 and peak <= 500 and full <= 3 * bare and statistics.median(times) <= 50
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=loader.SIZES)
    parser.add_argument("--reuse", type=Path, help="an SQLite file with the demo already loaded")
    parser.add_argument("--database-url", help="a database with the demo already loaded")
    parser.add_argument("--load", action="store_true", help="load the demo into --database-url")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url = args.database_url or (f"sqlite:///{args.reuse}" if args.reuse else "")
        if not url or args.load:
            url = url or f"sqlite:///{folder / 'demo.db'}"
            started = time.perf_counter()
            build(url, args.size, folder)
            print(f"demo --size {args.size} loaded in {time.perf_counter() - started:.0f} s")
        child = [sys.executable, __file__, "--measure", url]
        return subprocess.run(child, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
