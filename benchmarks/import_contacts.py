"""Benchmark (not a test): import 100,000 contacts from CSV into a fresh SQLite database.

    .venv/bin/python benchmarks/import_contacts.py [--rows 100000] [--accounts 2000]
        [--database-url URL]

The contacts name their company as a CRM export does ("Company Name", spelt with or without its
legal form); half the companies exist beforehand, the other half are created by the import.

Prints the import rate (rows/s, target ≥ 5,000) and, measured in the same run, the rate of plain
`csv.reader` over the same file, so the ratio can be compared across machines. The import path is
the real one: read_table (decode, sniff, parse), mapping_for, run_import (plan with batch look-ups,
pydantic validation of every row, bulk insert, one commit).
"""

from __future__ import annotations

import argparse
import csv
import io
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, func, select

from advocacy import migrate
from advocacy.adapters.csv_files import read_table
from advocacy.db import build_engine
from advocacy.domain.csv_import import Kind
from advocacy.models import Account, Contact
from advocacy.services.imports import csv_files

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Élise", "Farid", "Grace", "Hugo", "Inès", "Jun"]
LAST = ["López", "Okafor", "Martin", "Ivanov", "Dupré", "Haddad", "Lee", "Moreau", "Sato", "Berg"]
TITLES = ["CFO", "Head of Procurement", "Engineer", "Director of Operations", "Legal counsel"]
ROLES = ["Decision Maker", "Finance", "Business User", "Procurement;Legal", "", "Executive Sponsor"]


def accounts_csv(count: int) -> bytes:
    """The companies that exist before the contacts come: the even-numbered half."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Record ID", "Company name", "Industry", "Lifecycle Stage"])
    for i in range(0, count, 2):
        writer.writerow([f"A{i}", f"Company {i}", "Energy", "Customer" if i % 4 else "Lead"])
    return out.getvalue().encode()


def company(i: int) -> str:
    # As exports spell it: sometimes with a legal form, sometimes in capitals.
    return (f"Company {i} SA", f"COMPANY {i}", f"Company {i}")[i % 3]


def contacts_csv(rows: int, accounts: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["Record ID", "First Name", "Last Name", "E-mail Address", "Company Name", "Job Title",
         "Phone Number", "Buying Role", "Start Date", "Lifecycle Stage"]
    )  # fmt: skip
    for i in range(rows):
        writer.writerow(
            [f"C{i}", FIRST[i % 10], LAST[(i // 10) % 10], f"person{i}@client{i % accounts}.example",
             company(i % accounts), TITLES[i % 5], f"+33 1 {i % 100:02d} {i % 97:02d} 00",
             ROLES[i % 6], f"{1 + i % 28:02d}/{1 + i % 12:02d}/20{10 + i % 15}", "customer"]
        )  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def csv_reference(data: bytes) -> float:
    """Seconds for the floor: decode and csv.reader over every row, nothing else."""
    started = time.perf_counter()
    for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"):
        pass
    return time.perf_counter() - started


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="advocacy-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    contacts = contacts_csv(args.rows, args.accounts)
    with Session(engine, expire_on_commit=False) as session:
        table = read_table(accounts_csv(args.accounts), max_bytes=10**9)
        mapping = csv_files.mapping_for(Kind.ACCOUNTS, table.headers)
        assert csv_files.run_import(session, Kind.ACCOUNTS, table, mapping, now=NOW).applied

        reference = csv_reference(contacts)
        started, cpu_started = time.perf_counter(), time.process_time()
        table = read_table(contacts, max_bytes=10**9)
        read = time.perf_counter() - started
        mapping = csv_files.mapping_for(Kind.CONTACTS, table.headers)
        report = csv_files.run_import(session, Kind.CONTACTS, table, mapping, now=NOW)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert report.applied, report.rejected[:5]
        assert session.exec(select(func.count()).select_from(Contact)).one() == args.rows
        assert len(report.new_accounts) == args.accounts // 2
        assert session.exec(select(func.count()).select_from(Account)).one() == args.accounts

        started = time.perf_counter()
        table = read_table(contacts, max_bytes=10**9)
        again = csv_files.run_import(session, Kind.CONTACTS, table, mapping, now=NOW)
        second = time.perf_counter() - started
        assert again.applied and again.unchanged == args.rows and not again.new_accounts
    engine.dispose()

    rate = args.rows / total
    into = engine.dialect.name if args.database_url else "fresh SQLite"
    print(f"import contacts: {args.rows:,} rows ({len(contacts) / 1e6:.1f} MB) into {into}, "
          f"{args.accounts // 2:,} of their {args.accounts:,} companies created")  # fmt: skip
    print(
        f"machine: {platform.platform()}, {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print(f"| step | seconds | rows/s |\n| --- | ---: | ---: |")  # noqa: F541
    print(f"| reference: csv.reader only | {reference:.2f} | {args.rows / reference:,.0f} |")
    print(f"| read_table (decode, sniff, parse) | {read:.2f} | {args.rows / read:,.0f} |")
    print(f"| import, first time (all created) | {total:.2f} | {rate:,.0f} |")
    print(f"| import again (all unchanged) | {second:.2f} | {args.rows / second:,.0f} |")
    print(f"first import: {cpu:.2f} s of CPU for {total:.2f} s of wall time "
          f"({args.rows / cpu:,.0f} rows per CPU second); load average {_load()}")  # fmt: skip
    print(f"import / reference: {total / reference:.1f}x slower; target ≥ 5,000 rows/s: "
          f"{'met' if rate >= 5000 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
