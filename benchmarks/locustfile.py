"""Locust users for `dev.py bench`: one page per run, chosen by `benchmarks/bench_web.py`.

The environment names what to ask for: BENCH_NAME (the statistics' row), BENCH_PATHS (paths the
users go round, one per line), BENCH_COOKIE or BENCH_TOKEN (a signed-in session cookie or an API
bearer token), or BENCH_SIGN_IN ("e-mail\\npassword": each task signs in from a new browser).
No waiting between requests: every user sends its next request as soon as the last one returns.
"""

from __future__ import annotations

import itertools
import os
import re
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, constant, task
from requests.cookies import create_cookie

NAME = os.environ.get("BENCH_NAME", "page")
PATHS = [path for path in os.environ.get("BENCH_PATHS", "/healthz").splitlines() if path]
HEADERS = {"Accept-Language": "en"}
COOKIE = os.environ.get("BENCH_COOKIE", "")
if os.environ.get("BENCH_TOKEN"):
    HEADERS["Authorization"] = "Bearer " + os.environ["BENCH_TOKEN"]
SIGN_IN = os.environ.get("BENCH_SIGN_IN", "").split("\n")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The app's answers that count as a success: pages 200, a sign-in redirects to My week.
EXPECTED = 302 if len(SIGN_IN) == 2 else 200
_started = itertools.count()


class Staff(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        # Each user starts at its own place in the round, so they do not all ask for one page.
        offset = next(_started) % len(PATHS)
        self.paths = itertools.islice(itertools.cycle(PATHS), offset, None)
        if COOKIE:
            # The session cookie goes in the user's cookie jar, where the app's refreshed
            # copies of it land too.
            name, _, value = COOKIE.partition("=")
            host = urlsplit(self.host).hostname or ""
            self.client.cookiejar.set_cookie(create_cookie(name, value, domain=host, path="/"))

    @task
    def ask(self) -> None:
        if EXPECTED == 302:
            self.sign_in()
            return
        path = next(self.paths)
        # Redirects are not followed: a lost session (a redirect to the sign-in) is a failure.
        with self.client.get(
            path, headers=HEADERS, name=NAME, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != EXPECTED:
                response.failure(f"{path}: HTTP {response.status_code}")

    def sign_in(self) -> None:
        # A new browser each time: the form's page (not counted in the figure), then the post.
        self.client.cookiejar.clear()
        with self.client.get(
            "/login", headers=HEADERS, name="GET /login (form, not counted)", catch_response=True
        ) as page:
            found = CSRF.search(page.text or "")
            if found is None:
                page.failure("no CSRF token in the sign-in form")
                return
        form = {"csrf_token": found.group(1), "email": SIGN_IN[0], "password": SIGN_IN[1]}
        with self.client.post(
            "/login",
            data=urlencode(form),
            headers={**HEADERS, "Content-Type": "application/x-www-form-urlencoded"},
            name=NAME,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != EXPECTED:
                response.failure(f"sign-in: HTTP {response.status_code}")
