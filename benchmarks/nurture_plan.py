"""Benchmark (not a test): one nurture planning run over a 100,000-contact segment.

    .venv/bin/python benchmarks/nurture_plan.py [--contacts 100000] [--database-url URL] [--keep]

Builds a firm shaped like the large demo firm with Core bulk inserts (building the demo itself
through its generator takes minutes and gives fewer contacts between engagements): 10 contacts per
account, every account between engagements, the demo catalogue's 12 service lines rated per
industry, one to three completed engagements per account, awareness records (bought lines for
the account and two of its contacts, some lines introduced), buying roles, and two content items
per line and language. A campaign "introduce the next service line" targets the whole segment.

The planning run is `services.nurture.planner.preview_campaign` (everything the job's run reads and
decides, nothing written), measured in a child process so that its peak memory (max RSS, the
interpreter included) is its own. The reference, measured in the same child right before, is a
bare SQL read through the DBAPI cursor of the same rows: every table the run reads (the segment's
contacts, their roles, awareness, consent changes, answers and tiers; their accounts' engagements,
touchpoints, stage moves, signals and awareness; their suppressions; the campaign's enrolments),
one plain join per table to the segment, no grouping. Targets: ≤ 10 s on SQLite, peak memory ≤ 500 MB,
within 3x of the reference.

PostgreSQL: `--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres` creates a
scratch database beside the one named, and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from advocacy import migrate
from advocacy.db import build_engine
from advocacy.demo.vocabulary import INDUSTRIES, SERVICE_LINES
from advocacy.models import (
    Account,
    AccountLineAwareness,
    CampaignCreate,
    Contact,
    ContactLineAwareness,
    ContactRole,
    ContentItem,
    ContentItemServiceLine,
    Engagement,
    EngagementServiceLine,
    Person,
    SegmentCreate,
    SegmentCriteria,
    ServiceLine,
    ServiceLineIndustry,
    StepInput,
    User,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning, inside the send window
CHUNK = 5_000
PER_ACCOUNT = 10
ROLES = ("decision_maker", "sponsor", "user", "finance", "procurement")
ZONES = ("Europe/Paris", "Europe/London", "Europe/Berlin", "America/New_York")


def _write(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start : start + CHUNK])


def build(url: str, contacts: int, seed: int) -> int:
    """Fill the database; return the campaign's id."""
    from advocacy.services.nurture import campaigns

    rng = random.Random(seed)  # noqa: S311 - test data
    engine = build_engine(url)
    accounts = contacts // PER_ACCOUNT
    lines = list(range(1, len(SERVICE_LINES) + 1))
    with Session(engine, expire_on_commit=False) as session:
        marketer = User(email="marketing@firm.example", role="marketing", created_at=NOW)
        session.add(marketer)
        owners = [
            {"email": f"owner{n}@firm.example", "role": "account_manager", "created_at": NOW,
             "active": True, "name": f"Owner {n}"}
            for n in range(50)
        ]  # fmt: skip
        _write(session, User, owners)
        _write(session, ServiceLine, [
            {"id": i, "name": name, "description": "", "active": True, "created_at": NOW}
            for i, (name, _, _) in zip(lines, SERVICE_LINES, strict=True)
        ])  # fmt: skip
        _write(session, ServiceLineIndustry, [
            {"service_line_id": line, "industry": industry, "relevance": rng.randint(1, 5)}
            for industry in INDUSTRIES for line in lines
        ])  # fmt: skip
        _write(session, Account, [
            {"id": a, "name": f"Client {a}", "industry": rng.choice(INDUSTRIES), "size_band": "",
             "country": "FR", "notes": "", "owner_id": rng.randint(2, 51), "stage": "between",
             "stage_since": NOW - timedelta(days=200), "camp": "unknown", "camp_reason": "",
             "do_not_ask": False, "source": "import", "created_at": NOW, "updated_at": NOW}
            for a in range(1, accounts + 1)
        ])  # fmt: skip
        _write(session, Person, [
            {"id": c, "full_name": f"Person {c}", "created_at": NOW} for c in range(1, contacts + 1)
        ])  # fmt: skip
        _write(session, Contact, [
            {"id": c, "person_id": c, "account_id": (c - 1) // PER_ACCOUNT + 1,
             "email": f"person{c}@client{(c - 1) // PER_ACCOUNT + 1}.example",
             "language": "fr" if c % 5 == 0 else "en", "timezone": rng.choice(ZONES),
             "consent_basis": "legitimate_interest" if c % 20 else "", "consent_source": "",
             "title": "", "phone": "", "seniority": "manager", "influence": 3, "status": "active",
             "created_at": NOW, "updated_at": NOW}
            for c in range(1, contacts + 1)
        ])  # fmt: skip
        _write(session, ContactRole, [
            {"contact_id": c, "role": ROLES[c % len(ROLES)]} for c in range(1, contacts + 1)
        ])  # fmt: skip
        engagements: list[dict[str, Any]] = []
        engagement_lines: list[dict[str, Any]] = []
        account_aware: list[dict[str, Any]] = []
        contact_aware: list[dict[str, Any]] = []
        for account in range(1, accounts + 1):
            bought = rng.sample(lines[:6], rng.randint(1, 3))  # firms are typecast by their core
            first = (account - 1) * PER_ACCOUNT + 1
            for line in bought:
                engagement_id = len(engagements) + 1
                engagements.append(
                    {"id": engagement_id, "account_id": account, "title": f"Mandate {engagement_id}",
                     "currency": "EUR", "status": "completed", "created_at": NOW, "updated_at": NOW}
                )  # fmt: skip
                engagement_lines.append({"engagement_id": engagement_id, "service_line_id": line})
                account_aware.append(
                    {"account_id": account, "service_line_id": line, "state": "bought",
                     "bought_at": NOW - timedelta(days=300), "updated_at": NOW}
                )  # fmt: skip
                for contact in (first, first + 1):
                    contact_aware.append(
                        {"contact_id": contact, "account_id": account, "service_line_id": line,
                         "state": "bought", "bought_at": NOW - timedelta(days=300),
                         "updated_at": NOW}
                    )  # fmt: skip
            introduced = rng.choice([line for line in lines if line not in bought])
            contact_aware.append(
                {"contact_id": first + 2, "account_id": account, "service_line_id": introduced,
                 "state": "introduced", "introduced_at": NOW - timedelta(days=rng.randint(1, 200)),
                 "updated_at": NOW}
            )  # fmt: skip
        _write(session, Engagement, engagements)
        _write(session, EngagementServiceLine, engagement_lines)
        _write(session, AccountLineAwareness, account_aware)
        _write(session, ContactLineAwareness, contact_aware)
        items = []
        for line in lines:
            for language in ("en", "fr"):
                for number in range(2):
                    items.append(
                        {"id": len(items) + 1, "title": f"Line {line} insight {number}",
                         "url": f"https://insights.firm.example/{line}/{language}/{number}",
                         "summary": "Two sentences on what changes.", "kind": "article",
                         "language": language, "archived": False, "created_at": NOW,
                         "updated_at": NOW}
                    )  # fmt: skip
        _write(session, ContentItem, items)
        _write(session, ContentItemServiceLine, [
            {"content_item_id": item["id"], "service_line_id": (item["id"] - 1) // 4 + 1}
            for item in items
        ])  # fmt: skip
        session.commit()
        segment = campaigns.create_segment(
            session,
            SegmentCreate(name="Between", criteria=SegmentCriteria(stages=["between"])),
            by=marketer,
            now=NOW,
        )
        campaign = campaigns.create_campaign(
            session,
            CampaignCreate(name="Next line", segment_id=segment.id or 0),
            by=marketer,
            now=NOW,
        )
        campaigns.set_steps(
            session,
            campaign.id or 0,
            [
                StepInput(kind="next_line_email"),
                StepInput(kind="wait", wait_days=14),
                StepInput(kind="task", task_text="Call about the article"),
            ],
            by=marketer,
            now=NOW,
        )
        campaign_id = campaign.id or 0
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return campaign_id


# Every row the planning run reads, table by table, as plain joins to the segment (the run reads
# them through subqueries), without grouping or rules: the segment's contacts with account and
# name, their roles, awareness, consent changes, survey answers and tiers; their accounts'
# engagements, touchpoints, stage moves, signals and awareness; their suppressions; the
# campaign's enrolments.
REFERENCE_SQL = (
    "SELECT c.id, c.account_id, c.status, c.seniority, c.email, c.language, c.timezone, "
    "c.consent_basis, a.stage, a.camp, a.industry, a.owner_id, p.full_name FROM contacts c "
    "JOIN accounts a ON a.id = c.account_id JOIN people p ON p.id = c.person_id WHERE "
    "c.status = 'active' AND a.stage = 'between'",
    "SELECT w.contact_id, w.service_line_id, w.state, w.introduced_at, w.engaged_at, "
    "w.bought_at FROM contact_line_awareness w JOIN contacts c ON c.id = w.contact_id JOIN "
    "accounts a ON a.id = c.account_id WHERE c.status = 'active' AND a.stage = 'between'",
    "SELECT r.contact_id, r.role FROM contact_roles r JOIN contacts c ON c.id = r.contact_id "
    "JOIN accounts a ON a.id = c.account_id WHERE c.status = 'active' AND a.stage = 'between'",
    "SELECT x.contact_id, x.action, x.at FROM consent_changes x JOIN contacts c ON c.id = "
    "x.contact_id JOIN accounts a ON a.id = c.account_id WHERE c.status = 'active' AND "
    "a.stage = 'between'",
    "SELECT s.contact_id, s.kind, s.score, s.answered_at FROM surveys s JOIN contacts c ON "
    "c.id = s.contact_id JOIN accounts a ON a.id = c.account_id WHERE c.status = 'active' AND"
    " a.stage = 'between'",
    "SELECT s.contact_id, s.tier FROM contact_scores s JOIN contacts c ON c.id = s.contact_id"
    " JOIN accounts a ON a.id = c.account_id WHERE c.status = 'active' AND a.stage = "
    "'between'",
    "SELECT e.account_id, l.service_line_id, e.status FROM engagements e JOIN "
    "engagement_service_lines l ON l.engagement_id = e.id JOIN accounts a ON a.id = "
    "e.account_id WHERE a.stage = 'between'",
    "SELECT t.account_id, t.contact_id, t.kind, t.initiative, t.occurred_at FROM touchpoints "
    "t JOIN accounts a ON a.id = t.account_id WHERE a.stage = 'between'",
    "SELECT s.account_id, s.to_stage, s.at FROM stage_changes s JOIN accounts a ON a.id = "
    "s.account_id WHERE a.stage = 'between'",
    "SELECT j.account_id, j.kind, j.resolved_at FROM journey_signals j JOIN accounts a ON "
    "a.id = j.account_id WHERE a.stage = 'between'",
    "SELECT w.account_id, w.service_line_id, w.state FROM account_line_awareness w JOIN "
    "accounts a ON a.id = w.account_id WHERE a.stage = 'between'",
    "SELECT s.email, s.category, s.reason FROM suppressions s JOIN contacts c ON lower(c.email) "
    "= s.email JOIN accounts a ON a.id = c.account_id WHERE c.status = 'active' AND a.stage = "
    "'between'",
    "SELECT id, contact_id, occurrence, status, next_position, next_due_at FROM "
    "nurture_enrolments WHERE campaign_id = {campaign}",
)


def reference(url: str, campaign_id: int) -> tuple[float, float, int]:
    """The bare SQL read of the same rows: seconds, CPU seconds of this process, rows."""
    engine = build_engine(url)
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        rows = 0
        for statement in REFERENCE_SQL:
            cursor.execute(statement.replace("{campaign}", str(int(campaign_id))))
            rows += len(cursor.fetchall())
        seconds, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    engine.dispose()
    return seconds, cpu, rows


def plan_in_this_process(url: str, campaign_id: int, folder: Path) -> dict[str, Any]:
    """The child's work: the reference, then one planning run."""
    from sqlalchemy import event

    from advocacy.app import create_app
    from advocacy.services.nurture.planner import preview_campaign

    reference(url, campaign_id)  # warm the cache for both
    reference_s, reference_cpu_s, reference_rows = reference(url, campaign_id)
    app = create_app(
        {"env": "test", "database_url": url, "instance_path": str(folder / "instance"),
         "secret_key": "benchmark-secret-key-long-enough-0123456789abcdef", "log_level": "WARNING"}
    )  # fmt: skip
    settings = app.config["ADVOCACY"]
    engine = build_engine(url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with app.app_context(), Session(engine) as session:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        report = preview_campaign(session, campaign_id, now=NOW, settings=settings)
        seconds, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    engine.dispose()
    held: dict[str, int] = {}
    for item in report.held_back:
        held[item.reason.value] = held.get(item.reason.value, 0) + 1
    return {
        "plan_s": seconds,
        "plan_cpu_s": cpu,
        "statements": len(statements),
        "reference_s": reference_s,
        "reference_cpu_s": reference_cpu_s,
        "reference_rows": reference_rows,
        "enrolled": len(report.enrolled),
        "sends": len(report.sends),
        "held": held,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def scratch_postgres(admin_url: str) -> str:
    name = f"advocacy_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--database-url", default="", help="PostgreSQL server (default: SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--child", nargs=2, metavar=("URL", "CAMPAIGN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nurture-bench-"))
    if args.child:
        print(json.dumps(plan_in_this_process(args.child[0], int(args.child[1]), folder)))
        shutil.rmtree(folder)
        return

    admin_url = args.database_url
    url = scratch_postgres(admin_url) if admin_url else f"sqlite:///{folder / 'nurture.db'}"
    try:
        migrate.upgrade(url)
        begin = time.perf_counter()
        campaign_id = build(url, args.contacts, args.seed)
        built = time.perf_counter() - begin
        child = subprocess.run(  # noqa: S603 - this script, fixed arguments
            [sys.executable, __file__, "--child", url, str(campaign_id)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if admin_url and not args.keep:
            drop_postgres(admin_url, url)
    database = "PostgreSQL" if admin_url else f"SQLite {sqlite3.sqlite_version}"
    ratio = result["plan_s"] / max(result["reference_s"], 1e-9)
    print(f"nurture planning run: {args.contacts:,} contacts in the segment, {database}")
    print(f"machine: {platform.platform()}, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"built in {built:.1f} s (bulk inserts)")
    print()
    print("| measure | value |")
    print("| --- | ---: |")
    print(f"| planning run, wall time | {result['plan_s']:.2f} s |")
    print(f"| planning run, CPU time | {result['plan_cpu_s']:.2f} s |")
    print(f"| planning run, SQL statements | {result['statements']} |")
    print(f"| reference: bare SQL, same rows ({result['reference_rows']:,}) | "
          f"{result['reference_s']:.2f} s |")  # fmt: skip
    print(f"| reference, CPU time of this process | {result['reference_cpu_s']:.2f} s |")
    print(f"| planning run / reference | {ratio:.1f}x |")
    if not admin_url:  # on PostgreSQL the server's share of the reference is in another process
        cpu_ratio = result["plan_cpu_s"] / max(result["reference_cpu_s"], 1e-9)
        print(f"| planning run / reference, CPU time | {cpu_ratio:.1f}x |")
    print(f"| peak memory of the planning process (max RSS) | {result['peak_mb']:.0f} MB |")
    print()
    print(f"enrolled {result['enrolled']:,}, sends {result['sends']:,}, held back {result['held']}")
    verdicts = (
        ("≤ 10 s", result["plan_s"] <= 10),
        ("≤ 500 MB", result["peak_mb"] <= 500),
        ("within 3x of the reference", ratio <= 3),
    )
    print("targets: " + "; ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in verdicts))
    if args.keep or not admin_url:
        if args.keep:
            print(f"(database kept: {url})")
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
