"""The job half of `dev.py bench`: the other benchmark scripts, run as they are, their output read.

Each script runs in its own process; its peak memory is the largest resident set among it and the
children it waited for (wait4's ru_maxrss), which is where the scripts do their measuring.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Figure:
    """One row of the jobs table."""

    key: str
    label: str
    result: str
    bound: str = ""
    ratio: str = ""
    target: str = ""
    short: list[str] = field(default_factory=list)  # what falls short; empty when met
    peak_mb: float = 0.0
    judged: bool = True
    note: str = ""  # why a figure is not judged against its target


@dataclass
class Ran:
    output: str
    seconds: float
    peak_mb: float


def run(script: str, *args: str, env: dict[str, str] | None = None) -> Ran:
    """Run a script of this folder with this interpreter; its output and peak memory."""
    command = [sys.executable, str(HERE / script), *args]
    print(f"  $ {' '.join(command[1:])}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    # Output to files, so the process is reaped here by wait4, which returns its resource usage.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(  # noqa: S603 - our own scripts
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdout=out,
            stderr=err,
            text=True,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    seconds = time.perf_counter() - started
    # Some scripts exit 1 when their own target is missed: that is a result, a traceback is not.
    if code not in (0, 1) or "Traceback" in errors:
        raise SystemExit(f"{script} failed (exit {code}):\n{errors[-3000:]}")
    return Ran(output, seconds, usage.ru_maxrss / 1024)


def number(pattern: str, text: str) -> float:
    found = re.search(pattern, text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"the script's output has no line matching {pattern!r}:\n{text}")
    return float(found.group(1).replace(",", ""))


def nurture(contacts: int, server_url: str) -> Figure:
    extra = ["--database-url", server_url] if server_url else []
    ran = run("nurture_plan.py", "--contacts", str(contacts), *extra)
    wall = number(r"^\| planning run, wall time \| ([\d.]+) s", ran.output)
    bare = number(r"^\| reference: bare SQL, same rows \([\d,]+\) \| ([\d.]+) s", ran.output)
    peak = number(r"^\| peak memory of the planning process \(max RSS\) \| (\d+) MB", ran.output)
    ratio = wall / bare if bare else float("inf")
    short = [f"{wall - 10:.1f} s over 10 s"] if wall > 10 else []
    short += [f"{ratio:.1f}× is over 3×"] if ratio > 3 else []
    return Figure(
        "nurture", f"nurture planning, {contacts:,} contacts", f"{wall:.2f} s",
        f"bare SQL read of the same rows {bare:.2f} s", f"{ratio:.1f}×", "≤ 10 s, ≤ 3× the read",
        short, max(peak, ran.peak_mb),
    )  # fmt: skip


def score(url: str, sqlite_path: Path | None) -> Figure:
    args = ["--reuse", str(sqlite_path)] if sqlite_path else ["--database-url", url]
    ran = run("score_recompute.py", *args)
    full = number(r"^\| full recompute, [\d,]+ contacts scored \| ([\d.]+) s", ran.output)
    scored = int(number(r"^\| full recompute, ([\d,]+) contacts scored", ran.output))
    bare = number(r"^\| bare SQL aggregation over the same rows \| ([\d.]+) s", ran.output)
    ratio = number(r"^\| ratio full / bare \| ([\d.]+)×", ran.output)
    single = number(r"^\| one contact, median of \d+ \| ([\d.]+) ms", ran.output)
    short = [f"{full - 15:.1f} s over 15 s"] if full > 15 else []
    short += [f"{ratio:.1f}× is over 3×"] if ratio > 3 else []
    short += [f"one contact {single:.0f} ms, over 50 ms"] if single > 50 else []
    return Figure(
        "score", f"score recompute, {scored:,} contacts", f"{full:.1f} s (one contact "
        f"{single:.1f} ms)", f"bare SQL aggregation {bare:.2f} s", f"{ratio:.1f}×",
        "≤ 15 s, ≤ 3× the aggregation; one contact ≤ 50 ms", short, ran.peak_mb,
    )  # fmt: skip


def analytics(url: str, sqlite_path: Path | None) -> Figure:
    args = ["--db", str(sqlite_path)] if sqlite_path else ["--database-url", url]
    ran = run("analytics_pages.py", *args, "--runs", "5")
    pages = int(number(r"^pages as served: (\d+)", ran.output))
    over = int(number(r"^pages as served: \d+, over 500 ms at p95: (\d+)", ran.output))
    slowest = number(r"^slowest as served: ([\d.]+) ms p95", ran.output)
    which = re.search(r"^slowest as served: [\d.]+ ms p95, (.+)$", ran.output, re.MULTILINE)
    healthz = number(r"^reference /healthz: ([\d.]+) ms p95", ran.output)
    short = [f"{over} of {pages} pages over 500 ms"] if over else []
    return Figure(
        "analytics-pages", f"analytics pages one at a time ({pages}: each question unfiltered "
        "as stored, and filtered by owner, industry, service line, cohort and period, computed "
        "live)", f"slowest p95 {slowest:.0f} ms: {which.group(1) if which else ''}",
        f"`/healthz` through the same client, p95 {healthz:.1f} ms", f"{slowest / healthz:.0f}×"
        if healthz else "", "every page p95 ≤ 500 ms", short, ran.peak_mb,
    )  # fmt: skip


def mail(messages: int, runs: int, url: str) -> Figure:
    env = {"ADVOCACY_BENCH_DATABASE_URL": url} if url else {}
    ran = run("mail_dispatch.py", "--messages", str(messages), "--runs", str(runs), env=env)
    rate = number(r"^median: \*\*([\d,]+) messages/s\*\*", ran.output)
    share = number(r"^median: \*\*[\d,]+ messages/s\*\*, \*\*(\d+)%\*\*", ran.output) / 100
    raw = rate / share if share else 0.0
    short = [f"{2000 - rate:,.0f} messages/s under 2,000"] if rate < 2000 else []
    short += [f"{share:.0%} of the ceiling, under 33%"] if share < 1 / 3 else []
    return Figure(
        "mail", f"mail dispatch, {messages:,} messages × {runs}", f"{rate:,.0f} messages/s",
        f"raw HTTP posts to the same local server ≈ {raw:,.0f}/s", f"{share:.0%}",
        "≥ 2,000/s, ≥ 1/3 of the raw posts", short, ran.peak_mb,
    )  # fmt: skip


def csv_import(rows: int, accounts: int, url: str) -> Figure:
    extra = ["--database-url", url] if url else []
    ran = run("import_contacts.py", "--rows", str(rows), "--accounts", str(accounts), *extra)
    rate = number(r"^\| import, first time \(all created\) \| [\d.]+ \| ([\d,]+) \|", ran.output)
    reference = number(r"^\| reference: csv.reader only \| [\d.]+ \| ([\d,]+) \|", ran.output)
    short = [f"{5000 - rate:,.0f} rows/s under 5,000"] if rate < 5000 else []
    return Figure(
        "import", f"CSV import, {rows:,} contacts", f"{rate:,.0f} rows/s",
        f"csv.reader over the same file {reference:,.0f} rows/s", f"{rate / reference:.3f}",
        "≥ 5,000 rows/s", short, ran.peak_mb,
    )  # fmt: skip


def demo_sqlite(size: str, keep: Path) -> Figure:
    """Build the SQLite demo firm with demo_large.py, which measures it on the way."""
    ran = run("demo_large.py", "--size", size, "--keep", str(keep))
    seconds = number(r"^demo --size \w+ --seed \d+: ([\d.]+) s", ran.output)
    rows = int(number(r"^demo --size \w+ --seed \d+: [\d.]+ s, ([\d,]+) rows", ran.output))
    reference = number(r"^reference, sqlite3 executemany[^:]*: ([\d,]+) rows/s", ran.output)
    return _demo(size, seconds, rows, f"sqlite3 executemany {reference:,.0f} rows/s",
                 f"{rows / seconds / reference:.3f}", ran.peak_mb)  # fmt: skip


def demo_database(url: str, size: str) -> Figure:
    """Load the demo firm into an empty database (PostgreSQL) in a child process."""
    ran = run("bench_firm.py", "--load", url, "--size", size)
    loaded: dict[str, float] = json.loads(ran.output.strip().splitlines()[-1])
    bound = "no reference on this database"
    return _demo(size, loaded["seconds"], int(loaded["rows"]), bound, "", ran.peak_mb)


def _demo(size: str, seconds: float, rows: int, bound: str, ratio: str, peak: float) -> Figure:
    short = [f"{seconds - 180:.0f} s over 180 s"] if seconds > 180 else []
    return Figure(
        "demo", f"demo generation, {size} firm", f"{seconds:.1f} s, {rows / seconds:,.0f} rows/s "
        f"({rows:,} rows)", bound, ratio, "≤ 180 s for the large firm", short, peak,
        judged=size == "large", note="the target is for the large firm",
    )  # fmt: skip


Step = Callable[[], Figure]
