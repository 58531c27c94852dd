"""Benchmark (not a test): each analytics question's `answer()` on the large demo firm.

    .venv/bin/python benchmarks/analytics_questions.py --reuse PATH [--runs 5] [--question SLUG]

PATH is a SQLite file made by `benchmarks/demo_large.py --keep PATH` (10,000 accounts, 100,000
contacts, 2,000,000 touchpoints). Each question is answered with the default filters (nothing
narrowed, the default period) inside a request context, as the page would; the first run warms the
SQLite page cache and is not counted. Reported: median and max wall time, and CPU time, next to a
reference measured in the same run (`SELECT count(*) FROM touchpoints`, a full scan of the largest
table). Target: ≤ 500 ms for a page.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlmodel import Session

from advocacy.app import create_app
from advocacy.db import build_engine
from advocacy.domain.analytics.figures import AnalyticsFilters

QUESTIONS = ("client_voice", "typecasting", "advocacy_pipeline", "check_in_discipline", "nurture")


def _timed(action: object, runs: int) -> tuple[float, float, float]:
    """Median wall ms, max wall ms, median CPU ms over `runs` runs after one warm-up."""
    assert callable(action)
    action()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", required=True, help="the large demo firm's SQLite file")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", choices=QUESTIONS, action="append")
    args = parser.parse_args()
    url = f"sqlite:///{Path(args.reuse).resolve()}"
    folder = Path(tempfile.mkdtemp(prefix="analytics-bench-"))
    app = create_app(
        {
            "env": "test",
            "database_url": url,
            "instance_path": str(folder / "instance"),
            "secret_key": "benchmark-secret-key-long-enough-0123456789abcdef",
            "log_level": "WARNING",
        }
    )
    engine = build_engine(url)
    now = datetime.now(UTC)
    print("| question | median ms | max ms | CPU ms |")
    print("|---|---|---|---|")
    with app.test_request_context("/analytics"), Session(engine) as session:
        reference = _timed(
            lambda: session.execute(text("SELECT count(*) FROM touchpoints")).scalar(), args.runs
        )
        print(
            f"| reference: count(*) of touchpoints | {reference[0]:.0f} | {reference[1]:.0f} "
            f"| {reference[2]:.0f} |"
        )
        for slug in args.question or QUESTIONS:
            module = importlib.import_module(f"advocacy.services.analytics.{slug}")
            found = _timed(
                lambda m=module: m.answer(session, AnalyticsFilters(), now=now), args.runs
            )
            print(f"| `{slug}` | {found[0]:.0f} | {found[1]:.0f} | {found[2]:.0f} |")


if __name__ == "__main__":
    main()
