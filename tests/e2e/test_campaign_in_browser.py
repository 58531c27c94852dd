"""A nurture campaign in Chromium, end to end: a marketer builds "between engagements — introduce
the next service line" through the pages, previews who gets which line and why (and who is held
back, and why), starts it; the jobs run and send through the real sendgrid library to the local
fake SendGrid; the mail log shows each e-mail with its content and reason; the client follows the
link of the real message, SendGrid reports the click, and the account page shows the client now
knows the firm for one more line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import select

from advocacy.adapters.sendgrid_mail import SendGridSender
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import OutboxMessage
from advocacy.services.mail.dispatch import dispatch_due, new_worker_id
from advocacy.services.mail.events import process_pending_events
from advocacy.services.nurture.run import run_campaigns
from tests.conftest import LiveServer
from tests.e2e.conftest import create_person, password_hash, sign_in
from tests.factories_campaigns import ALWAYS_OPEN, build_firm
from tests.fake_sendgrid import FakeSendGrid
from tests.sendgrid_events import Signer, events_for, post_events

pytestmark = pytest.mark.browser

NAME = "Between engagements — introduce the next service line"
ARTICLE = "https://insights.firm.example/tp"


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as server:
        yield server


def run_the_jobs(server: LiveServer) -> None:
    """What the jobs process does every few minutes: plan and write the campaigns, then send."""
    with server.app.app_context():
        settings = server.app.config["ADVOCACY"]
        session = db_session()
        run_campaigns(session, now=utcnow(), settings=settings)
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        sender = SendGridSender(settings, timeout=5.0, threads=1)
        try:
            dispatch_due(engine, settings, sender, now=utcnow(), worker_id=new_worker_id())
        finally:
            sender.close()


def test_a_marketer_runs_a_next_line_campaign_and_a_click_changes_what_the_client_knows(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server_factory: Callable[..., LiveServer],
    fake: FakeSendGrid,
) -> None:
    signer = Signer()
    server = live_server_factory(
        mail_backend="sendgrid",
        sendgrid_api_key="SG.test",
        sendgrid_host=fake.url,
        sendgrid_webhook_public_key=signer.public_key,
        **ALWAYS_OPEN,
    )
    firm = build_firm(server.app)
    with server.app.app_context():
        session = db_session()
        marketer = session.merge(firm.marketer)
        marketer.password_hash = password_hash()
        session.commit()
    sign_in(page, server, firm.marketer.email)

    # Build the campaign through its pages: the audience, then its one step.
    page.goto(server.url + "/campaigns")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Between engagements").check()
    page.get_by_role("button", name="Count").click()
    expect(page.get_by_role("status")).to_have_text("4 contacts match this audience now.")
    page.get_by_role("button", name="Create and add steps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Steps of {NAME}")
    page.get_by_label("What it does").first.select_option(
        label="E-mail introducing the next service line"
    )
    page.get_by_role("button", name="Save the steps").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)

    # The preview: who gets which line and why, who is held back and why.
    page.get_by_role("link", name="Preview the next run").click()
    sends = page.locator("#sends")
    for number in (0, 2):
        row = sends.get_by_role("row").filter(has_text=f"Client person {number}")
        expect(row).to_contain_text("Transfer pricing")
        expect(row).to_contain_text("Transfer pricing after the reform")
        expect(row.get_by_role("cell").last).not_to_be_empty()
    held = page.locator("#held")
    for number in (1, 3):
        row = held.get_by_role("row").filter(has_text=f"Client person {number}")
        expect(row).to_contain_text("No service line left to introduce")
    why = sends.get_by_role("row").filter(has_text="Client person 0").get_by_role("cell").last
    reason = why.get_by_role("listitem").first.inner_text().strip()
    assert "Transfer pricing" in reason

    # Start it, then let the jobs run.
    page.get_by_role("link", name=NAME).first.click()
    page.get_by_role("link", name="Start…").click()
    page.get_by_role("button", name="Start the campaign").click()
    expect(page.get_by_role("status").first).to_contain_text("is running")
    run_the_jobs(server)
    assert len(fake.accepted()) == 2

    # The mail log, as an administrator sees it: one e-mail per contact, its content and reason.
    admin = new_context()
    admin_page = admin.new_page()
    boss = create_person(server, "admin")
    sign_in(admin_page, server, boss.email)
    admin_page.goto(server.url + "/admin/mail?category=nurture")
    messages = admin_page.get_by_role("row").filter(has_text="Transfer pricing after the reform")
    expect(messages).to_have_count(2)
    messages.filter(has_text=firm.contacts[0].email).get_by_role("link").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(
        "Transfer pricing: Transfer pricing after the reform"
    )
    expect(admin_page.locator("pre.mail-text")).to_contain_text("Dear Client person 0")
    expect(admin_page.get_by_role("region", name="Why this message")).to_contain_text(reason)

    page.goto(f"{server.url}/accounts/{firm.contacts[0].account_id}")
    services = page.locator("#services")
    expect(services).to_contain_text("Knows us for: Tax.")
    expect(services).not_to_contain_text("Knows us for: Tax, Transfer pricing.")
    before = services.get_by_text("Typecasting index").inner_text()

    # The client opens the link of the message they really received.
    with server.app.app_context():
        sent = (
            db_session()
            .exec(select(OutboxMessage).where(OutboxMessage.to_email == firm.contacts[0].email))
            .one()
        )
    link = re.search(r"https?://\S+", sent.text_body.split("Read more:")[1])
    assert link and link.group(0) == ARTICLE
    client = new_context()
    client_page = client.new_page()
    client_page.route(
        ARTICLE, lambda route: route.fulfill(body="<h1>Transfer pricing after the reform</h1>")
    )
    client_page.goto(link.group(0))
    expect(client_page.get_by_role("heading", level=1)).to_be_visible()
    # SendGrid tracks that click and reports it: the events it posts about the request it took.
    [request] = [r for r in fake.accepted() if firm.contacts[0].email in str(r.body)]
    webhook = server.app.test_client()
    post_events(webhook, signer, events_for(request, ("delivered", "click")))
    with server.app.app_context():
        process_pending_events(db_session(), utcnow())

    page.reload()
    expect(services).to_contain_text("Knows us for: Tax, Transfer pricing.")
    after = services.get_by_text("Typecasting index").inner_text()
    assert after != before, (before, after)
