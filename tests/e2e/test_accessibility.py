"""Every page of the UI shell passes axe-core without serious problems and fits a phone screen.

axe-core runs inside Chromium on the page as the app serves it (with its Content-Security-Policy),
so contrast, names, landmarks and ARIA are checked on the real rendering, not on the template text.
Each test signs one person in once and walks their pages; problems of all pages are reported
together, with the rule, the elements and the help text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page, expect

from advocacy.db import db_session
from advocacy.models import User
from tests.conftest import LiveServer
from tests.e2e.conftest import DESKTOP, PHONE, create_person, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}


@cache
def axe() -> Axe:
    return Axe()  # reads the 500 kB axe-core script once


@dataclass(frozen=True)
class Site:
    server: LiveServer
    people: dict[str, User]

    def url(self, path: str) -> str:
        return self.server.url + path


@pytest.fixture
def site(live_server: LiveServer) -> Site:
    """One person per role, plus someone invited who has not chosen a password yet."""
    people = {
        "admin": create_person(live_server, "admin", email="ada.admin@firm.example", name="Ada"),
        # No names: the e-mail address is then the page's heading, the longest word it shows.
        "account_manager": create_person(live_server, email="aki.account.manager@firm.example"),
        "marketing": create_person(live_server, "marketing", email="mo.marketing@firm.example"),
    }
    with live_server.app.app_context():
        people["invited"] = make_user(db_session(), email="ines@firm.example", password=None)
    return Site(live_server, people)


def sign_in_page(page: Page, site: Site) -> None:
    page.goto(site.url("/login"))


def sign_in_page_with_error(page: Page, site: Site) -> None:
    sign_in(page, site.server, site.people["admin"].email, "this is the wrong password")
    expect(page.get_by_role("alert")).to_be_visible()


def not_found(page: Page, site: Site) -> None:
    response = page.goto(site.url("/nothing/here"))
    assert response is not None and response.status == 404


def home(page: Page, site: Site) -> None:
    page.goto(site.url("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def admin_users(page: Page, site: Site) -> None:
    page.goto(site.url("/admin/users"))


def admin_users_with_error(page: Page, site: Site) -> None:
    page.goto(site.url("/admin/users"))
    page.get_by_label("E-mail").fill(site.people["marketing"].email)
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")


def admin_user_invited(page: Page, site: Site) -> None:
    page.goto(site.url(f"/admin/users/{site.people['invited'].id}"))
    expect(page.get_by_label("Link", exact=True)).to_be_visible()


def preferences(page: Page, site: Site) -> None:
    page.goto(site.url("/preferences"))


def preferences_with_error(page: Page, site: Site) -> None:
    page.goto(site.url("/preferences"))
    page.get_by_label("Time zone").fill("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Time zone")).to_have_attribute("aria-invalid", "true")


Visit = Callable[[Page, Site], None]
PAGES_BY_PERSON: dict[str | None, list[Visit]] = {
    None: [sign_in_page, sign_in_page_with_error, not_found],
    "admin": [home, admin_users, admin_users_with_error, admin_user_invited, not_found],
    "account_manager": [home, preferences, preferences_with_error],
    "marketing": [home, preferences],
}


def describe(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node.get('failureSummary', '')!r}")
    return lines


def problems_on(page: Page, name: str) -> list[str]:
    """Serious axe-core violations at desktop width, then sideways scrolling at phone width."""
    problems = []
    page.set_viewport_size(DESKTOP)
    results = axe().run(page).response
    assert results["passes"], f"axe-core checked nothing on {name}"
    violations = results["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        problems += [f"{name} ({page.url}): axe-core found", *describe(blocking)]
    page.set_viewport_size(PHONE)
    scroll_width, inner_width = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"{name}: {scroll_width}px wide on a {inner_width}px phone screen")
    return problems


@pytest.mark.parametrize("role", list(PAGES_BY_PERSON), ids=lambda role: role or "signed out")
def test_every_page_has_no_serious_accessibility_problem_and_fits_a_phone(
    page: Page, site: Site, role: str | None
) -> None:
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", record)
    if role is not None:
        sign_in(page, site.server, site.people[role].email)
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    problems: list[str] = []
    for visit in PAGES_BY_PERSON[role]:
        visit(page, site)
        problems += problems_on(page, visit.__name__.replace("_", " "))
    if problems:
        print("\n".join(problems))
    assert not problems, "\n".join(problems)
    # The Content-Security-Policy refuses inline scripts and styles: a refusal shows up here.
    assert not refused, refused
