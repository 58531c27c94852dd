"""kill -9 the webhook deliverer at random moments over 300 events: every event reaches the receiver.

The real jobs command (`python -m advocacy jobs run-once webhooks.deliver`) runs as two processes
at a time against a local receiver that verifies each signature. Each round kills both with
SIGKILL once the receiver has seen its own random number of further requests (zero included, so
some die while claiming), sometimes a little later, so kills also land between a request and the
bookkeeping of its answer. Between rounds the dead processes' leases run out. At the end every
delivery is `delivered` and the receiver has accepted every webhook-id at least once: at least
once, never lost; a repeat carries the same id, for the receiver to de-duplicate.
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
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from advocacy.clock import utcnow
from advocacy.domain.webhooks import EventType
from advocacy.models import WebhookDelivery
from advocacy.repository import webhooks
from advocacy.services.webhooks import endpoints
from tests.conftest import TEST_SECRET
from tests.factories import make_user
from tests.webhook_receiver import WebhookReceiver

EVENTS = 300
ROUNDS = 6  # two processes killed per round
SEED = 20261207


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(delay_s=0.002) as server:
        yield server


def deliverer_env(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ADVOCACY_ENV": "test",
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_SECRET_KEY": TEST_SECRET,
        "ADVOCACY_INSTANCE_PATH": str(instance),
        "ADVOCACY_LOG_LEVEL": "WARNING",
        "ADVOCACY_WEBHOOKS_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
        "ADVOCACY_WEBHOOKS_BATCH_SIZE": "10",
    }


def start_deliverer(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "advocacy", "jobs", "run-once", "webhooks.deliver"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )


def leases_run_out(session: Session) -> None:
    session.exec(  # type: ignore[call-overload]
        update(WebhookDelivery)
        .where(col(WebhookDelivery.status) == "sending")
        .values(lease_expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()


def count_by_status(session: Session) -> dict[str, int]:
    session.expire_all()
    counts: dict[str, int] = {}
    for status in session.exec(select(WebhookDelivery.status)).all():
        counts[status] = counts.get(status, 0) + 1
    return counts


def kill_each_at_a_random_moment(
    processes: list[subprocess.Popen[bytes]], receiver: WebhookReceiver, rng: Any
) -> int:
    seen = len(receiver.events)
    targets = sorted(seen + rng.choice([0, rng.randint(1, 40)]) for _ in processes)
    killed = 0
    # Generous: on a loaded machine a jobs process can take half a minute to start; the kill
    # comes when the receiver has seen the target, whatever the time.
    deadline = time.monotonic() + 120
    for process, target in zip(processes, targets, strict=True):
        while (
            len(receiver.events) < target and time.monotonic() < deadline and process.poll() is None
        ):
            time.sleep(0.001)
        if rng.random() < 0.4:
            time.sleep(rng.uniform(0, 0.02))  # between a request and its bookkeeping
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
    return killed


def test_sigkill_at_random_moments_loses_no_event(
    app_factory: Any,
    engine: Engine,
    database_url: str,
    receiver: WebhookReceiver,
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    app = app_factory(webhooks_allowed_private_networks="127.0.0.0/8")
    with app.app_context(), Session(engine) as session:
        admin = make_user(session, role="admin")
        registered = endpoints.register_endpoint(
            session,
            app.config["ADVOCACY"],
            url=receiver.url,
            events=["referral.received"],
            scope="internal",
            by=admin,
            now=utcnow(),
        )
        receiver.secret = registered.secret
        for number in range(EVENTS):
            webhooks.record_event(
                session, EventType.REFERRAL_RECEIVED, {"referral_id": number}, now=utcnow()
            )
        session.commit()
        message_ids = set(session.exec(select(WebhookDelivery.message_id)).all())
    assert len(message_ids) == EVENTS
    env = deliverer_env(database_url, tmp_path / "instance")
    log = tmp_path / "deliverer.log"
    kills = interrupted = 0
    with Session(engine) as session:
        for _ in range(ROUNDS):
            processes = [start_deliverer(env, log) for _ in range(2)]
            try:
                kills += kill_each_at_a_random_moment(processes, receiver, rng)
            finally:
                codes = [process.wait(timeout=180) for process in processes]
            assert all(code in (0, -signal.SIGKILL) for code in codes), log.read_text()
            interrupted += count_by_status(session).get("sending", 0)
            leases_run_out(session)
        for _ in range(3):  # no more kills: let the outbox drain
            if count_by_status(session) == {"delivered": EVENTS}:
                break
            processes = [start_deliverer(env, log) for _ in range(2)]
            assert [process.wait(timeout=300) for process in processes] == [0, 0], log.read_text()
            leases_run_out(session)
        assert count_by_status(session) == {"delivered": EVENTS}
    assert kills >= 8, f"only {kills} processes were killed while running"
    assert interrupted > 0, "no kill landed while deliveries were in flight"
    assert receiver.rejected == []
    assert set(receiver.ids) == message_ids  # none lost; repeats carry the same id
    received_numbers = {event.data["referral_id"] for event in receiver.accepted()}
    assert received_numbers == set(range(EVENTS))
