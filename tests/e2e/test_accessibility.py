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
from advocacy.services.analytics.questions import QUESTIONS
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


def sample_account(site: Site) -> tuple[int, int]:
    """An account of the account manager's with people, work and touchpoints: (account, contact)."""
    from sqlmodel import select

    from advocacy.models import Account, Contact
    from tests.factories import (
        make_account,
        make_contact,
        make_engagement,
        make_service_line,
        make_touchpoint,
    )

    with site.server.app.app_context():
        session = db_session()
        account = session.exec(select(Account).where(Account.name == "Globex Corporation")).first()
        if account is None:
            owner = site.people["account_manager"]
            audit = make_service_line(session, "Audit and assurance")
            make_service_line(session, "Sustainability reporting")
            account = make_account(
                session, owner=owner, name="Globex Corporation", industry="Energy", notes="Notes"
            )
            sponsor = make_contact(
                session,
                account,
                full_name="Hank Scorpio",
                title="Chief executive officer",
                email="hank.scorpio.with.a.long.address@globex-corporation.example",
                roles=["decision_maker", "sponsor"],
            )
            make_contact(session, account, full_name="Frank Grimes", roles=["procurement"])
            make_engagement(
                session,
                account,
                title="Annual audit of the group accounts",
                status="won",
                service_line_ids=[audit.id],
                contact_ids=[sponsor.id],
                value="125000",
            )
            make_touchpoint(
                session,
                account,
                contact_id=sponsor.id,
                kind="meeting",
                initiative="client",
                summary="Asked whether we also help with sustainability reporting " * 3,
            )
        contact = session.exec(select(Contact).where(Contact.account_id == account.id)).first()
        return account.id, contact.id


def accounts_list(page: Page, site: Site) -> None:
    sample_account(site)
    page.goto(site.url("/accounts"))
    expect(page.get_by_role("link", name="Globex Corporation")).to_be_visible()


def account_page(page: Page, site: Site) -> None:
    account_id, _ = sample_account(site)
    page.goto(site.url(f"/accounts/{account_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex Corporation")


def account_page_with_error(page: Page, site: Site) -> None:
    account_id, _ = sample_account(site)
    page.goto(site.url(f"/accounts/{account_id}"))
    page.get_by_text("Log a touchpoint").click()
    page.locator("#stage").select_option("prospect")
    page.locator("#reason").fill("They went quiet")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator("#stage")).to_have_attribute("aria-invalid", "true")


def contact_page(page: Page, site: Site) -> None:
    _, contact_id = sample_account(site)
    page.goto(site.url(f"/contacts/{contact_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hank Scorpio")


def service_lines(page: Page, site: Site) -> None:
    sample_account(site)
    page.goto(site.url("/service-lines"))


def sample_check_in(site: Site) -> int:
    """The account manager's open check-in at Globex, due today, with talking points."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from advocacy.domain.cadence import CadenceRules
    from advocacy.models import CheckIn
    from advocacy.services.check_ins.generation import generate_due
    from tests.conftest import NOW

    account_id, _ = sample_account(site)
    with site.server.app.app_context():
        session = db_session()
        found = session.exec(select(CheckIn).where(CheckIn.account_id == account_id)).first()
        if found is None:
            generate_due(session, CadenceRules(), now=NOW + timedelta(days=14))
            found = session.exec(select(CheckIn).where(CheckIn.account_id == account_id)).one()
            found.due_on = datetime.now(UTC).date()
            session.commit()
        return found.id or 0


def my_week(page: Page, site: Site) -> None:
    sample_check_in(site)
    page.goto(site.url("/"))
    this_week = page.get_by_role("region", name="Due this week")
    expect(this_week.get_by_role("heading", name="Globex Corporation")).to_be_visible()
    this_week.get_by_text("Done? Log the conversation").click()


def check_in_page(page: Page, site: Site) -> None:
    check_in_id = sample_check_in(site)
    page.goto(site.url(f"/check-ins/{check_in_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in: Globex Corporation")


def check_in_page_with_error(page: Page, site: Site) -> None:
    check_in_id = sample_check_in(site)
    page.goto(site.url(f"/check-ins/{check_in_id}"))
    page.get_by_label("Snooze until").fill("2020-01-01")
    page.get_by_role("button", name="Snooze").click()
    expect(page.get_by_role("alert")).to_contain_text("Snooze to a day after today.")


def team_view(page: Page, site: Site) -> None:
    sample_check_in(site)
    page.goto(site.url("/check-ins/team"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in rhythm of the team")


def sample_mail(site: Site) -> tuple[int, str]:
    """A sent message with events, a suppression, and an unsubscribe link: (message, token)."""
    import json
    from datetime import timedelta

    from sqlmodel import select

    from advocacy.models import MailEvent, OutboxMessage, Suppression
    from tests.conftest import NOW
    from tests.factories import make_sent_message, make_unsubscribe_link

    with site.server.app.app_context():
        session = db_session()
        message = session.exec(select(OutboxMessage)).first()
        if message is None:
            message = make_sent_message(
                session,
                to_email="hank.scorpio.with.a.long.address@globex-corporation.example",
                subject="What the new sustainability reporting rules mean for Globex Corporation",
                html_body='<h1 style="color:#1f4e79">Autumn letter</h1><p>Dear Hank,</p>',
                text_body="Dear Hank,\n\nThe new rules...",
                headers_json=json.dumps({"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}),
            )
            session.add(
                MailEvent(
                    provider_event_id="a11y-1",
                    message_id=message.id,
                    event="delivered",
                    email=message.to_email,
                    occurred_at=NOW - timedelta(minutes=5),
                    payload_json=json.dumps({"event": "delivered", "response": "250 OK"}),
                    received_at=NOW,
                    processed_at=NOW,
                )
            )
            session.add(
                Suppression(
                    email="former.client@initech.example",
                    category="all",
                    reason="manual",
                    source="staff",
                    created_at=NOW,
                )
            )
            session.commit()
        token = make_unsubscribe_link(session, message.to_email)
        return message.id or 0, token


def mail_log(page: Page, site: Site) -> None:
    sample_mail(site)
    page.goto(site.url("/admin/mail"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail")


def mail_message(page: Page, site: Site) -> None:
    message_id, _ = sample_mail(site)
    page.goto(site.url(f"/admin/mail/{message_id}"))
    expect(page.frame_locator("iframe.mail-preview").get_by_text("Autumn letter")).to_be_visible()


def mail_suppressions(page: Page, site: Site) -> None:
    sample_mail(site)
    page.goto(site.url("/admin/suppressions"))


def client_mail_preferences(page: Page, site: Site) -> None:
    _, token = sample_mail(site)
    page.goto(site.url(f"/c/unsubscribe/{token}"))
    expect(page.get_by_role("checkbox")).to_have_count(4)


def client_mail_preferences_saved(page: Page, site: Site) -> None:
    _, token = sample_mail(site)
    page.goto(site.url(f"/c/unsubscribe/{token}"))
    page.get_by_role("checkbox").first.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_be_visible()


def client_mail_unsubscribed(page: Page, site: Site) -> None:
    _, token = sample_mail(site)
    page.goto(site.url(f"/c/unsubscribe/{token}"))
    page.get_by_role("button", name="Unsubscribe from all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")


def client_mail_unknown_link(page: Page, site: Site) -> None:
    response = page.goto(site.url("/c/unsubscribe/not-a-real-link"))
    assert response is not None and response.status == 404


def sample_library(site: Site) -> int:
    """Quotes of every kind at Globex, long words included, in a collection: its id."""
    from sqlmodel import select

    from advocacy.clock import utcnow
    from advocacy.models import Collection, Contact
    from advocacy.services.library import collections
    from advocacy.services.voice.testimonial_consent import render_body
    from tests.factories import make_testimonial

    _, contact_id = sample_account(site)
    with site.server.app.app_context():
        session = db_session()
        found = session.exec(select(Collection)).first()
        if found is not None:
            return found.id or 0
        contact = session.get(Contact, contact_id)
        marketer = site.people["marketing"]
        deck = collections.create_collection(
            session,
            "Proposal for a sustainability reporting programme",
            "",
            by=marketer,
            now=utcnow(),
        )
        for uses in (
            {"named_public": None, "logo": None, "case_study": None},
            {"anonymised_public": None, "reference_calls": None},
            {"internal": None},
        ):
            body = (
                "They listened, and our **sustainability reporting** was ready a quarter early. "
                * 2
            )
            testimonial = make_testimonial(
                session,
                contact,
                status="approved",
                approved_at=utcnow(),
                body=body,
                body_html=render_body(body),
                display_name="Hank Scorpio",
                display_title="Chief executive officer",
                display_company="Globex Corporation",
                industry="Energy",
                rating=5,
                uses=uses,
            )
            if "internal" not in uses:
                collections.add_to_collection(
                    session, deck.id, testimonial.id, by=marketer, now=utcnow()
                )
        return deck.id or 0


def library_search(page: Page, site: Site) -> None:
    sample_library(site)
    page.goto(site.url("/library?q=sustainability"))
    expect(page.get_by_role("heading", name="3 quotes found")).to_be_visible()


def library_search_with_error(page: Page, site: Site) -> None:
    sample_library(site)
    page.goto(site.url("/library?rating=9&since=tomorrow"))
    expect(page.get_by_role("alert")).to_contain_text("Choose a rating from 1 to 5.")


def library_tabs(page: Page, site: Site) -> None:
    sample_library(site)
    for path in ("/library/case-studies", "/library/references", "/library/logos"):
        page.goto(site.url(path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()


def library_references(page: Page, site: Site) -> None:
    sample_library(site)
    page.goto(site.url("/library/references"))
    expect(page.get_by_role("cell", name="Available")).to_be_visible()


def library_collections(page: Page, site: Site) -> None:
    sample_library(site)
    page.goto(site.url("/library/collections"))


def library_collection(page: Page, site: Site) -> None:
    collection_id = sample_library(site)
    page.goto(site.url(f"/library/collections/{collection_id}"))
    expect(page.get_by_role("button", name="Remove quote 1")).to_be_visible()


def library_printable(page: Page, site: Site) -> None:
    collection_id = sample_library(site)
    page.goto(site.url(f"/library/collections/{collection_id}/print"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def webhooks_with_error(page: Page, site: Site) -> None:
    page.goto(site.url("/admin/webhooks"))
    page.get_by_label("Address (URL)").fill("ftp://hooks.example/advocacy")
    page.get_by_label("Testimonial published").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_label("Address (URL)")).to_have_attribute("aria-invalid", "true")


def webhook_endpoint(page: Page, site: Site) -> None:
    from advocacy.clock import utcnow
    from advocacy.models import WebhookDelivery, WebhookEndpoint

    with site.server.app.app_context():
        session = db_session()
        now = utcnow()
        endpoint = WebhookEndpoint(
            url="https://hooks.example/advocacy/website",
            events="testimonial.published,testimonial.withdrawn",
            scope="publish",
            secret="whsec_" + "A" * 44,
            created_at=now,
            updated_at=now,
        )
        session.add(endpoint)
        session.flush()
        session.add(
            WebhookDelivery(
                message_id=f"msg_{'1' * 32}_{endpoint.id}",
                event_id=f"evt_{'1' * 32}",
                event_type="testimonial.published",
                endpoint_id=endpoint.id or 0,
                payload="{}",
                status="failed",
                attempts=1,
                next_attempt_at=now,
                last_status_code=410,
                last_error="refused: HTTP 410",
                created_at=now,
            )
        )
        session.commit()
        endpoint_id = endpoint.id
    page.goto(site.url(f"/admin/webhooks/{endpoint_id}"))
    expect(page.get_by_role("button", name="Send a test event")).to_be_visible()


def analytics_dashboard(page: Page, site: Site) -> None:
    sample_account(site)
    page.goto(site.url("/analytics"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Analytics")


def analytics_with_error(page: Page, site: Site) -> None:
    sample_account(site)
    page.goto(site.url(f"/analytics/{QUESTIONS[0].slug}?cohort=19&from=yesterday"))
    expect(page.get_by_role("alert")).to_contain_text("Cohort: enter a year")


def analytics_question(slug: str) -> Callable[[Page, Site], None]:
    """A visit to one analytics question (every registered one is visited by who may read it)."""

    def visit(page: Page, site: Site) -> None:
        sample_account(site)
        page.goto(site.url(f"/analytics/{slug}"))
        expect(page.get_by_role("link", name="Back to analytics")).to_be_visible()

    visit.__name__ = f"analytics_{slug}"
    return visit


Visit = Callable[[Page, Site], None]
PAGES_BY_PERSON: dict[str | None, list[Visit]] = {
    None: [
        sign_in_page,
        sign_in_page_with_error,
        not_found,
        client_mail_preferences,
        client_mail_preferences_saved,
        client_mail_unsubscribed,
        client_mail_unknown_link,
    ],
    "admin": [
        home,
        admin_users,
        admin_users_with_error,
        admin_user_invited,
        not_found,
        accounts_list,
        service_lines,
        mail_log,
        mail_message,
        mail_suppressions,
        team_view,
        webhooks_with_error,
        webhook_endpoint,
    ],
    "account_manager": [
        home,
        preferences,
        preferences_with_error,
        accounts_list,
        account_page,
        account_page_with_error,
        contact_page,
        my_week,
        check_in_page,
        check_in_page_with_error,
        library_search,
        library_references,
        analytics_dashboard,
        analytics_with_error,
        *[analytics_question(question.slug) for question in QUESTIONS],
    ],
    "marketing": [
        home,
        preferences,
        accounts_list,
        account_page,
        contact_page,
        library_search,
        library_search_with_error,
        library_tabs,
        library_collections,
        library_collection,
        library_printable,
        analytics_dashboard,
        *[analytics_question(q.slug) for q in QUESTIONS if q.marketing_reads],
    ],
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
