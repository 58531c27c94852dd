"""The leader lease in the database, on SQLite and PostgreSQL in every run: take, renew, refuse
while held, take over after expiry or release, one winner when processes race; and the gate that
lets a scheduled run start only on the holder."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy import migrate
from advocacy.clock import utcnow
from advocacy.db import build_engine
from advocacy.domain.lease import Lease, may_take
from advocacy.models import SchedulerHeartbeat
from advocacy.models.operations import SchedulerLease
from advocacy.services.operations.leadership import (
    LeaseHold,
    beat_and_hold_lease,
    release_lease,
    scheduler_lease,
)
from jobs import runner
from jobs.definitions import JobSpec, current_process
from jobs.leader import LeaderGate, lease_terms
from tests.conftest import (
    NOW,
    create_postgres_database,
    drop_postgres_database,
    empty_all_tables,
    postgres_admin_url,
)
from tests.unit.test_lease_rules import ME as A
from tests.unit.test_lease_rules import OTHER as B
from tests.unit.test_lease_rules import STANDINGS

LEASE = timedelta(seconds=40)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def lease_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of each kind for this module (PostgreSQL skips locally without one)."""
    if request.param == "sqlite":
        url, admin_url = f"sqlite:///{tmp_path_factory.mktemp('lease') / 'lease.db'}", None
    else:
        admin_url = postgres_admin_url()
        url = create_postgres_database(admin_url)
    migrate.upgrade(url)
    engine = build_engine(url)
    yield engine
    engine.dispose()
    if admin_url is not None:
        drop_postgres_database(admin_url, url)


@pytest.fixture
def db(lease_engine: Engine) -> Iterator[Session]:
    with Session(lease_engine, expire_on_commit=False) as session:
        yield session
    empty_all_tables(lease_engine)


def beat(session: Session, name: str, now: datetime) -> LeaseHold:
    return beat_and_hold_lease(
        session, name, host=name.split(":")[0], pid=1, started_at=NOW, lease_for=LEASE, now=now
    )


def test_the_first_beat_takes_the_lease_nobody_held(db: Session) -> None:
    hold = beat(db, A, NOW)
    assert hold.leading and hold.took_over
    assert hold.lease == Lease(A, NOW, NOW + LEASE, 1)
    assert scheduler_lease(db) == hold.lease


def test_renewing_extends_the_lease_and_keeps_its_start_and_epoch(db: Session) -> None:
    beat(db, A, NOW)
    later = NOW + timedelta(seconds=15)
    hold = beat(db, A, later)
    assert hold.leading and not hold.took_over
    assert hold.lease == Lease(A, NOW, later + LEASE, 1)


def test_a_second_process_is_refused_while_the_lease_is_held_and_beats_as_standby(
    db: Session,
) -> None:
    beat(db, A, NOW)
    hold = beat(db, B, NOW + LEASE - timedelta(milliseconds=1))
    assert not hold.leading and not hold.took_over
    assert hold.lease == Lease(A, NOW, NOW + LEASE, 1)
    assert {row.name for row in db.exec(select(SchedulerHeartbeat))} == {A, B}


def test_a_standby_takes_over_an_expired_lease_under_the_next_epoch(db: Session) -> None:
    beat(db, A, NOW)
    hold = beat(db, B, NOW + LEASE)
    assert hold.leading and hold.took_over
    assert hold.lease == Lease(B, NOW + LEASE, NOW + 2 * LEASE, 2)
    old_leader = beat(db, A, NOW + LEASE + timedelta(seconds=1))
    assert not old_leader.leading and old_leader.lease.holder == B


def test_a_leader_that_renews_after_its_end_while_nobody_took_over_keeps_leading(
    db: Session,
) -> None:
    beat(db, A, NOW)
    hold = beat(db, A, NOW + LEASE + timedelta(seconds=5))
    assert hold.leading and not hold.took_over and hold.lease.epoch == 1


def test_a_released_lease_is_taken_at_the_next_beat_of_a_standby(db: Session) -> None:
    beat(db, A, NOW)
    assert release_lease(db, B, now=NOW) is False  # only the holder can give it up
    assert release_lease(db, A, now=NOW + timedelta(seconds=1)) is True
    assert scheduler_lease(db).holder is None  # type: ignore[union-attr]
    hold = beat(db, B, NOW + timedelta(seconds=2))
    assert hold.leading and hold.took_over and hold.lease.epoch == 2


def test_heartbeats_of_processes_silent_for_a_week_are_forgotten(db: Session) -> None:
    beat(db, A, NOW - timedelta(days=8))
    beat(db, B, NOW)
    assert [row.name for row in db.exec(select(SchedulerHeartbeat))] == [B]


@pytest.mark.parametrize(("current", "me", "_standing", "takeable"), STANDINGS)
def test_the_database_takes_the_lease_exactly_when_the_rule_says_so(
    db: Session, current: Lease | None, me: str | None, _standing: object, takeable: bool
) -> None:
    me = me or "jobs@c:3:cccccc"  # an observer's case, asked as a third process
    if current is not None:
        db.add(
            SchedulerLease(
                name="scheduler",
                holder=current.holder,
                epoch=current.epoch,
                acquired_at=current.acquired_at,
                renewed_at=current.acquired_at,
                expires_at=current.expires_at,
            )
        )
        db.commit()
    assert may_take(scheduler_lease(db), me, NOW) is takeable
    assert beat(db, me, NOW).leading is takeable


@pytest.mark.parametrize("expired", [False, True], ids=["free", "expired"])
def test_when_processes_race_for_the_lease_exactly_one_wins(
    lease_engine: Engine, db: Session, expired: bool
) -> None:
    if expired:
        beat(db, "jobs@gone:9:999999", NOW - 2 * LEASE)
    names = [f"jobs@racer:{n}:{n:06d}" for n in range(8)]
    start = threading.Barrier(len(names))
    holds: dict[str, LeaseHold] = {}

    def race(name: str) -> None:
        with Session(lease_engine) as session:
            start.wait()
            holds[name] = beat(session, name, NOW)

    threads = [threading.Thread(target=race, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(holds) == names, "a racer failed (see the thread exception above)"
    winners = [name for name, hold in holds.items() if hold.leading]
    assert len(winners) == 1
    lease = scheduler_lease(db)
    assert lease is not None and lease.holder == winners[0]
    assert lease.epoch == (2 if expired else 1)


# --- the gate of the scheduled runs, on the test database -------------------------------------


def leader_only_spec(ran: list[str]) -> JobSpec:
    return JobSpec("test.leader_only", lambda: ran.append("ran"), trigger=None)  # type: ignore[arg-type]


def set_lease(app: Flask, holder: str, expires_in: timedelta) -> None:
    now = utcnow()
    with app.app_context():
        engine: Engine = app.extensions["advocacy.engine"]
        with Session(engine) as session:
            beat_and_hold_lease(
                session, holder, host="h", pid=1, started_at=now, lease_for=LEASE, now=now
            )
            session.exec(  # type: ignore[call-overload]
                update(SchedulerLease).values(expires_at=now + expires_in)
            )
            session.commit()


@pytest.mark.parametrize(
    ("holder", "expires_in", "runs"),
    [
        pytest.param("me", timedelta(seconds=30), True, id="this-process-leads"),
        pytest.param("me", timedelta(seconds=2), False, id="its-lease-is-about-to-end"),
        pytest.param("other", timedelta(seconds=30), False, id="another-process-leads"),
        pytest.param("other", -timedelta(seconds=30), False, id="nobody-holds-it-firmly"),
    ],
)
def test_a_scheduled_leader_only_run_starts_only_on_a_firm_holder_of_the_lease(
    app: Flask, holder: str, expires_in: timedelta, runs: bool
) -> None:
    me = current_process().name
    set_lease(app, me if holder == "me" else A, expires_in)
    ran: list[str] = []
    runner.run_in_app(app, leader_only_spec(ran), runner.leader_gate(app))()
    assert ran == (["ran"] if runs else [])


def test_run_once_runs_a_job_even_where_another_process_leads(app: Flask) -> None:
    set_lease(app, A, timedelta(seconds=30))
    ran: list[str] = []
    runner.run_in_app(app, leader_only_spec(ran))()
    assert ran == ["ran"]


def test_the_heartbeat_runs_on_a_standby_and_nothing_starts_once_stopping(app: Flask) -> None:
    set_lease(app, A, timedelta(seconds=30))
    gate = LeaderGate(app, current_process().name, lease_terms(app))
    heartbeat = next(spec for spec in runner.specs(app) if spec.id == runner.HEARTBEAT)
    hold = runner.run_in_app(app, heartbeat, gate)()
    assert hold is not None and not hold.leading
    gate.stop()
    assert runner.run_in_app(app, heartbeat, gate)() is None
    assert gate.wait_until_idle(timeout=1)


def test_healthz_names_the_leader_and_the_live_standbys(app: Flask) -> None:
    now = utcnow()
    with app.app_context():
        engine: Engine = app.extensions["advocacy.engine"]
        with Session(engine) as session:
            for name in (A, B):
                beat_and_hold_lease(
                    session, name, host=name[5:6], pid=7, started_at=now, lease_for=LEASE, now=now
                )
    scheduler = app.test_client().get("/healthz").json["scheduler"]
    assert scheduler["status"] == "ok"
    assert scheduler["leader"]["process"] == A and scheduler["leader"]["lease"] == "held"
    assert scheduler["leader"]["host"] == "a" and scheduler["leader"]["epoch"] == 1
    assert [standby["process"] for standby in scheduler["standbys"]] == [B]
