"""A referral end to end in Chromium: the account manager asks a client for an introduction, the
client opens the link from the e-mail on a phone and introduces someone, and the account manager
finds the new prospect on their home page with who referred it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import OutboxMessage, User
from tests.conftest import LiveServer
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import make_account, make_mail_contact

pytestmark = pytest.mark.browser


def test_a_client_introduces_someone_from_a_phone_and_the_owner_sees_the_attribution(
    live_server: LiveServer,
    person: Callable[..., User],
    new_context: Callable[..., BrowserContext],
) -> None:
    owner = person(email="owen@firm.example", name="Owen")
    with live_server.app.app_context():
        session = db_session()
        account = make_account(session, name="Happy Client SA", owner=owner)
        make_mail_contact(session, account, full_name="Rita Referrer", email="rita@happy.example")
        account_id = account.id

    staff = new_context().new_page()
    sign_in(staff, live_server, "owen@firm.example")
    staff.goto(f"{live_server.url}/accounts/{account_id}")
    panel = staff.get_by_role("region", name="Referrals")
    panel.get_by_label("Whom to ask").select_option(label="Rita Referrer")
    panel.get_by_role("button", name="Ask for an introduction").click()
    expect(staff.get_by_text("Introduction request sent.")).to_be_visible()

    with live_server.app.app_context():
        ask = (
            db_session()
            .exec(select(OutboxMessage).where(OutboxMessage.template == "referral_ask"))
            .one()
        )
    link = ask.text_body.split("Introduce someone: ", 1)[1].split()[0]
    assert link.startswith(f"{live_server.url}/c/referral/new/")

    phone = new_context(viewport=PHONE).new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Introduce someone to us")
    phone.get_by_label("Their name").fill("Paul Prospect")
    phone.get_by_role("button", name="Send the introduction").click()
    # Nothing typed is lost when the company is missing.
    expect(phone.get_by_label("Their name")).to_have_value("Paul Prospect")
    phone.get_by_label("Their company").fill("Newco Ltd")
    phone.get_by_label("Their e-mail (optional)").fill("paul@newco.example")
    phone.get_by_label("What they might need (optional)").fill("Help with a merger")
    phone.get_by_label("A call").check()
    width = phone.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]
    phone.get_by_role("button", name="Send the introduction").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you for the introduction")
    expect(phone.get_by_role("status")).to_contain_text("Paul Prospect")

    staff.goto(live_server.url + "/")
    signal = staff.locator("li.signal-referral")
    expect(signal).to_contain_text("New referral from Rita Referrer (Happy Client SA)")
    signal.get_by_role("link", name="Newco Ltd").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Newco Ltd")
    expect(staff.locator(".attribution")).to_contain_text(
        "Referred by Rita Referrer (account Happy Client SA)"
    )
    staff.locator(".attribution").get_by_role("link", name="Received").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Referral: Paul Prospect")
    expect(staff.get_by_text("Help with a merger")).to_be_visible()
