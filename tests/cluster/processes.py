"""Real processes for the cluster tests: gunicorn web processes and `advocacy jobs run` processes on
one PostgreSQL database, their logs, memory and teardown.

Every process starts in a session of its own, so that killing "a web process" kills the gunicorn
master and all its workers at once (a machine lost), and teardown leaves nothing behind even when a
test fails half-way.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import requests
from gunicorn.config import Config

from tests.conftest import TEST_SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]
# Deadlines for things that must happen, generous for a loaded 2-core machine: never speed checks.
START_DEADLINE_S = 120
STOP_DEADLINE_S = 30
# Redis database of these tests (keys are unique per run anyway: an address and an account).
REDIS_URL = "redis://127.0.0.1:6379/7"
RUN_LINE = re.compile(
    # Frequent jobs log their runs at DEBUG (JobSpec.quiet): the jobs processes run at DEBUG.
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?:INFO|DEBUG) advocacy\.jobs: "
    r"job (?P<job>\S+) started(?: \(leader epoch (?P<epoch>\d+)\))?$"
)

# gunicorn 27+ opens a control socket in $HOME unless told not to; older versions have none.
NO_CONTROL_SOCKET = ["--no-control-socket"] if "control_socket_disable" in Config().settings else []
P = TypeVar("P", bound="Process")


def production_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a production install (deploy/advocacy.env.example) on this machine."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ADVOCACY_ENV": "production",
        "ADVOCACY_SECRET_KEY": TEST_SECRET,
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_INSTANCE_PATH": str(instance),
        "ADVOCACY_LOG_LEVEL": "WARNING",
    }
    env.update({f"ADVOCACY_{name.upper()}": value for name, value in settings.items()})
    return env


@dataclass(frozen=True)
class JobRun:
    """One scheduled run a jobs process started, as its log says."""

    at: datetime
    job: str
    epoch: int | None  # None for the heartbeat, which every process runs
    pid: int


class Process:
    """One process group started by a test: its command, its log, its memory, its end."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("wb") as output:
            self.popen = subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches its workers
            )
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def pids(self) -> list[int]:
        """This process and its descendants (gunicorn's workers)."""
        found, frontier = [], [self.pid]
        while frontier:
            pid = frontier.pop()
            found.append(pid)
            frontier.extend(_children(pid))
        return found

    def rss_kib(self) -> dict[int, int]:
        """Resident memory of this process and of each descendant, in KiB, from /proc."""
        return {pid: rss for pid in self.pids() if (rss := _rss_kib(pid)) is not None}

    def kill_9(self) -> None:
        """SIGKILL the whole group at once: the machine it ran on is gone."""
        _signal_group(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=STOP_DEADLINE_S)

    def stop(self) -> int | None:
        """SIGTERM (what systemctl stop sends), SIGKILL if it lingers; its exit code."""
        if self.alive():
            _signal_group(self.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=STOP_DEADLINE_S)
        _signal_group(self.pid, signal.SIGKILL)  # workers a dead master left behind, if any
        try:
            return self.popen.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            return None

    def output(self) -> str:
        return f"--- {self.name} (pid {self.pid})\n{self.log.read_text(errors='replace')[-6000:]}"

    def job_runs(self) -> list[JobRun]:
        """Every scheduled run this (jobs) process started, from its log."""
        runs = []
        for line in self.log.read_text(errors="replace").splitlines():
            match = RUN_LINE.match(line)
            if match:
                at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")
                epoch = int(match["epoch"]) if match["epoch"] else None
                runs.append(JobRun(at, match["job"], epoch, self.pid))
        return runs


class WebProcess(Process):
    """`gunicorn 'advocacy.app:create_app()'` as deploy/advocacy-web.service runs it."""

    def __init__(
        self, env: dict[str, str], log: Path, *, workers: int, threads: int, name: str = "web"
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "5",
            *NO_CONTROL_SOCKET,
            "advocacy.app:create_app()",
        ]
        super().__init__(name, command, {**env, "ADVOCACY_BASE_URL": self.url}, log)

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False


class JobsProcess(Process):
    """`advocacy jobs run`, as deploy/advocacy-jobs.service runs it (logging every run)."""

    def __init__(self, env: dict[str, str], log: Path, name: str = "jobs") -> None:
        command = [sys.executable, "-m", "advocacy", "jobs", "run"]
        super().__init__(name, command, {**env, "ADVOCACY_LOG_LEVEL": "DEBUG"}, log)


class Cluster:
    """The processes of one test, stopped at the end of the `running()` block whatever happens."""

    def __init__(self) -> None:
        self.processes: list[Process] = []

    def add(self, process: P) -> P:
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(process.output() for process in self.processes)

    def wait_until_ready(self, webs: list[WebProcess]) -> None:
        dead = [p.name for p in self.processes if not p.alive()]
        assert not dead, f"{dead} ended at start\n{self.logs()}"
        assert wait_for(lambda: all(web.ready() for web in webs), START_DEADLINE_S), self.logs()

    @contextmanager
    def running(self) -> Iterator[Cluster]:
        try:
            yield self
        finally:
            for process in reversed(self.processes):
                process.stop()


def wait_for(condition: Callable[[], bool], deadline_s: float, every_s: float = 0.25) -> bool:
    """Poll `condition` until it holds or the deadline passes; whether it held."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return condition()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(child) for child in task.read_text().split())
        except OSError:
            continue  # the task ended meanwhile
    return found


def _rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def _signal_group(pid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, signum)
