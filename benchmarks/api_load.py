"""Benchmark (not a test): the library endpoint of the JSON API under load, on the production server.

    .venv/bin/python benchmarks/api_load.py [--testimonials 3000] [--requests 2000] [--threads 8]

Builds a fresh SQLite file with a few thousand testimonials (with their permissions), starts
gunicorn on 127.0.0.1 as the README says (`gunicorn -w 2 -k gthread --threads 8 ...
'advocacy:create_app()'`), and drives it over loopback with a bounded loop: a fixed number of
requests per endpoint, a time cap, keep-alive connections, one per thread. Reports requests/s and
latency percentiles of `GET /api/v1/testimonials` (publish and read tokens) next to `GET /healthz`
of the same server in the same run, so the ratio can be compared across machines.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from advocacy import migrate  # noqa: E402
from advocacy.db import build_engine  # noqa: E402
from advocacy.models import (  # noqa: E402
    AccountCreate,
    ContactCreate,
    PermissionChange,
    Testimonial,
    TestimonialPermission,
    User,
)
from advocacy.services.access import tokens  # noqa: E402
from advocacy.services.journey.accounts import add_account  # noqa: E402
from advocacy.services.journey.people import add_contact_to  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
USES = [
    {"named_public": None, "logo": None},
    {"anonymised_public": None},
    {"internal": None},
    {"named_public": None, "reference_calls": None},
]
STATUSES = ["published", "published", "published", "approved", "submitted"]
TIME_CAP_S = 60.0


def build_database(path: Path, testimonials: int) -> tuple[str, str]:
    """A migrated SQLite file with `testimonials` quotes; returns (publish secret, read secret)."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = build_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        marketer = User(email="mia@firm.example", role="marketing", active=True, created_at=NOW)
        session.add(marketer)
        session.commit()
        contacts = []
        for n in range(max(1, testimonials // 10)):
            account = add_account(
                session,
                AccountCreate(name=f"Client {n}", industry=["Banking", "Energy", "Retail"][n % 3]),
                by=None,
                now=NOW,
            )
            contacts.append(
                add_contact_to(session, account, ContactCreate(full_name=f"Person {n}"), now=NOW)
            )
        session.commit()
        for n in range(testimonials):
            contact = contacts[n % len(contacts)]
            row = Testimonial(
                account_id=contact.account_id,
                contact_id=contact.id,
                origin="client",
                status=STATUSES[n % len(STATUSES)],
                body=f"Working with the firm on matter {n} was clear and on time.",
                body_html=f"<p>Working with the firm on matter {n} was clear and on time.</p>",
                rating=1 + n % 5,
                display_name=f"Person {n}",
                display_title="CFO",
                display_company=f"Client {n}",
                industry=["Banking", "Energy", "Retail"][n % 3],
                outcomes="Faster close, Lower risk",
                created_at=NOW,
                updated_at=NOW,
                published_at=NOW,
            )
            session.add(row)
            session.flush()
            for use in USES[n % len(USES)]:
                session.add(TestimonialPermission(testimonial_id=row.id, use=use, granted_at=NOW))
                session.add(
                    PermissionChange(
                        testimonial_id=row.id, contact_id=contact.id, use=use, action="grant",
                        wording="benchmark", via="link", at=NOW,
                    )
                )  # fmt: skip
        session.commit()
        assert marketer.id is not None
        publish = tokens.create_token(session, marketer.id, ["publish"], now=NOW).secret
        read = tokens.create_token(session, marketer.id, ["read"], now=NOW).secret
    engine.dispose()
    return publish, read


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database: Path, port: int, instance: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ADVOCACY_ENV": "production",
        "ADVOCACY_SECRET_KEY": secrets.token_urlsafe(48),
        "ADVOCACY_DATABASE_URL": f"sqlite:///{database}",
        "ADVOCACY_INSTANCE_PATH": str(instance),
        "ADVOCACY_BASE_URL": f"http://127.0.0.1:{port}",
        "ADVOCACY_LOG_LEVEL": "WARNING",
        # The benchmark measures the server, not the per-token limit.
        "ADVOCACY_API_RATE_LIMIT": "10000000 per minute",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn), "-w", "2", "-k", "gthread", "--threads", "8",
        "-b", f"127.0.0.1:{port}", "--log-level", "warning", "advocacy:create_app()",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - a fixed command line
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status in (200, 503):
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 s")


@dataclass
class Run:
    name: str
    latencies: list[float]
    seconds: float
    errors: int

    def row(self) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        rate = len(ordered) / self.seconds if self.seconds else 0.0
        return (
            f"| {self.name} | {len(ordered):,} | {self.errors} | {rate:,.0f} | "
            f"{pct(0.50):.1f} | {pct(0.90):.1f} | {pct(0.99):.1f} | "
            f"{statistics.fmean(ordered) * 1000:.1f} |"
        )


def drive(
    name: str, port: int, path: str, headers: dict[str, str], total: int, threads: int
) -> Run:
    """`total` GETs of `path` from `threads` keep-alive connections, stopped at the time cap."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [total]
    stop_at = time.monotonic() + TIME_CAP_S

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                mine.append(elapsed)
            else:
                with lock:
                    errors[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Run(name, latencies, time.perf_counter() - began, errors[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testimonials", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        started = time.perf_counter()
        publish, read = build_database(database, args.testimonials)
        print(f"built {args.testimonials:,} testimonials in {time.perf_counter() - started:.1f} s")
        port = free_port()
        server = start_server(database, port, Path(folder) / "instance")
        try:
            library = "/api/v1/testimonials?limit=50"
            runs = []
            for name, path, secret in [
                ("GET /healthz", "/healthz", None),
                ("GET /api/v1/testimonials?limit=50 (publish)", library, publish),
                ("GET /api/v1/testimonials?limit=50 (read)", library, read),
                ("GET /api/v1/testimonials?tag=lower%20risk&limit=50 (publish)",
                 "/api/v1/testimonials?tag=lower%20risk&limit=50", publish),
            ]:  # fmt: skip
                headers = {"Authorization": f"Bearer {secret}"} if secret else {}
                drive(name, port, path, headers, min(100, args.requests), args.threads)  # warm-up
                runs.append(drive(name, port, path, headers, args.requests, args.threads))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"machine: {platform.platform()}, {platform.machine()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"gunicorn -w 2 -k gthread --threads 8, {args.threads} client threads, keep-alive")
    print("| endpoint | requests | errors | req/s | p50 ms | p90 ms | p99 ms | mean ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        print(run.row())
    base = len(runs[0].latencies) / runs[0].seconds
    for run in runs[1:]:
        rate = len(run.latencies) / run.seconds
        print(f"ratio to /healthz, {run.name}: {rate / base:.3f}")


if __name__ == "__main__":
    main()
