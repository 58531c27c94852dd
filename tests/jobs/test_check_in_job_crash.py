"""kill -9 the check-in job half-way, twice at once, again and again: no account ever gets two
open check-ins, and a last clean run leaves exactly one per due account.

The real command (`python -m advocacy jobs run-once checkins.generate`) runs as two processes at
a time over a few thousand accounts; each round kills both with SIGKILL after a random delay.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from advocacy.clock import utcnow
from advocacy.models import Account, CheckIn, User
from tests.conftest import TEST_SECRET

ACCOUNTS = 3000
ROUNDS = 4
SEED = 20261201


def job_env(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ADVOCACY_ENV": "test",
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_SECRET_KEY": TEST_SECRET,
        "ADVOCACY_INSTANCE_PATH": str(instance),
        "ADVOCACY_LOG_LEVEL": "WARNING",
    }


def start_job(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "advocacy", "jobs", "run-once", "checkins.generate"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )


def between_accounts(engine: Engine, count: int) -> None:
    """`count` accounts between engagements for a year without a word: all due for a check-in."""
    now = utcnow()
    with Session(engine) as session:
        owner = User(email="owner@firm.example", role="account_manager", created_at=now)
        session.add(owner)
        session.commit()
        rows = [
            {
                "name": f"Client {n}",
                "industry": "",
                "size_band": "",
                "country": "",
                "notes": "",
                "owner_id": owner.id,
                "stage": "between",
                "stage_since": now - timedelta(days=365),
                "camp": "unknown",
                "camp_reason": "",
                "do_not_ask": False,
                "source": "manual",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        session.execute(insert(Account), rows)
        session.commit()


def open_per_account(engine: Engine) -> list[tuple[int, int]]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(CheckIn.account_id, func.count())
                .where(CheckIn.status == "open")
                .group_by(col(CheckIn.account_id))
            )
        )


def test_killed_and_racing_check_in_jobs_never_create_a_check_in_twice(
    engine: Engine, database_url: str, tmp_path: Path
):
    between_accounts(engine, ACCOUNTS)
    env = job_env(database_url, tmp_path)
    log = tmp_path / "jobs.log"
    chance = random.Random(SEED)
    for _round in range(ROUNDS):
        jobs = [start_job(env, log), start_job(env, log)]
        time.sleep(chance.uniform(1.0, 6.0))
        for job in jobs:
            if job.poll() is None:
                job.send_signal(signal.SIGKILL)
            job.wait(timeout=60)
        assert all(count == 1 for _account, count in open_per_account(engine))
    # A clean run finishes the work; a second one adds nothing.
    for _ in range(2):
        last = start_job(env, log)
        assert last.wait(timeout=300) == 0, log.read_text()[-3000:]
    counts = open_per_account(engine)
    assert len(counts) == ACCOUNTS
    assert {count for _account, count in counts} == {1}
