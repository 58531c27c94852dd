"""Benchmark: every analytics page on a demo firm (SQLite), p50/p95, next to /healthz.

    .venv/bin/python benchmarks/analytics_pages.py --db /tmp/large.db [--runs 7]
    .venv/bin/python benchmarks/analytics_pages.py --database-url postgresql+psycopg://...

The database is a kept demo firm (`benchmarks/demo_large.py --keep PATH`); it is migrated to the
latest revision first. Each page is asked for through the Flask test client, signed in as the
firm's first administrator: the unfiltered pages once without stored answers (computed live) and
once after `advocacy analytics refresh` (stored), and each question with each kind of filter
(owner, industry, service line, cohort, period: always computed live). Target: every page ≤ 500 ms
at p95 on the large firm, as it is served (stored when unfiltered, live when filtered). Prints a
Markdown table, then the summary lines `dev.py bench` reads.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from advocacy import migrate
from advocacy.app import create_app
from advocacy.db import db_session
from advocacy.models import Account, EngagementServiceLine, StoredAnswer, User
from advocacy.services.analytics import stored
from advocacy.services.analytics.questions import QUESTIONS


def _app(url: str, folder: Path) -> Flask:
    return create_app(
        {
            "env": "test",
            "database_url": url,
            "instance_path": str(folder / "instance"),
            "secret_key": "benchmark-secret-key-long-enough-0123456789abcdef",
            "log_level": "WARNING",
        }
    )


def _signed_in(app: Flask) -> FlaskClient:
    with app.app_context():
        # An account manager reads every question, as an administrator does.
        query = select(User).where(User.role.in_(("admin", "account_manager"))).order_by(User.id)
        admin = db_session().scalars(query).first()
        assert admin is not None, "the demo firm has no account manager"
        ids = (admin.id, admin.session_epoch)
    client = app.test_client()
    stamp = datetime.now(UTC).timestamp()
    with client.session_transaction() as session:
        session.update(user_id=ids[0], epoch=ids[1], signed_in_at=stamp, last_seen_at=stamp)
    return client


def _times(client: FlaskClient, path: str, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def _filter_views(session: Any) -> dict[str, str]:
    """One query string per kind of filter, with values the firm has (the busiest of each)."""
    owner = session.scalar(
        select(Account.owner_id)
        .where(Account.owner_id.is_not(None))
        .group_by(Account.owner_id)
        .order_by(func.count().desc())
    )
    industry = session.scalar(
        select(Account.industry).group_by(Account.industry).order_by(func.count().desc())
    )
    line = session.scalar(
        select(EngagementServiceLine.service_line_id)
        .group_by(EngagementServiceLine.service_line_id)
        .order_by(func.count().desc())
    )
    year = datetime.now(UTC).year - 1
    return {
        "owner": f"owner={owner}",
        "industry": f"industry={quote(industry or '')}",
        "service line": f"service_line={line}",
        "cohort": f"cohort={year - 2}",
        "period": f"from={year}-01-01&to={year}-12-31",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a kept demo firm (SQLite file)")
    parser.add_argument("--database-url", default="", help="or a database URL (PostgreSQL)")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    if not options.db and not options.database_url:
        parser.error("give --db PATH or --database-url URL")
    url = options.database_url or f"sqlite:///{options.db}"
    migrate.upgrade(url)
    with tempfile.TemporaryDirectory() as folder:
        app = _app(url, Path(folder))
        with app.app_context():
            session = db_session()
            accounts = session.scalar(select(func.count()).select_from(Account))
            views = _filter_views(session)
            session.execute(delete(StoredAnswer))
            session.commit()
        client = _signed_in(app)
        rows: list[tuple[str, str, float, float]] = []
        rows.append(("/healthz", "reference", *_times(client, "/healthz", options.runs)))
        pages = ["/analytics"] + [f"/analytics/{q.slug}" for q in QUESTIONS]
        for path in pages:
            rows.append((path, "computed live", *_times(client, path, options.runs)))
        with app.test_request_context():
            started = time.perf_counter()
            stored.refresh(db_session(), now=datetime.now(UTC))
            refresh_s = time.perf_counter() - started
        for path in pages:
            rows.append((path, "stored answer", *_times(client, path, options.runs)))
        for q in QUESTIONS:
            for kind, query in views.items():
                path = f"/analytics/{q.slug}?{query}"
                rows.append(
                    (path, f"filtered by {kind}, live", *_times(client, path, options.runs))
                )
    print(f"accounts: {accounts:,}, runs per page: {options.runs}, machine: {platform.platform()}")
    print(f"refresh of every stored answer (all languages): {refresh_s:.1f} s")
    print()
    print("| page | served | p50 | p95 | target |")
    print("| --- | --- | ---: | ---: | ---: |")
    for path, how, p50, p95 in rows:
        target = "" if how == "reference" else "≤ 500 ms"
        print(f"| `{path}` | {how} | {p50:.0f} ms | {p95:.0f} ms | {target} |")
    # Summary lines, read by `dev.py bench` (benchmarks/bench_scripts.py).
    served = [row for row in rows if row[1] != "reference"]
    as_served = [row for row in served if row[1] != "computed live"]
    slowest = max(as_served, key=lambda row: row[3])
    print()
    print(f"pages as served: {len(as_served)}, over 500 ms at p95: "
          f"{sum(1 for row in as_served if row[3] > 500)}")  # fmt: skip
    print(f"slowest as served: {slowest[3]:.0f} ms p95, `{slowest[0]}` ({slowest[1]})")
    print(f"reference /healthz: {rows[0][3]:.1f} ms p95")


if __name__ == "__main__":
    main()
