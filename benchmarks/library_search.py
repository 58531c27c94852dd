"""Benchmark (not a test): marketing's library search over 50,000 testimonials on SQLite.

    .venv/bin/python benchmarks/library_search.py [--testimonials 50000] [--searches 240] [--keep]

Fills a fresh, migrated SQLite file with Core bulk inserts: accounts (industry, size band, country,
stage), people and contacts (language), the catalogue's service lines, testimonials written from
phrase lists (approved, published, drafts and withdrawn ones), one to three service-line tags each,
and permissions (some withdrawn, some expired). Then it times searches with mixed words and
filters through the real path, `services.library.search_library` (the repository's narrowed
query, the count, and the consent policy on the page's rows), and reports p50 / p95 / max next to
a reference measured in the same run: a primary-key look-up of one testimonial through the same
session. CPU time per search is reported too: on a shared machine the wall time moves with other
people's work, the CPU time much less. Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from advocacy import migrate
from advocacy.db import build_engine
from advocacy.demo.vocabulary import INDUSTRIES, SERVICE_LINES
from advocacy.domain.library import LibraryQuery, PermissionFilter
from advocacy.domain.testimonials import Use
from advocacy.models import (
    Account,
    Contact,
    Person,
    ServiceLine,
    Testimonial,
    TestimonialPermission,
    TestimonialServiceLine,
)
from advocacy.services.library.search import search_library

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
CHUNK = 5_000
SIZE_BANDS = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
COUNTRIES = ("FR", "DE", "GB", "BE", "NL", "ES", "IT", "CH", "US", "CA")
LANGUAGES = ("en", "fr")
STAGES = ("active", "between", "former")
TITLES = ("CFO", "Chief executive officer", "Head of procurement", "COO", "CIO", "Plant manager")
FIRST = ("Ana", "Ben", "Chloé", "Dmitri", "Élise", "Farid", "Grace", "Hugo", "Inès", "Jun")
LAST = ("López", "Okafor", "Martin", "Ivanov", "Dupré", "Haddad", "Lee", "Moreau", "Sato", "Berg")
OPENINGS = (
    "They listened before they advised,",
    "From the first workshop the team understood our constraints,",
    "We had tried twice before on our own;",
    "The partner was there at every steering committee,",
    "Within three months we saw the difference:",
    "I was sceptical at the start, but",
)
MIDDLES = (
    "our procurement costs fell by twelve percent",
    "the new operating model went live on time",
    "the board finally trusts the numbers in our reporting",
    "we closed the acquisition two months early",
    "our plants now share one way of working",
    "customer churn dropped for the first time in years",
    "the audit found nothing we had not already fixed",
    "our teams adopted the new platform without drama",
)
ENDINGS = (
    "and they left us able to carry on alone.",
    "and the people on the ground still talk about it.",
    "which is exactly what we had asked for.",
    "— I would hire them again tomorrow.",
    "and the regulator noticed.",
)
OUTCOMES = (
    "cost reduction",
    "time to market",
    "compliance",
    "revenue growth",
    "risk reduction",
    "employee engagement",
    "customer satisfaction",
)
WORDS = (
    "procurement",
    "reporting",
    "acquisition",
    "platform",
    "plants",
    "churn",
    "board",
    "regulator",
    "audit",
    "steering",
    "twelve percent",
    "CFO",
    "cost",
    "listened",
)


def template(model: type[SQLModel], **required: Any) -> dict[str, Any]:
    """Every column of `model` with its default, so Core inserts carry complete rows."""
    return model(**required).model_dump()


def generate(count: int, seed: int) -> dict[type[SQLModel], list[dict[str, Any]]]:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    accounts_n, contacts_n = max(1, count // 10), max(1, count // 2)
    lines = [
        dict(template(ServiceLine, name=name), id=i, description=description, created_at=NOW)
        for i, (name, description, _industries) in enumerate(SERVICE_LINES, start=1)
    ]
    account_row = template(Account, name="x", stage_since=NOW, created_at=NOW, updated_at=NOW)
    accounts = [
        dict(
            account_row,
            id=i,
            name=f"{rng.choice(LAST)} {rng.choice(('Industries', 'Group', 'Holding', 'SA'))} {i}",
            industry=rng.choice(INDUSTRIES),
            size_band=rng.choice(SIZE_BANDS),
            country=rng.choice(COUNTRIES),
            stage=rng.choice(STAGES),
        )
        for i in range(1, accounts_n + 1)
    ]
    person_row = template(Person, full_name="x", created_at=NOW)
    contact_row = template(Contact, person_id=1, account_id=1, created_at=NOW, updated_at=NOW)
    people, contacts = [], []
    for i in range(1, contacts_n + 1):
        people.append(dict(person_row, id=i, full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}"))
        contacts.append(
            dict(
                contact_row,
                id=i,
                person_id=i,
                account_id=rng.randint(1, accounts_n),
                title=rng.choice(TITLES),
                language=rng.choice(LANGUAGES),
                email=f"person{i}@client.example",
            )
        )
    quote_row = template(
        Testimonial,
        account_id=1,
        contact_id=1,
        origin="client",
        status="approved",
        body="x",
        created_at=NOW,
        updated_at=NOW,
    )
    quotes, tags, permissions = [], [], []
    statuses = ["approved"] * 5 + ["published"] * 3 + ["submitted", "withdrawn"]
    for i in range(1, count + 1):
        contact = contacts[rng.randrange(contacts_n)]
        account = accounts[contact["account_id"] - 1]
        status = rng.choice(statuses)
        approved = NOW - timedelta(days=rng.randint(1, 5 * 365), minutes=rng.randint(0, 1440))
        body = f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} {rng.choice(ENDINGS)}"
        quotes.append(
            dict(
                quote_row,
                id=i,
                account_id=account["id"],
                contact_id=contact["id"],
                status=status,
                body=body,
                body_html=f"<p>{body}</p>",
                rating=rng.choice((None, 3, 4, 4, 5, 5, 5)),
                display_name=people[contact["id"] - 1]["full_name"],
                display_title=contact["title"],
                display_company=account["name"],
                industry=account["industry"],
                outcomes=", ".join(rng.sample(OUTCOMES, rng.randint(0, 3))),
                approved_at=approved if status in ("approved", "published") else None,
            )
        )
        for line in rng.sample(range(1, len(lines) + 1), rng.randint(1, 3)):
            tags.append({"testimonial_id": i, "service_line_id": line})
        uses = [Use.INTERNAL, *rng.sample(list(Use)[1:], rng.randint(0, 4))]
        for use in uses:
            expires = TODAY + timedelta(days=rng.randint(-200, 700)) if rng.random() < 0.2 else None
            withdrawn = NOW - timedelta(days=3) if rng.random() < 0.05 else None
            permissions.append(
                {
                    "testimonial_id": i,
                    "use": use.value,
                    "expires_on": expires,
                    "granted_at": approved,
                    "withdrawn_at": withdrawn,
                }
            )
    return {
        ServiceLine: lines,
        Account: accounts,
        Person: people,
        Contact: contacts,
        Testimonial: quotes,
        TestimonialServiceLine: tags,
        TestimonialPermission: permissions,
    }


def load(url: str, rows: dict[type[SQLModel], list[dict[str, Any]]]) -> None:
    engine = build_engine(url)
    with engine.begin() as connection:
        for model, table_rows in rows.items():
            table = model.__table__  # type: ignore[attr-defined]
            for first in range(0, len(table_rows), CHUNK):
                connection.execute(insert(table), table_rows[first : first + CHUNK])
    engine.dispose()


def queries(count: int, seed: int, lines: int) -> list[LibraryQuery]:
    rng = random.Random(seed + 1)  # noqa: S311
    found = []
    for _ in range(count):
        fields: dict[str, Any] = {}
        if rng.random() < 0.7:
            fields["text"] = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
        if rng.random() < 0.4:
            fields["service_line_id"] = rng.randint(1, lines)
        if rng.random() < 0.4:
            fields["industry"] = rng.choice(INDUSTRIES)
        if rng.random() < 0.2:
            fields["size_band"] = rng.choice(SIZE_BANDS)
        if rng.random() < 0.15:
            fields["country"] = rng.choice(COUNTRIES)
        if rng.random() < 0.15:
            fields["language"] = rng.choice(LANGUAGES)
        if rng.random() < 0.4:
            fields["permission"] = rng.choice(list(PermissionFilter))
        if rng.random() < 0.2:
            fields["min_rating"] = rng.choice((4, 5))
        if rng.random() < 0.15:
            fields["approved_since"] = TODAY - timedelta(days=rng.choice((90, 365, 730)))
        if rng.random() < 0.1:
            fields["stage"] = rng.choice(STAGES)
        if rng.random() < 0.15:
            fields["page"] = rng.randint(2, 5)
        found.append(LibraryQuery(**fields))
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testimonials", type=int, default=50_000)
    parser.add_argument("--searches", type=int, default=240)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--keep", action="store_true", help="keep the database file afterwards")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="library-bench-"))
    url = f"sqlite:///{folder / 'library.db'}"
    migrate.upgrade(url)
    started = time.perf_counter()
    rows = generate(args.testimonials, args.seed)
    generated = time.perf_counter()
    load(url, rows)
    loaded = time.perf_counter()

    engine = build_engine(url)
    pick = random.Random(args.seed)  # noqa: S311
    timings, cpu_times, reference, totals = [], [], [], []
    with Session(engine) as session:
        for query in queries(10, args.seed, len(SERVICE_LINES)):  # warm the page cache
            search_library(session, query, today=TODAY)
        for query in queries(args.searches, args.seed, len(SERVICE_LINES)):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            page = search_library(session, query, today=TODAY)
            timings.append((time.perf_counter() - begin) * 1000)
            cpu_times.append((time.process_time() - begin_cpu) * 1000)
            totals.append(page.total)
            begin = time.perf_counter()
            session.get(Testimonial, pick.randint(1, args.testimonials))
            session.expunge_all()
            reference.append((time.perf_counter() - begin) * 1000)
    engine.dispose()

    size = os.path.getsize(folder / "library.db") / 1e6
    counts = {model.__name__: len(table_rows) for model, table_rows in rows.items()}
    print(f"library search: {args.testimonials:,} testimonials, {args.searches} searches")
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, ", end="")
    print(f"SQLite {sqlite3.sqlite_version}; load average {os.getloadavg()[0]:.2f}")
    print(f"generate {generated - started:.1f} s, load {loaded - generated:.1f} s, {size:.0f} MB")
    print("rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    print(
        f"matches per search: median {statistics.median(totals):,.0f}, "
        f"empty {sum(1 for t in totals if not t)}, max {max(totals):,}"
    )
    print()
    print("| measure | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in (
        ("library search, wall time", timings),
        ("library search, CPU time", cpu_times),
        ("reference: get by id, wall time", reference),
    ):
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {max(values):.2f} |")
    p95 = percentile(timings, 0.95)
    ratio = p95 / max(percentile(reference, 0.95), 1e-6)
    print()
    verdict = "met" if p95 <= 100 else "NOT met"
    print(f"p95 search / p95 reference: {ratio:.0f}x; target p95 ≤ 100 ms of wall time: {verdict}")
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    if args.keep:
        print(f"(database kept in {folder}; delete it when done)")
    else:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
