"""docs/benchmarks.md as `dev.py bench` writes it: the machine, the database, one table."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from bench_scripts import Figure
from bench_web import Measured

# Why a figure falls short, once a profile has shown it. A figure short for a reason not listed
# here says so, rather than guess.
# Why a figure falls short, from profiling it on the large firm (cProfile, and the SQL time of
# each statement through an engine event); a figure not named here gets the run's own reading.
CAUSES: dict[str, str] = {
    "my-week": (
        "the demo's busiest account manager owns 3,300 accounts: the page reads their open "
        "check-ins, signals and coverage gaps (the gaps grouped in SQL, 40 ms on SQLite for 33,000 "
        "contacts) and renders the first 25 of each list with its forms; templating and the ORM "
        "are the rest"
    ),
    "accounts": (
        "the page is asked for as its Next link does: one index seek on (lower(name), id) from "
        "the last account of the page before, whatever the page number; the stage counts and "
        "the 50 rows with owner and stage, rendered, are the rest"
    ),
    "account": (
        "the page is the account's whole working surface (stakeholders with scores and asks, "
        "about 17 forms, the journey picture, engagements, surveys, referrals): 33 statements take "
        "about 1 ms, templating about 85 % of the time"
    ),
    "advocates": (
        "20 scored contacts with their explanations, ranked over 100,000 scores by an index; "
        "the page's time is templating the explanations and the filter form"
    ),
    "analytics-pages": (
        "a filtered view is computed when asked (the unfiltered one is stored by the hourly "
        "job): it reads the firm's 40,000 engagements, and the stage moves of the accounts in "
        "scope, into plain objects and counts them in Python, with the cyclic collector paused; "
        "alone on an idle machine the slowest takes 300–420 ms, so a busy moment can push one "
        "over"
    ),
    "nurture": (
        "the planner builds one audience record per contact (20 facts from 16 grouped statements) "
        "and judges stop, entry, mail and pressure rules per contact in Python (about 30 µs per "
        "contact, its cyclic garbage collection already paused); the bare read only fetches the "
        "same rows table by table into tuples. Reaching 3× needs deciding once per class of alike "
        "contacts on columns (a change of the domain planner's interface)"
    ),
    "score": (
        "every contact's factors are worked out in Python from its evidence (surveys, "
        "touchpoints, asks, nurture responses) and its explanation written as JSON; the bare "
        "aggregation only counts. Next: factors per contact in SQL, or rescoring only contacts "
        "whose evidence changed"
    ),
    "mail": (
        "each message is rendered from its template, checked against consent, suppression and "
        "the pressure budget, sent through the sendgrid library and recorded, one commit per "
        "batch; the raw posts only send. The figure moves with the machine's load (it met the "
        "target in quieter runs)"
    ),
    "demo": (
        "the firm's history is written with bulk inserts (2 million touchpoints), then its "
        "campaigns and scores are played through the product's own services, which take about "
        "70 % of the time"
    ),
    "import@PostgreSQL": (
        "the import looks its rows up by external id and by e-mail in batches of 500; on the "
        "benchmark's freshly filled tables each such look-up takes about 90 ms on PostgreSQL "
        "(server time, from its statement log), against about 1 ms for the same statement on a "
        "settled database: the planner's statistics are those of tables filled moments before. "
        "On SQLite the same import runs at 8,000 rows/s"
    ),
    "import": (
        "each row is validated by pydantic with email-validator (about 40 % of the CPU) and "
        "matched to its account by external id, normalised name or e-mail domain before bulk "
        "inserts; 8,468 rows/s on an idle machine, so the figure here is the load's"
    ),
}


@dataclass
class Run:
    started: datetime
    quick: bool
    users: int
    seconds: float
    workers: int
    url: str = ""
    size: str = ""
    firm_source: str = ""
    database: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    pages: list[Measured] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    web_memory: dict[str, float] = field(default_factory=dict)
    argon2_ms: float = 0.0
    analytics_s: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scratch: list[str] = field(default_factory=list)


def database_version(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version}"
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        version = str(connection.execute(text("SHOW server_version")).scalar_one())
    engine.dispose()
    return f"PostgreSQL {version.split()[0]}"


def _memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    return 0.0


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in values)


def _verdict(short: list[str], cause: str) -> str:
    if not short:
        return "met"
    return f"short: {', '.join(short)} — because {cause}"


def _page_row(run: Run, measured: Measured, healthz: float) -> str:
    page = measured.page
    ratio = measured.per_second / healthz if healthz else 0.0
    result = (
        f"p50 {measured.p50_ms:.0f} ms, p95 {measured.p95_ms:.0f} ms, "
        f"{measured.per_second:,.1f} req/s"
        + (f", **{measured.failures} errors**" if measured.failures else "")
    )
    if page.key == "healthz":
        return f"| {page.label} | {result} | | 1.00 | | the reference | |"
    targets = [f"p95 ≤ {page.p95_target_ms:.0f} ms"]
    short = []
    if measured.p95_ms > page.p95_target_ms:
        short.append(f"p95 by {measured.p95_ms - page.p95_target_ms:,.0f} ms")
    if page.ratio_target is not None:
        targets.append(f"≥ {page.ratio_target:.2f} of `/healthz`")
        if ratio < page.ratio_target:
            short.append(f"the ratio by {page.ratio_target - ratio:.2f}")
    if measured.failures:
        short.append(f"{measured.failures} errors")
    bound = f"`/healthz` {healthz:,.0f} req/s"
    if measured.alone_ms:
        bound += f"; one request alone {measured.alone_ms:,.0f} ms"
    cause = _cause(run, measured)
    if page.key in CAUSES and not run.quick:  # profiled on the large firm
        cause += "; profiled: " + CAUSES[page.key]
    if page.key == "sign-in":
        bound += f"; one Argon2id check {run.argon2_ms:.0f} ms"
        cause = (
            f"each sign-in verifies an Argon2id hash ({run.argon2_ms:.0f} ms of CPU by design, "
            f"argon2-cffi's recommended parameters), {run.workers} workers on "
            f"{os.cpu_count()} cores"
        )
    return (
        f"| {page.label} | {result} | {bound} | {ratio:.2f} | {', '.join(targets)} "
        f"| {_verdict(short, cause)} | |"
    )


def _cause(run: Run, measured: Measured) -> str:
    """What the run itself shows: a page slow on its own, or one slowed by waiting its turn."""
    alone = measured.alone_ms
    if alone > measured.page.p95_target_ms:
        return f"one request alone takes {alone:,.0f} ms: the page's own work is over the target"
    return (
        f"one request alone takes {alone:,.0f} ms: the rest is waiting, {run.users} users for "
        f"{run.workers} workers on {os.cpu_count()} cores, each request costing more CPU than "
        "`/healthz` (templating and the ORM; its SQL takes a few milliseconds)"
    )


def _figure_row(figure: Figure, database: str = "") -> str:
    # A cause found on one database only is filed under "key@Database" (e.g. "import@PostgreSQL").
    own = f"{figure.key}@{database.split()[0]}" if database else ""
    cause = CAUSES.get(own) or CAUSES.get(figure.key, "not profiled yet")
    memory = f"{figure.peak_mb:,.0f} MB" if figure.peak_mb else ""
    return (
        f"| {figure.label} | {figure.result} | {figure.bound} | {figure.ratio} | {figure.target} "
        f"| {_verdict(figure.short, cause) if figure.judged else 'not judged: ' + figure.note} "
        f"| {memory} |"
    )


def section_title(database: str) -> str:
    """The heading of one database's results: "## On SQLite", "## On PostgreSQL"."""
    return f"## On {database.split()[0]}" if database else "## Results"


def _section(run: Run) -> list[str]:
    healthz_runs = [m.per_second for m in run.pages if m.page.key == "healthz"]
    healthz = statistics.fmean(healthz_runs) if healthz_runs else 0.0
    firm = ", ".join(f"{count:,} {kind}" for kind, count in run.counts.items())
    lines = [
        section_title(run.database),
        "",
        f"Written by `python3 dev.py bench{' --quick' if run.quick else ''}` on "
        f"{run.started:%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    if run.quick:
        lines += [
            "**Small demo firm (`--quick`)**: these figures check the command; the targets are "
            "set for the large firm and are judged here only as a smoke test.",
            "",
        ]
    lines += [
        f"- Machine: {platform.system()} {platform.release()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, {_memory_gib():.0f} GiB memory, Python "
        f"{platform.python_version()}; load average (1 / 5 / 15 min) {_load(run.load_before)} "
        f"before, {_load(run.load_after)} after.",
        f"- Database: {run.database}. Demo firm: {run.size} ({firm}), {run.firm_source}. "
        f"Its analytics answers stored first, as the hourly job keeps them "
        f"(`advocacy analytics refresh`: {run.analytics_s:.0f} s).",
        f"- Web: gunicorn {run.workers} workers × 4 threads with the production settings "
        "(`deploy/advocacy-web.service`'s command line), on loopback; locust headless, "
        f"{run.users} users asking without pause, {run.seconds:g} s per page; `/healthz` is asked "
        "for first and last, its requests/s is the mean of both"
        + (f" ({' and '.join(f'{r:,.0f}' for r in healthz_runs)})" if healthz_runs else "")
        + ".",
        "",
        "| figure | result | ceiling or lower bound, same run | ratio | target | verdict "
        "| peak memory |",
        "| --- | --- | --- | ---: | --- | --- | ---: |",
    ]
    shown = [m for m in run.pages if m.page.key != "healthz"]
    if healthz_runs:
        lines.append(_page_row(run, next(m for m in run.pages if m.page.key == "healthz"), healthz))
    lines += [_page_row(run, measured, healthz) for measured in shown]
    lines += [_figure_row(figure, run.database) for figure in run.figures]
    for process, peak in run.web_memory.items():
        lines.append(f"| web: {process} | | | | | | {peak:,.0f} MB |")
    lines.append("")
    return lines


def kept_sections(previous: str, run: Run) -> list[str]:
    """The other databases' sections of the document as it was, unchanged (a run on one
    database does not erase the latest figures of the other)."""
    own = section_title(run.database)
    kept: list[str] = []
    current: list[str] | None = None
    for line in previous.splitlines():
        if line.startswith("## "):
            if current is not None:
                kept += current
            current = [line] if line.startswith("## On ") and line != own else None
        elif current is not None:
            current.append(line)
    if current is not None:
        kept += current
    while kept and not kept[-1].strip():
        kept.pop()
    return [*kept, ""] if kept else []


def markdown(run: Run, previous: str = "") -> str:
    """The whole document: this run's section, the other databases' kept from `previous`."""
    lines = [
        "# Benchmarks",
        "",
        "The latest run of `python3 dev.py bench` on each database. Ratios are what compare "
        "across runs: the absolute figures move with the machine's load. Earlier results and "
        "their analysis: `git log -p docs/benchmarks.md`.",
        "",
        "Peak memory: the web processes' VmHWM from `/proc` at the end of the load; each "
        "script's largest resident set (its own or a child's it waited for). Requests/s count "
        "successful and failed answers alike; errors are listed when there are any. A sign-in is "
        "`GET /login` then `POST /login` from a new browser; the figure is the post's. One request "
        "alone: the median of a few requests sent one at a time just before the page's load, "
        "after a warm-up.",
        "",
    ]
    sections = [_section(run), kept_sections(previous, run)]
    if "PostgreSQL" in run.database:
        sections.reverse()  # SQLite, the default database, first
    lines += [line for section in sections for line in section]
    lines += [
        "## How to reproduce",
        "",
        "```sh",
        "python3 dev.py bench                       # the large firm on SQLite, kept in "
        "instance/bench/",
        "python3 dev.py bench --reuse /path/large.sqlite   # a kept firm "
        "(benchmarks/demo_large.py --keep PATH)",
        "python3 dev.py bench --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        "python3 dev.py bench --reuse postgresql+psycopg://postgres@127.0.0.1:5432/advocacy_large"
        "   # a kept firm on PostgreSQL",
        "python3 dev.py bench --quick               # the small firm: a check of the command",
        "```",
        "",
        "A run replaces its own database's section and keeps the other's. Each script also runs "
        "alone (`benchmarks/*.py --help`) with more detail than this table. Close other work on "
        "the machine first: the figures share its cores with locust.",
        "",
    ]
    return "\n".join(lines)
