"""kill -9 the dispatcher at random points over 1,000 messages: each is delivered exactly once.

The real jobs command (`python -m advocacy jobs run-once mail.dispatch`) runs as two processes at a
time against a local SendGrid that records every request. Each round kills both with SIGKILL when
the server has seen a random number of further requests (sometimes a little later, so kills also
land between the send and the bookkeeping, or inside a database write). Between rounds, time passes
the way it would in production: the dead processes' leases run out, and the provider's webhook
reports on every message it accepted (simulated here by storing the events, as the webhook does).
Then the next processes start. At the end, the server must have accepted every message id exactly
once: 0 lost, 0 duplicated.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from advocacy.clock import utcnow
from advocacy.models import MailEvent, OutboxMessage
from tests.conftest import TEST_SECRET
from tests.factories import queue_staff_notices
from tests.fake_sendgrid import FakeSendGrid

MESSAGES = 1000
ROUNDS = 5
SEED = 20261123
UNKNOWN_WAIT = timedelta(minutes=60)


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as server:
        yield server


def dispatcher_env(database_url: str, fake: FakeSendGrid, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ADVOCACY_ENV": "test",
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_SECRET_KEY": TEST_SECRET,
        "ADVOCACY_INSTANCE_PATH": str(instance),
        "ADVOCACY_LOG_LEVEL": "WARNING",
        "ADVOCACY_MAIL_BACKEND": "sendgrid",
        "ADVOCACY_SENDGRID_API_KEY": "SG.crash-test",
        "ADVOCACY_SENDGRID_HOST": fake.url,
        "ADVOCACY_MAIL_BATCH_SIZE": "25",
        "ADVOCACY_MAIL_UNKNOWN_RESEND_AFTER_MINUTES": str(UNKNOWN_WAIT.seconds // 60),
    }


def start_dispatcher(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "advocacy", "jobs", "run-once", "mail.dispatch"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )


def time_passes(session: Session, fake: FakeSendGrid) -> None:
    """Leases of dead processes run out; the webhook reports on what the provider accepted; the
    wait before resending an unknown message is over."""
    now = utcnow()
    reported = set(session.exec(select(MailEvent.message_id)).all())
    for message_id in sorted({int(i) for i in fake.accepted_ids} - reported):
        session.add(
            MailEvent(
                provider_event_id=f"sim-{message_id}",
                message_id=message_id,
                event="processed",
                occurred_at=now,
                payload_json="{}",
                received_at=now,
            )
        )
    session.commit()
    session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == "sending")
        .values(lease_expires_at=now - UNKNOWN_WAIT - timedelta(seconds=1))
    )
    session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == "unknown")
        .values(next_attempt_at=now - timedelta(seconds=1))
    )
    session.commit()


def count_by_status(session: Session) -> dict[str, int]:
    session.expire_all()
    counts: dict[str, int] = {}
    for status in session.exec(select(OutboxMessage.status)).all():
        counts[status] = counts.get(status, 0) + 1
    return counts


def kill_when(processes: list[subprocess.Popen[bytes]], fake: FakeSendGrid, rng: Any) -> None:
    target = fake.total + rng.randint(1, 300)
    deadline = time.monotonic() + 20
    while fake.total < target and time.monotonic() < deadline:
        if all(process.poll() is not None for process in processes):
            return
        time.sleep(0.001)
    if rng.random() < 0.3:
        time.sleep(rng.uniform(0, 0.05))  # between the send and the bookkeeping, or in a write
    for process in processes:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)


def test_sigkill_at_random_points_loses_and_duplicates_nothing(
    app: Flask, engine: Engine, database_url: str, fake: FakeSendGrid, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    with app.app_context(), Session(engine) as session:
        ids = queue_staff_notices(session, MESSAGES, now=utcnow())
    env = dispatcher_env(database_url, fake, tmp_path / "instance")
    log = tmp_path / "dispatcher.log"
    interrupted = 0
    with Session(engine) as session:
        for _ in range(ROUNDS):
            processes = [start_dispatcher(env, log) for _ in range(2)]
            try:
                kill_when(processes, fake, rng)
            finally:
                codes = [process.wait(timeout=60) for process in processes]
            assert all(code in (0, -signal.SIGKILL) for code in codes), log.read_text()
            caught = count_by_status(session)
            interrupted += caught.get("sending", 0) + caught.get("unknown", 0)
            time_passes(session, fake)
        for _ in range(3):  # no more kills: let the outbox drain
            counts = count_by_status(session)
            if counts == {"sent": MESSAGES}:
                break
            processes = [start_dispatcher(env, log) for _ in range(2)]
            codes = [process.wait(timeout=60) for process in processes]
            assert codes == [0, 0], log.read_text()
            time_passes(session, fake)
        assert count_by_status(session) == {"sent": MESSAGES}
    assert interrupted > 0, "no kill landed while messages were in flight"
    lost = [i for i in ids if fake.accepted_ids[str(i)] == 0]
    duplicated = {i: n for i, n in fake.accepted_ids.items() if n > 1}
    assert lost == [] and duplicated == {}
    assert sum(fake.accepted_ids.values()) == MESSAGES
