"""kill -9 the nurture run at random moments: no contact ever gets a step twice, and no step is lost.

The real command (`python -m advocacy jobs run-once nurture.run`) runs, two processes at a time,
over a campaign of two steps (an e-mail with fixed content, then a task for the account manager)
and a couple of thousand contacts, written a hundred per transaction. Each round kills both with
SIGKILL, each after its own random delay; clean runs follow until there is nothing left to do. At
the end every contact has exactly one e-mail, one task and two step records, and every enrolment
is complete.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from advocacy.clock import utcnow
from advocacy.models import (
    Account,
    Contact,
    ContentItemCreate,
    Enrolment,
    JourneySignal,
    OutboxMessage,
    Person,
    StepRecord,
    User,
)
from advocacy.services.content.items import create_item
from advocacy.services.nurture import campaigns
from tests.conftest import TEST_SECRET
from tests.factories import make_service_line
from tests.factories_nurture import make_campaign

CONTACTS = 2000
ROUNDS = 6
SEED = 20261207


def job_env(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ADVOCACY_ENV": "test",
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_SECRET_KEY": TEST_SECRET,
        "ADVOCACY_INSTANCE_PATH": str(instance),
        "ADVOCACY_LOG_LEVEL": "WARNING",
        "ADVOCACY_NURTURE_RUN_CHUNK": "100",
        # Whenever the test runs: the send window always open, a budget that never binds.
        "ADVOCACY_MAIL_SEND_WINDOW": "00:00-23:59",
        "ADVOCACY_MAIL_SEND_WEEKDAYS": "1,2,3,4,5,6,7",
        "ADVOCACY_MAIL_PRESSURE_PER_CONTACT": "100",
        "ADVOCACY_MAIL_PRESSURE_PER_ACCOUNT": "1000",
    }


def start_job(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "advocacy", "jobs", "run-once", "nurture.run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )


def a_running_campaign(engine: Engine, contacts: int) -> None:
    """`contacts` clients between engagements, one per account, in a running two-step campaign."""
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        marketer = User(email="marketing@firm.example", role="marketing", created_at=now)
        session.add(marketer)
        session.commit()
        line = make_service_line(session, "Transfer pricing")
        item = create_item(
            session,
            ContentItemCreate.model_validate(
                {
                    "kind": "article",
                    "title": "Transfer pricing after the reform",
                    "url": "https://insights.firm.example/tp",
                    "service_line_ids": [line.id],
                }
            ),
            by=marketer,
            now=now,
        )
        account_rows = [
            {
                "name": f"Client {n}", "industry": "Logistics", "size_band": "", "country": "",
                "notes": "", "stage": "between", "stage_since": now, "camp": "unknown",
                "camp_reason": "", "do_not_ask": False, "source": "manual",
                "created_at": now, "updated_at": now,
            }
            for n in range(contacts)
        ]  # fmt: skip
        session.execute(insert(Account), account_rows)
        session.execute(
            insert(Person),
            [{"full_name": f"Person {n}", "created_at": now} for n in range(contacts)],
        )
        accounts = list(session.exec(select(Account.id).order_by(col(Account.id))))
        people = list(session.exec(select(Person.id).order_by(col(Person.id))))
        session.execute(
            insert(Contact),
            [
                {
                    "person_id": person, "account_id": account, "email": f"c{n}@client.example",
                    "consent_basis": "contract", "language": "en", "timezone": "", "title": "",
                    "phone": "", "consent_source": "", "seniority": "manager", "influence": 3,
                    "status": "active", "created_at": now, "updated_at": now,
                }
                for n, (person, account) in enumerate(zip(people, accounts, strict=True))
            ],
        )  # fmt: skip
        session.commit()
        campaign = make_campaign(
            session,
            marketer,
            [
                {"kind": "email", "content_item_id": item.id},
                {"kind": "task", "task_text": "Call about the reform"},
            ],
            name="Reform",
            now=now,
        )
        campaigns.activate(session, campaign.id or 0, by=marketer, now=now)


def count(session: Session, model: object, *where: object) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()  # type: ignore[call-overload]


def test_sigkill_at_random_moments_sends_nothing_twice_and_loses_no_step(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    a_running_campaign(engine, CONTACTS)
    env = job_env(database_url, tmp_path / "instance")
    log = tmp_path / "nurture.log"
    killed = 0
    with Session(engine) as session:
        for _ in range(ROUNDS):
            # Two at once (a scheduled run and one started by hand), each killed at its moment.
            processes = [start_job(env, log) for _ in range(2)]
            started = time.monotonic()
            moments = sorted(rng.uniform(0.5, 4.0) for _ in processes)
            for process, moment in zip(processes, moments, strict=True):
                time.sleep(max(0.0, moment - (time.monotonic() - started)))
                if process.poll() is None:
                    os.kill(process.pid, signal.SIGKILL)
                    killed += 1
            codes = [process.wait(timeout=120) for process in processes]
            assert all(code in (0, -signal.SIGKILL) for code in codes), log.read_text()
            assert count(session, OutboxMessage) == count(
                session, StepRecord, StepRecord.kind == "email", StepRecord.outcome == "done"
            )
        for _ in range(4):  # no more kills: let the campaign finish
            if count(session, Enrolment, Enrolment.status == "completed") == CONTACTS:
                break
            process = start_job(env, log)
            assert process.wait(timeout=300) == 0, log.read_text()
        assert count(session, Enrolment, Enrolment.status == "completed") == CONTACTS
        mailed = session.exec(select(OutboxMessage.contact_id)).all()
        assert len(mailed) == len(set(mailed)) == CONTACTS
        tasks = session.exec(
            select(JourneySignal.contact_id).where(JourneySignal.kind == "nurture_task")
        ).all()
        assert len(tasks) == len(set(tasks)) == CONTACTS
        assert count(session, StepRecord, StepRecord.outcome == "done") == 2 * CONTACTS
    assert killed >= 3, f"only {killed} runs were killed while running"
