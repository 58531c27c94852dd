"""Steady load on the web processes: staff members signed in through the real form, each reading pages
in a closed loop, and a monitor polling `/healthz`, every request sent round-robin to the next live
web process (what the reverse proxy does) and recorded with its target, start, duration and answer.

Threads and `requests` rather than locust: locust runs on gevent, whose monkey-patching must happen
before anything else imports `socket` or `threading`; inside pytest it comes too late (and warns,
which this suite turns into an error), and next to the local SendGrid and webhook servers' threads.
Run as a separate `locust --headless` process it reports aggregates only, while these tests need
every request, to tell the killed process's errors from any other's and to compare time windows.
"""

from __future__ import annotations

import csv
import itertools
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from advocacy.models import Account, Contact
from tests.factories import csrf_from

REQUEST_TIMEOUT_S = 60
# Staff pages an account manager reads every day, plus a few account and contact pages.
PAGES = ["/", "/accounts", "/library", "/advocates", "/referrals", "/library/case-studies"]
# nginx talks HTTP/1.0 to its upstreams unless told otherwise: one connection per request.
HEADERS = {"Connection": "close"}


@dataclass(frozen=True)
class Sample:
    """One request: where it went, when it started (time.monotonic()), how long, the answer."""

    target: str
    path: str
    started: float
    seconds: float
    status: int | None  # None: no answer at all (connection refused or reset)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 or (self.path == "/login" and self.status == 302)


def record_pages(engine: Engine) -> list[str]:
    """A few account and contact pages of the demo firm."""
    with Session(engine) as session:
        accounts = session.exec(select(Account.id).order_by(col(Account.id)).limit(3)).all()
        contacts = session.exec(select(Contact.id).order_by(col(Contact.id)).limit(2)).all()
    return [f"/accounts/{n}" for n in accounts] + [f"/contacts/{n}" for n in contacts]


class Targets:
    """The live web processes, in turn; one taken out stops getting requests (a proxy's check)."""

    def __init__(self, urls: Iterable[str]) -> None:
        self._urls = list(urls)
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return self._urls[next(self._turn) % len(self._urls)]

    def add(self, url: str) -> None:
        """Put `url` in the rotation (a new web process behind the proxy)."""
        with self._lock:
            self._urls.append(url)

    def remove(self, url: str) -> float:
        """Take `url` out of the rotation; the moment it was taken out."""
        with self._lock:
            self._urls.remove(url)
        return time.monotonic()


class Load:
    """`users` signed-in staff members reading `pages`, and one `/healthz` monitor, until stop()."""

    def __init__(
        self,
        targets: Targets,
        users: Sequence[str],
        password: str,
        pages: Sequence[str],
        *,
        pause_s: float,
    ) -> None:
        self.targets = targets
        self.samples: list[Sample] = []
        self._pages = list(pages)
        self._pause_s = pause_s
        self._password = password
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._user, args=(email, n), daemon=True)
            for n, email in enumerate(users)
        ]
        self._threads.append(threading.Thread(target=self._monitor, daemon=True))

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 5)
        return self.recorded()

    def recorded(self) -> list[Sample]:
        with self._lock:
            return list(self.samples)

    def _request(
        self, http: requests.Session, method: str, path: str, **data: str
    ) -> tuple[Sample, str]:
        """Send one request to the next live process and record it; the sample and the body."""
        target = self.targets.next()
        started = time.monotonic()
        try:
            response = http.request(
                method,
                target + path,
                data=data or None,
                headers=HEADERS,
                timeout=REQUEST_TIMEOUT_S,
                allow_redirects=False,
            )
            sample = Sample(target, path, started, time.monotonic() - started, response.status_code)
            body = response.text
        except requests.RequestException as error:
            sample = Sample(
                target, path, started, time.monotonic() - started, None, type(error).__name__
            )
            body = ""
        with self._lock:
            self.samples.append(sample)
        return sample, body

    def _sign_in(self, http: requests.Session, email: str) -> bool:
        form, page = self._request(http, "GET", "/login")
        if form.status != 200:
            return False
        answer, _ = self._request(
            http, "POST", "/login", email=email, password=self._password, csrf_token=csrf_from(page)
        )
        return answer.status == 302

    def _user(self, email: str, number: int) -> None:
        http = requests.Session()
        signed_in = False
        for turn in itertools.count(number):  # each user starts at a different page
            if self._stopping.is_set():
                return
            if not signed_in:
                signed_in = self._sign_in(http, email)
            else:
                self._request(http, "GET", self._pages[turn % len(self._pages)])
            self._stopping.wait(self._pause_s)

    def _monitor(self) -> None:
        http = requests.Session()
        while not self._stopping.is_set():
            self._request(http, "GET", "/healthz")
            self._stopping.wait(self._pause_s)


def write_csv(path: Path, samples: Sequence[Sample]) -> None:
    """Every request, for a look after a failure (the test's temporary folder keeps it)."""
    with path.open("w", newline="") as output:
        writer = csv.writer(output)
        writer.writerow(["target", "path", "started", "seconds", "status", "error"])
        for s in samples:
            writer.writerow(
                [s.target, s.path, f"{s.started:.3f}", f"{s.seconds:.4f}", s.status, s.error]
            )


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of `values`, which must not be empty."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
