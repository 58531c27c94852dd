"""The web half of `dev.py bench`: gunicorn as deployed, locust headless, one page per run."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
THREADS = 4  # per worker, as deploy/advocacy-web.service runs it


@dataclass
class Page:
    """One row of the table: what locust asks for, and how it is judged."""

    key: str
    label: str
    paths: list[str]
    auth: str = "cookie"  # cookie, token, sign-in or none
    p95_target_ms: float = 50.0
    ratio_target: float | None = 0.40


@dataclass
class Measured:
    page: Page
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    per_second: float
    alone_ms: float = 0.0  # one request at a time, before the load


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    workers: int
    folder: tempfile.TemporaryDirectory[str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, workers: int) -> Server:
    """gunicorn with the production settings and the command line of deploy/advocacy-web.service."""
    port = free_port()
    folder = tempfile.TemporaryDirectory(prefix="advocacy-bench-web-")
    env = {
        **os.environ,
        "ADVOCACY_ENV": "production",
        "ADVOCACY_SECRET_KEY": secrets.token_urlsafe(48),
        "ADVOCACY_DATABASE_URL": url,
        "ADVOCACY_INSTANCE_PATH": folder.name,
        # Plain HTTP on loopback: without https the session cookie is not marked Secure.
        "ADVOCACY_BASE_URL": f"http://127.0.0.1:{port}",
        "ADVOCACY_LOG_LEVEL": "WARNING",
        # The bench measures the server, not the per-token limit.
        "ADVOCACY_API_RATE_LIMIT": "10000000 per minute",
    }
    command = [
        str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(THREADS),
        "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "20", "--access-logfile", "-",
        "--log-level", "warning", "advocacy.app:create_app()",
    ]  # fmt: skip
    if int(version("gunicorn").split(".")[0]) >= 27:
        # Its control socket's default path is one per machine account: several servers clash.
        command.insert(1, "--no-control-socket")
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    server = Server(process, port, workers, folder)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {process.returncode})")
        try:
            if requests.get(server.base + "/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.folder.cleanup()


def peak_memory_mb(server: Server) -> dict[str, float]:
    """Peak resident memory (VmHWM) of the gunicorn master and of each worker, in MB."""

    def hwm(pid: int) -> float:
        status = Path(f"/proc/{pid}/status").read_text()
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return int(found.group(1)) / 1024 if found else 0.0

    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = {"gunicorn master": hwm(master)}
    for number, pid in enumerate(sorted(int(child) for child in children), start=1):
        peaks[f"gunicorn worker {number}"] = hwm(pid)
    return peaks


def sign_in(server: Server, email: str, password: str) -> tuple[str, float]:
    """A session cookie (`name=value`) from a real password sign-in, and its time in ms."""
    browser = requests.Session()
    form = browser.get(server.base + "/login", timeout=30)
    found = CSRF.search(form.text)
    if found is None:
        raise SystemExit("the sign-in page has no CSRF token")
    started = time.perf_counter()
    answer = browser.post(
        server.base + "/login",
        data={"csrf_token": found.group(1), "email": email, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    elapsed = (time.perf_counter() - started) * 1000
    cookie = browser.cookies.get("advocacy_session")
    if answer.status_code != 302 or not cookie:
        raise SystemExit(f"the bench could not sign in as {email} (HTTP {answer.status_code})")
    return f"advocacy_session={cookie}", elapsed


def warm_up(server: Server, page: Page, cookie: str, token: str) -> float:
    """Ask for each path a few times first (workers import and cache lazily on first use), then
    a few more, one at a time: the median of those is the page's time alone, in ms."""
    browser = requests.Session()
    if page.auth == "token":
        browser.headers["Authorization"] = f"Bearer {token}"
    if page.auth == "cookie":
        name, _, value = cookie.partition("=")
        browser.cookies.set(name, value)
    first = page.paths[: server.workers * 2]
    times = []
    for number, path in enumerate(first + (first * 3)[: max(3, len(first))]):
        started = time.perf_counter()
        answer = browser.get(server.base + path, allow_redirects=False, timeout=120)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code} before the load started")
        if number >= len(first):
            times.append((time.perf_counter() - started) * 1000)
    browser.close()
    return statistics.median(times)


def run_locust(
    server: Server, page: Page, *, users: int, seconds: float, cookie: str, token: str, sign: str
) -> Measured:
    """Locust headless, `users` users for `seconds` on one page; its final statistics for it."""
    env = {
        **os.environ,
        "BENCH_NAME": page.key,
        "BENCH_PATHS": "\n".join(page.paths),
        "BENCH_COOKIE": cookie if page.auth == "cookie" else "",
        "BENCH_TOKEN": token if page.auth == "token" else "",
        "BENCH_SIGN_IN": sign if page.auth == "sign-in" else "",
    }
    command = [
        str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
        "--host", server.base, "--users", str(users), "--spawn-rate", str(users * 100),
        "--run-time", f"{seconds:g}s", "--stop-timeout", "30", "--json", "--only-summary",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="advocacy-bench-locust-") as folder:
        done = subprocess.run(  # noqa: S603 - a fixed command line
            command, env=env, cwd=folder, capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        raise SystemExit(f"locust failed on {page.key}:\n{done.stderr[-2000:]}")
    # The final statistics, printed once every user has finished its last request.
    entries = json.loads(done.stdout)
    row = next((entry for entry in entries if entry["name"] == page.key), None)
    if row is None or row["num_requests"] == 0:
        raise SystemExit(f"locust made no request for {page.key}:\n{done.stderr[-2000:]}")
    histogram = sorted((float(ms), count) for ms, count in row["response_times"].items())
    span = row["last_request_timestamp"] - row["start_time"]
    return Measured(
        page,
        requests=row["num_requests"],
        failures=row["num_failures"],
        p50_ms=percentile(histogram, 0.50),
        p95_ms=percentile(histogram, 0.95),
        per_second=row["num_requests"] / span if span > 0 else 0.0,
    )


def percentile(histogram: list[tuple[float, int]], share: float) -> float:
    """The response time under which `share` of the requests fall (locust's rounded buckets)."""
    total = sum(count for _, count in histogram)
    seen = 0
    for milliseconds, count in histogram:
        seen += count
        if seen >= share * total:
            return milliseconds
    return histogram[-1][0]


def argon2_verify_ms(runs: int = 15) -> float:
    """Median time of one password verification (the sign-in's floor, deliberate cost)."""
    sys.path.insert(0, str(ROOT))
    from advocacy.adapters.passwords import hash_password, verify_password

    hashed = hash_password("benchmark password 0123")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        verify_password(hashed, "benchmark password 0123")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def locust_version() -> str:
    done = subprocess.run(  # noqa: S603 - a fixed command line
        [str(BIN / "locust"), "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"locust ([\d.]+)", done.stdout + done.stderr)
    return found.group(1) if found else "?"
