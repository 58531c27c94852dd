"""`python3 dev.py bench`: its page half on the small firm, briefly, and the table it writes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "bench.py"
COLUMNS = "| figure | result | ceiling or lower bound, same run | ratio | target | verdict | peak memory |"
RESULT = re.compile(r"^p50 \d+ ms, p95 \d+ ms, [\d,]+\.\d req/s$")


def _bench(*args: str, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_bench_pages_on_the_small_firm_write_the_table(tmp_path: Path) -> None:
    bin_folder = Path(sys.executable).parent
    need((bin_folder / "locust").exists(), "locust is not installed (pip install -e '.[dev]')")
    output = tmp_path / "benchmarks.md"
    # The document as an earlier run on each database left it: this run replaces its own
    # database's section and keeps the other's.
    output.write_text(
        "# Benchmarks\n\n## On SQLite\n\nstale figure of the SQLite run\n\n"
        "## On PostgreSQL\n\n| figure kept from the PostgreSQL run |\n\n## How to reproduce\n"
    )
    done = _bench(
        "--quick", "--seconds", "2", "--workers", "2", "--no-scripts",
        "--only", "accounts,api-accounts", "--output", str(output),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    text = output.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "`python3 dev.py bench --quick`" in text
    assert "**Small demo firm (`--quick`)**" in text
    assert re.search(r"^- Machine: .*, \d+ cores, \d+ GiB memory, .*load average", text, re.M)
    assert re.search(r"^- Database: SQLite [\d.]+\. Demo firm: small \(\d+ accounts", text, re.M)
    assert "git log -p docs/benchmarks.md" in text
    assert "stale figure" not in text and "| figure kept from the PostgreSQL run |" in text
    assert text.index("## On SQLite") < text.index("## On PostgreSQL")
    assert text.count("## How to reproduce") == 1

    lines = text.splitlines()
    header = lines.index(COLUMNS)
    rows = []
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(_cells(line))
    assert all(len(row) == 7 for row in rows), rows
    by_name = {row[0]: row for row in rows}

    healthz = by_name["`/healthz` (the reference)"]
    assert RESULT.match(healthz[1]) and healthz[3] == "1.00"
    # Page 2 of the small firm's list, asked for as its Next link does (after page 1's last).
    [list_row] = [name for name in by_name if name.startswith("accounts list (`/accounts?page=2")]
    assert re.fullmatch(
        r"accounts list \(`/accounts\?page=2&after=\d+`, from the Next link\)", list_row
    )
    for name in (list_row, "API `GET /api/v1/accounts`"):
        row = by_name[name]
        assert RESULT.match(row[1]), row  # no errors: a lost session would be counted as one
        assert re.fullmatch(r"`/healthz` [\d,]+ req/s; one request alone [\d,]+ ms", row[2])
        assert re.fullmatch(r"\d+\.\d\d", row[3]) and float(row[3]) > 0
        assert row[4] == "p95 ≤ 50 ms, ≥ 0.40 of `/healthz`"
        assert row[5] == "met" or re.match(r"short: .* — because one request alone takes", row[5])
    # The gunicorn master and its two workers, each with its peak memory.
    memory = [row for row in rows if row[0].startswith("web: gunicorn")]
    assert [row[0] for row in memory] == [
        "web: gunicorn master",
        "web: gunicorn worker 1",
        "web: gunicorn worker 2",
    ]
    assert all(re.fullmatch(r"\d+ MB", row[6]) and int(row[6][:-3]) > 10 for row in memory)
    assert "## How to reproduce" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "accounts,nonsense"], "--only: unknown nonsense"),
        (["--database-url", "sqlite:///x.db"], "--database-url must be a PostgreSQL URL"),
        (["--seconds", "0"], "must be positive"),
    ],
)
def test_bench_refuses_bad_options_before_building_anything(
    tmp_path: Path, args: list[str], message: str
) -> None:
    output = tmp_path / "benchmarks.md"
    done = _bench(*args, "--output", str(output), timeout=30)
    assert done.returncode == 2
    assert message in done.stderr
    assert not output.exists()
