"""Benchmark: dispatch 10,000 queued e-mails to a local SendGrid-compatible server.

    .venv/bin/python benchmarks/mail_dispatch.py [--messages 10000] [--record]

The server (tests/fake_sendgrid.py) runs in its own process, so it does not share a GIL with the
dispatcher. In the same run the script measures that server's raw ceiling: the very same JSON
payloads POSTed with plain `http.client` keep-alive connections, as many threads as the adapter
uses, no database and no library. Then the product dispatches the outbox with its default
settings (batch size, threads): claim under a lease, send-time checks, the `sendgrid` library,
bookkeeping. The server's counters must show every message accepted exactly once.

Messages are queued by rendering one real e-mail through `queue_email` and writing copies with
their own recipient and idempotency key in bulk: queueing speed is not what is measured here.
`--record` appends the result to docs/benchmarks.md (one write, so parallel appends do not mix).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from advocacy import migrate  # noqa: E402
from advocacy.adapters.sendgrid_mail import SendGridSender  # noqa: E402
from advocacy.app import create_app  # noqa: E402
from advocacy.db import build_engine  # noqa: E402
from advocacy.domain.outbox import OutgoingMail  # noqa: E402
from advocacy.models import OutboxMessage  # noqa: E402
from advocacy.services.dispatch import dispatch_due  # noqa: E402
from advocacy.services.mail import queue_email  # noqa: E402

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


def ceiling(port: int, payloads: list[bytes], threads: int) -> float:
    """Messages/s of plain keep-alive POSTs of the same payloads: the server's limit."""
    local = threading.local()
    connections: list[http.client.HTTPConnection] = []
    headers = {"Content-Type": "application/json", "Authorization": "Bearer SG.benchmark"}

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    server, port = start_server()
    workdir = tempfile.TemporaryDirectory()
    try:
        url = os.environ.get("ADVOCACY_BENCH_DATABASE_URL") or f"sqlite:///{workdir.name}/b.db"
        migrate.upgrade(url)
        app = create_app(
            {
                "env": "test",
                "database_url": url,
                "instance_path": workdir.name,
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
            ids = queue(session, args.messages)
            rows = session.exec(select(OutboxMessage)).all()
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
                for r in rows
            ]
        sender = SendGridSender(settings)
        payloads = [json.dumps(sender.build(mail).get()).encode() for mail in mails]
        raw = ceiling(port, payloads, sender.threads)
        server_call(port, "POST", "/_reset")
        started = time.perf_counter()
        report = dispatch_due(
            engine, settings, sender, now=NOW, worker_id="benchmark", max_batches=10**6
        )
        elapsed = time.perf_counter() - started
        sender.close()
        after = server_call(port, "GET", "/_stats")
        engine.dispose()
        app.extensions["advocacy.engine"].dispose()
    finally:
        server.terminate()
        server.wait(timeout=10)
        workdir.cleanup()
    accepted = after["accepted"]
    assert report["sent"] == len(ids) == accepted == after["unique"], (report.counts, after)
    assert after["duplicates"] == 0, after
    rate = len(ids) / elapsed
    database = url.split(":", 1)[0] if "ADVOCACY_BENCH_DATABASE_URL" in os.environ else "sqlite"
    lines = [
        f"- {len(ids):,} messages dispatched in {elapsed:.2f} s: **{rate:,.0f} messages/s**",
        f"- server ceiling in the same run (plain keep-alive POSTs, same payloads, "
        f"{sender.threads} threads): **{raw:,.0f} messages/s**; the product reaches "
        f"**{rate / raw:.0%}** of it",
        f"- the server accepted {accepted:,} requests for {after['unique']:,} distinct message "
        f"ids: 0 lost, {after['duplicates']} duplicated",
        f"- settings: batch size {settings.mail_batch_size}, {sender.threads} sender threads, "
        f"database {database}; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end (other work on the machine)",
    ]
    print("\n".join(lines))
    if args.record:
        section = (
            "\n## Mail dispatch (benchmarks/mail_dispatch.py)\n\n"
            + f"Run on {datetime.now(UTC):%Y-%m-%d}. Target: ≥ 2,000 messages/s and ≥ 1/3 of the "
            + "server's ceiling.\n\n"
            + "\n".join(lines)
            + "\n"
        )
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as handle:
            handle.write(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
