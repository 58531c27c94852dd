"""Real-browser fixtures: Debian's Chromium driven by Playwright's plain sync API.

One browser for the whole run (starting Chromium costs about a second); every test gets fresh
browser contexts, so cookies never leak from one test to the next. Playwright never downloads a
browser here: the executable is Debian's, and a missing one skips locally and fails under CI=true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from advocacy.adapters.passwords import hash_password
from advocacy.db import db_session
from advocacy.models import User
from tests.conftest import LiveServer, need
from tests.factories import PASSWORD, make_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Everything runs on 127.0.0.1: a step that needs longer than this is a bug, not a slow network.
STEP_TIMEOUT_MS = 5_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

expect.set_options(timeout=STEP_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, started once per test run and stopped at its end."""
    need(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open extra browser contexts (another person, another device); all closed after the test."""
    contexts: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh context of its own (no cookies, desktop size)."""
    return new_context().new_page()


@cache
def password_hash() -> str:
    # Argon2 is slow on purpose (a quarter second on a busy CI machine): hash the test password
    # once per run, not once per person.
    return hash_password(PASSWORD)


def create_person(server: LiveServer, role: str = "account_manager", **fields: Any) -> User:
    """A staff user in the live server's database who signs in with PASSWORD."""
    with server.app.app_context():
        session = db_session()
        user = make_user(session, role=role, password=None, **fields)
        user.password_hash = password_hash()
        session.commit()
        return user


@pytest.fixture
def person(live_server: LiveServer) -> Callable[..., User]:
    """Create staff users who sign in with PASSWORD on the live server."""

    def create(role: str = "account_manager", **fields: Any) -> User:
        return create_person(live_server, role, **fields)

    return create


def sign_in(page: Page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Sign in the way a person does: open /login, type, press the button, land on a page."""
    page.goto(server.url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
