"""An account manager's week in Chromium: she signs in to My week, reads what to bring up with
Globex, logs the conversation from the page in one go, and finds it on the account's timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in
from tests.web.check_in_helpers import portfolio

pytestmark = pytest.mark.browser


def test_an_account_manager_completes_a_check_in_from_my_week_and_sees_it_on_the_timeline(
    page: Page, live_server: LiveServer
) -> None:
    folio = portfolio(live_server.app)
    sign_in(page, live_server, folio.owner.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maya Chen")

    overdue = page.get_by_role("region", name="Overdue")
    expect(overdue.get_by_role("heading", name="Acme")).to_be_visible()
    this_week = page.get_by_role("region", name="Due this week")
    globex = this_week.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Globex")
    )
    expect(globex).to_contain_text("with Hank Scorpio, Chief executive officer")
    expect(globex).to_contain_text(
        "Talk about Tax: Tax is part of what we do that they do not know us for yet."
    )
    expect(globex).to_contain_text("Running now: Annual audit")
    expect(globex).to_contain_text("Ann Leaver moved to Initech: follow them there")
    expect(globex).to_contain_text("Quarterly review")

    notes = "Hank wants to hear about the Deals team before their spring carve-out"
    globex.get_by_text("Done? Log the conversation").click()
    globex.get_by_label("Outcome").select_option(label="We spoke and found a new need")
    globex.get_by_label("How").select_option(label="Video")
    globex.get_by_label("Notes").fill(notes)
    globex.get_by_label("Next step").fill("Introduce Sam from Deals")
    globex.get_by_role("button", name="Mark done").click()

    expect(page.get_by_role("status")).to_have_text(
        "Check-in done: the conversation is on the account's timeline."
    )
    expect(
        page.get_by_role("region", name="Due this week").get_by_role("heading", name="Globex")
    ).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Globex", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex")
    logged = (
        page.get_by_role("region", name="Touchpoints").get_by_role("row").filter(has_text=notes)
    )
    expect(logged).to_contain_text("Meeting")
    expect(logged).to_contain_text("Introduce Sam from Deals")
    expect(logged).to_contain_text("Hank Scorpio")
    check_ins = page.get_by_role("region", name="Check-ins")
    expect(check_ins).to_contain_text("Done · We spoke and found a new need")
