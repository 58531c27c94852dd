"""Benchmark: dispatch 10,000 queued e-mails to a local SendGrid-compatible server.

    .venv/bin/python benchmarks/mail_dispatch.py [--messages 10000] [--runs 3]

The server (tests/fake_sendgrid.py) runs in its own process, so it does not share a GIL with the
dispatcher. Each run queues a fresh outbox, then measures, one after the other so all three see
the same machine load:
1. the raw ceiling: the very requests the product sends (same URL, headers and JSON bytes),
   written to kept-alive sockets by a client that does nothing else, as many threads as the
   adapter uses: what the server and the machine can take;
2. for reference, the same payloads POSTed with `http.client` keep-alive connections;
3. the product: `dispatch_due` with its default settings (batch size, threads) from the first
   claim to the last bookkeeping write: leases, send-time checks, the `sendgrid` library's
   payload, URL, headers and error classes, one request per message, outcomes recorded.
The server's counters must show every message accepted exactly once. The CPU the dispatcher
process and the server process used during step 3 is reported per message: on a shared machine
the rates move with other people's work, the CPU per message much less.

Messages are queued by rendering one real e-mail through `queue_email` and writing copies with
their own recipient and idempotency key in bulk: queueing speed is not what is measured here.
They are transactional staff notices, so the pressure query (client-facing mail only) does not run.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from advocacy import migrate  # noqa: E402
from advocacy.adapters.sendgrid_mail import SendGridSender  # noqa: E402
from advocacy.app import create_app  # noqa: E402
from advocacy.db import build_engine  # noqa: E402
from advocacy.domain.outbox import OutgoingMail  # noqa: E402
from advocacy.models import OutboxMessage  # noqa: E402
from advocacy.services.mail.dispatch import dispatch_due  # noqa: E402
from advocacy.services.mail.queue import queue_email  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def start_server() -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_sendgrid"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    port = int(server.stdout.readline().split()[1])
    return server, port


def server_call(port: int, method: str, path: str) -> dict[str, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        body = connection.getresponse().read()
        return json.loads(body) if body else {}
    finally:
        connection.close()


def queue(session: Session, count: int) -> list[int]:
    first = queue_email(
        session,
        category="transactional",
        template="staff_notice",
        to="staff0@firm.example",
        source=("benchmark", 0),
        context={
            "title": "Your weekly check-ins",
            "message": "Three clients are due a call. " * 20,
        },
        now=NOW,
    )
    template = session.get(OutboxMessage, first.message_id)
    assert template is not None
    row = template.model_dump(exclude={"id"})
    rows = [
        {**row, "idempotency_key": f"benchmark:{n}", "to_email": f"staff{n}@firm.example"}
        for n in range(1, count)
    ]
    session.exec(insert(OutboxMessage), params=rows)  # type: ignore[call-overload]
    session.commit()
    return list(session.exec(select(OutboxMessage.id)).all())


def ceiling_raw(port: int, requests: list[bytes], threads: int) -> float:
    """Messages/s of the same requests written to kept-alive sockets: the server's limit.

    The client does the least a client can: one prebuilt request per write, then reads up to the
    end of the answer (headers, then Content-Length bytes). Nothing else in this process runs, so
    this is what the server (and the machine) can take, not what a particular HTTP client can.
    """
    local = threading.local()
    sockets: list[socket.socket] = []

    def post(request: bytes) -> int:
        state = getattr(local, "state", None)
        if state is None:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sockets.append(sock)
            state = local.state = [sock, b""]
        sock, buffered = state
        sock.sendall(request)
        while b"\r\n\r\n" not in buffered:
            buffered += sock.recv(65536)
        head, _, rest = buffered.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        while len(rest) < length:
            rest += sock.recv(65536)
        state[1] = rest[length:]
        return int(head[9:12])

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(post, requests))
    elapsed = time.perf_counter() - started
    for sock in sockets:
        sock.close()
    assert statuses.count(202) == len(requests), statuses[:5]
    return len(requests) / elapsed


def ceiling_http_client(
    port: int, headers: dict[str, str], payloads: list[bytes], threads: int
) -> float:
    """Messages/s of the same payloads POSTed with `http.client` keep-alive connections."""
    local = threading.local()
    connections: list[http.client.HTTPConnection] = []

    def post(body: bytes) -> int:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection("127.0.0.1", port)
            connections.append(connection)
        connection.request("POST", "/v3/mail/send", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(post, payloads))
    elapsed = time.perf_counter() - started
    for connection in connections:
        connection.close()
    assert statuses.count(202) == len(payloads)
    return len(payloads) / elapsed


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    raw: float
    http_client: float
    rate: float
    dispatcher_cpu: float
    server_cpu: float
    load: float
    batch_size: int
    threads: int


def table(runs: list[Run], count: int) -> list[str]:
    """One row per run: both ceilings, the product, its share, CPU per message on each side."""
    lines = [
        f"{count:,} messages per run",
        "| run | raw ceiling/s | http.client/s | product/s | product / raw "
        "| dispatcher CPU/msg | server CPU/msg | load |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for number, run in enumerate(runs, start=1):
        lines.append(
            f"| {number} | {run.raw:,.0f} | {run.http_client:,.0f} | **{run.rate:,.0f}** "
            f"| {run.rate / run.raw:.0%} | {run.dispatcher_cpu * 1e6:.0f} µs "
            f"| {run.server_cpu * 1e6:.0f} µs | {run.load:.1f} |"
        )
    return lines


def one_run(port: int, server_pid: int, workdir: str, index: int, count: int) -> Run:
    """Queue `count` messages, measure the ceilings, then dispatch them with the product."""
    url = os.environ.get("ADVOCACY_BENCH_DATABASE_URL") or f"sqlite:///{workdir}/b{index}.db"
    migrate.upgrade(url)
    app = create_app(
        {
            "env": "test",
            "database_url": url,
            "instance_path": workdir,
            "secret_key": "benchmark-secret-key-long-enough-0123456789abcdef",
            "log_level": "WARNING",
            "mail_backend": "sendgrid",
            "sendgrid_api_key": "SG.benchmark",
            "sendgrid_host": f"http://127.0.0.1:{port}",
        }
    )
    settings = app.config["ADVOCACY"]
    engine = build_engine(url)
    with app.app_context(), Session(engine) as session:
        session.exec(delete(OutboxMessage))  # type: ignore[call-overload]
        ids = queue(session, count)
        mails = [
            OutgoingMail(
                r.id or 0,
                r.category,
                r.to_email,
                r.to_name,
                r.subject,
                r.html_body,
                r.text_body,
                json.loads(r.headers_json),
            )
            for r in session.exec(select(OutboxMessage)).all()
        ]
    sender = SendGridSender(settings)
    # The very bytes the product sends: its payloads, the library's URL and headers.
    payloads = [json.dumps(sender.payload(mail)).encode() for mail in mails]
    requests = [b"%s%d\r\n\r\n%s" % (sender.head, len(body), body) for body in payloads]
    raw = ceiling_raw(port, requests, sender.threads)
    reference = ceiling_http_client(port, sender.headers, payloads, sender.threads)
    server_call(port, "POST", "/_reset")
    # What the ceilings needed is not the dispatcher's to carry (nor to garbage-collect).
    del mails, payloads, requests
    gc.collect()
    cpu, server_cpu = time.process_time(), process_cpu(server_pid)
    started = time.perf_counter()
    report = dispatch_due(
        engine, settings, sender, now=NOW, worker_id="benchmark", max_batches=10**6
    )
    elapsed = time.perf_counter() - started
    cpu, server_cpu = time.process_time() - cpu, process_cpu(server_pid) - server_cpu
    sender.close()
    after = server_call(port, "GET", "/_stats")
    engine.dispose()
    app.extensions["advocacy.engine"].dispose()
    assert report["sent"] == len(ids) == after["accepted"] == after["unique"], (report, after)
    assert after["duplicates"] == 0, after
    return Run(
        raw,
        reference,
        len(ids) / elapsed,
        cpu / len(ids),
        server_cpu / len(ids),
        os.getloadavg()[0],
        settings.mail_batch_size,
        sender.threads,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh outbox each run; median")
    args = parser.parse_args()
    server, port = start_server()
    workdir = tempfile.TemporaryDirectory()
    load_before = os.getloadavg()[0]
    try:
        runs = [one_run(port, server.pid, workdir.name, n, args.messages) for n in range(args.runs)]
    finally:
        server.terminate()
        server.wait(timeout=10)
        workdir.cleanup()
    lines = table(runs, args.messages)
    database = "postgresql" if "ADVOCACY_BENCH_DATABASE_URL" in os.environ else "sqlite"
    rate = statistics.median(run.rate for run in runs)
    ratio = statistics.median(run.rate / run.raw for run in runs)
    lines += [
        "",
        f"median: **{rate:,.0f} messages/s**, **{ratio:.0%}** of the raw ceiling; "
        f"target ≥ 2,000 messages/s and ≥ 1/3 of the ceiling: "
        f"{'met' if rate >= 2000 and ratio >= 1 / 3 else 'NOT met'}",
        f"every run: the server accepted each of the {args.messages:,} message ids exactly once "
        "(0 lost, 0 duplicated)",
        f"database {database}, batch size {runs[0].batch_size}, {runs[0].threads} sender "
        f"threads; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
