"""kill -9 the dispatcher at random moments over 1,000 messages: each is delivered exactly once.

The real jobs command (`python -m advocacy jobs run-once mail.dispatch`) runs as two processes at a
time against a local SendGrid that records every request. Each round kills both with SIGKILL, each
at its own random moment: after the server has seen a random number of further requests (zero
included, so some die while starting or claiming), sometimes a little later, so kills also land
between a request's start and its send, between the send and the bookkeeping, or inside a database
write. Between rounds, time passes the way it would in production: SendGrid posts, signed, to the
real `/webhooks/sendgrid` the `processed` and `delivered` events of every request it accepted,
built from the custom args the server received; the events job processes them; the dead
processes' leases run out and the wait before resending an unknown message passes. At the end,
the server must have accepted every message id exactly once: 0 lost, 0 duplicated.
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
from advocacy.models import OutboxMessage
from advocacy.services.mail.events import process_pending_events
from tests.conftest import TEST_SECRET
from tests.factories import queue_staff_notices
from tests.fake_sendgrid import FakeSendGrid
from tests.sendgrid_events import Signer, events_for, post_events

MESSAGES = 1000
ROUNDS = 11  # two processes killed per round: 22 kills
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


class SendGridWebhook:
    """SendGrid's event webhook: posts, signed, the events of every request it accepted, once."""

    def __init__(self, app: Flask, fake: FakeSendGrid, signer: Signer) -> None:
        self.client = app.test_client()
        self.fake = fake
        self.signer = signer
        self.reported = 0

    def post_new_events(self) -> int:
        accepted = self.fake.accepted()
        events = [event for request in accepted[self.reported :] for event in events_for(request)]
        self.reported = len(accepted)
        return post_events(self.client, self.signer, events)


def time_passes(session: Session, webhook: SendGridWebhook) -> None:
    """The webhook reports on what the provider accepted and the events job applies it; leases
    of dead processes run out; the wait before resending an unknown message is over."""
    webhook.post_new_events()
    now = utcnow()
    session.expire_all()
    process_pending_events(session, now)
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


def kill_each_at_a_random_moment(
    processes: list[subprocess.Popen[bytes]], fake: FakeSendGrid, rng: Any
) -> int:
    """SIGKILL each process once the server has seen its own random number of further requests
    (sometimes a few milliseconds later); return how many were killed while still running."""
    targets = sorted(fake.total + rng.choice([0, rng.randint(1, 80)]) for _ in processes)
    killed = 0
    deadline = time.monotonic() + 20
    for process, target in zip(processes, targets, strict=True):
        while fake.total < target and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.001)
        if rng.random() < 0.4:
            time.sleep(rng.uniform(0, 0.03))  # between start and send, send and bookkeeping
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
    return killed


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    app_factory: Any, engine: Engine, database_url: str, fake: FakeSendGrid, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    signer = Signer()
    app = app_factory(sendgrid_webhook_public_key=signer.public_key)
    webhook = SendGridWebhook(app, fake, signer)
    with app.app_context(), Session(engine) as session:
        ids = queue_staff_notices(session, MESSAGES, now=utcnow())
    env = dispatcher_env(database_url, fake, tmp_path / "instance")
    log = tmp_path / "dispatcher.log"
    interrupted = kills = 0
    with Session(engine) as session:
        for _ in range(ROUNDS):
            processes = [start_dispatcher(env, log) for _ in range(2)]
            try:
                kills += kill_each_at_a_random_moment(processes, fake, rng)
            finally:
                codes = [process.wait(timeout=60) for process in processes]
            assert all(code in (0, -signal.SIGKILL) for code in codes), log.read_text()
            caught = count_by_status(session)
            interrupted += caught.get("sending", 0) + caught.get("unknown", 0)
            time_passes(session, webhook)
        for _ in range(3):  # no more kills: let the outbox drain
            counts = count_by_status(session)
            if counts == {"sent": MESSAGES}:
                break
            processes = [start_dispatcher(env, log) for _ in range(2)]
            codes = [process.wait(timeout=60) for process in processes]
            assert codes == [0, 0], log.read_text()
            time_passes(session, webhook)
        assert count_by_status(session) == {"sent": MESSAGES}
    assert kills >= 20, f"only {kills} processes were killed while running"
    assert interrupted > 0, "no kill landed while messages were in flight"
    lost = [i for i in ids if fake.accepted_ids[str(i)] == 0]
    duplicated = {i: n for i, n in fake.accepted_ids.items() if n > 1}
    assert lost == [] and duplicated == {}
    assert sum(fake.accepted_ids.values()) == MESSAGES
