"""Two real `advocacy jobs run` processes on one database: only the lease holder runs jobs; kill -9
the leader and the standby takes over before the lease (plus a generous margin) has run out.

Each process logs every run it starts, with the lease epoch it started under for leader-only jobs
(`mail.dispatch` runs every 5 s). Read together, the two logs must show each epoch in one process
only and epochs that never go back in time: two processes acting at once would interleave them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.domain.lease import Lease, LeaseTerms
from advocacy.models import SchedulerHeartbeat
from advocacy.services.operations.leadership import scheduler_lease
from tests.conftest import TEST_SECRET

HEARTBEAT_S, LEASE_S = 1, 6
TERMS = LeaseTerms(timedelta(seconds=LEASE_S), timedelta(seconds=HEARTBEAT_S))
# Deadlines for things that must happen, generous for a loaded 2-core machine: never speed checks.
START_DEADLINE_S = 120
MARGIN_S = 45
RUN_LINE = re.compile(
    # Frequent jobs log their runs at DEBUG (see JobSpec.quiet): the test reads both levels.
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?:INFO|DEBUG) advocacy\.jobs: "
    r"job (?P<job>\S+) started \(leader epoch (?P<epoch>\d+)\)$"
)


@dataclass(frozen=True)
class Run:
    at: datetime
    job: str
    epoch: int
    pid: int


class JobsProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as output:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "advocacy", "jobs", "run"],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.pid = self.popen.pid

    def runs(self) -> list[Run]:
        """The leader-only runs this process started, from its log."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            match = RUN_LINE.match(line)
            if match:
                at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")
                found.append(Run(at, match["job"], int(match["epoch"]), self.pid))
        return found


def wait_for(condition: Callable[[], bool], deadline_s: float) -> bool:
    """Poll `condition` until it holds or the deadline passes; whether it held."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def lease_now(engine: Engine) -> Lease | None:
    with Session(engine) as session:
        return scheduler_lease(session)


def beating_pids(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {row.pid: row.name for row in session.exec(select(SchedulerHeartbeat))}


def holder_pid(lease: Lease | None) -> int | None:
    if lease is None or lease.holder is None:
        return None
    return int(lease.holder.split(":")[1])  # jobs@host:pid:token


def test_only_the_leader_runs_jobs_and_a_standby_takes_over_after_kill_9(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    engine: Engine = app.extensions["advocacy.engine"]
    env = {
        **os.environ,
        "ADVOCACY_ENV": "test",
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_SECRET_KEY": TEST_SECRET,
        "ADVOCACY_INSTANCE_PATH": str(tmp_path / "instance"),
        "ADVOCACY_LOG_LEVEL": "DEBUG",
        "ADVOCACY_SCHEDULER_HEARTBEAT_SECONDS": str(HEARTBEAT_S),
        "ADVOCACY_SCHEDULER_LEASE_SECONDS": str(LEASE_S),
    }
    processes = [JobsProcess(env, tmp_path / f"jobs-{n}.log") for n in range(2)]
    by_pid = {process.pid: process for process in processes}

    def logs() -> str:
        return "\n".join(f"--- {p.pid}\n{p.log.read_text(errors='replace')}" for p in processes)

    def leader_runs() -> int:
        leader = by_pid.get(holder_pid(lease_now(engine)) or 0)
        return len(leader.runs()) if leader else 0

    survivor = None
    try:
        # Both processes beat, and one of them holds the lease.
        assert wait_for(
            lambda: (
                set(by_pid) <= set(beating_pids(engine)) and holder_pid(lease_now(engine)) in by_pid
            ),
            START_DEADLINE_S,
        ), logs()
        # While both run, the leader runs the dispatch several times and the standby only beats.
        assert wait_for(lambda: leader_runs() >= 3, START_DEADLINE_S), logs()
        health = app.test_client().get("/healthz").json["scheduler"]
        names = beating_pids(engine)
        assert health["leader"]["pid"] in by_pid
        standby_pid = next(pid for pid in by_pid if pid != health["leader"]["pid"])
        assert [s["process"] for s in health["standbys"]] == [names[standby_pid]]

        leader = by_pid[holder_pid(lease_now(engine)) or 0]  # still the same, unless it changed
        survivor = next(process for process in processes if process is not leader)
        os.kill(leader.pid, signal.SIGKILL)
        leader.popen.wait(timeout=30)
        took_over = wait_for(
            lambda: holder_pid(lease_now(engine)) == survivor.pid,
            (TERMS.takeover_within + timedelta(seconds=MARGIN_S)).total_seconds(),
        )
        assert took_over, f"the standby did not take the lease over\n{logs()}"
        epochs_before = {run.epoch for run in leader.runs()}
        assert wait_for(
            lambda: any(run.epoch > max(epochs_before) for run in survivor.runs()), MARGIN_S
        ), logs()
    finally:
        for process in processes:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        codes = [process.popen.wait(timeout=60) for process in processes]
    assert survivor is not None and codes[processes.index(survivor)] == 0, logs()
    assert lease_now(engine).holder is None, "a clean stop gives the lease up"  # type: ignore[union-attr]

    runs = sorted(
        (run for process in processes for run in process.runs()),
        key=lambda run: (run.at, run.epoch),
    )
    owners: dict[int, set[int]] = {}
    for run in runs:
        owners.setdefault(run.epoch, set()).add(run.pid)
    assert all(len(pids) == 1 for pids in owners.values()), f"{owners}\n{logs()}"
    epochs = [run.epoch for run in runs]
    assert epochs == sorted(epochs), f"two processes acted at once\n{logs()}"
