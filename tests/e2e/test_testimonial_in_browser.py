"""A testimonial end to end in Chromium at phone size: the client writes it from the e-mail link
with named-public and logo consent (the logo for a year), later opens the "manage my
contributions" link and withdraws the logo consent only; marketing's detail page then shows the
logo permission withdrawn and the named-public one still allowed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import OutboxMessage, User
from tests.conftest import LiveServer
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import make_account, make_mail_contact, make_testimonial_link

pytestmark = pytest.mark.browser

LOGO = "You may show my company's logo next to it."
NAMED = "You may publish it with my name, title and company."


def test_a_client_gives_then_withdraws_logo_consent_and_marketing_sees_it(
    live_server: LiveServer,
    person: Callable[..., User],
    new_context: Callable[..., BrowserContext],
) -> None:
    person(role="marketing", email="mia@firm.example", name="Mia")
    with live_server.app.app_context():
        session = db_session()
        account = make_account(session, name="Acme Industrial")
        contact = make_mail_contact(
            session, account, full_name="Ann Client", title="CFO", email="ann@acme.example"
        )
        token = make_testimonial_link(session, contact)

    phone = new_context(viewport=PHONE).new_page()
    phone.goto(f"{live_server.url}/c/testimonial/new/{token}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your testimonial")
    expect(phone.get_by_label("Name to show")).to_have_value("Ann Client")
    phone.get_by_label("Your testimonial").fill(
        "They *listened*, and our close took half the time."
    )
    phone.get_by_label("5", exact=True).check()
    phone.get_by_role("checkbox", name=NAMED).check()
    phone.get_by_role("checkbox", name=LOGO).check()
    in_a_year = (date.today() + timedelta(days=365)).isoformat()
    phone.get_by_label(f"Until (optional) — {LOGO}").fill(in_a_year)
    width = phone.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]
    phone.get_by_role("button", name="Send my testimonial").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")

    with live_server.app.app_context():
        thanks = (
            db_session()
            .exec(select(OutboxMessage).where(OutboxMessage.template == "testimonial_thanks"))
            .one()
        )
    manage = re.search(r"(http://\S+/c/manage/[A-Za-z0-9_-]+)", thanks.text_body)
    assert manage

    later = new_context(viewport=PHONE).new_page()
    later.goto(manage.group(1))
    expect(later.get_by_role("heading", level=1)).to_have_text("Your contributions")
    expect(later.get_by_role("checkbox", name=LOGO)).to_be_checked()
    expect(later.get_by_role("checkbox", name=NAMED)).to_be_checked()
    later.get_by_role("checkbox", name=LOGO).uncheck()
    later.get_by_role("button", name="Save my choices").click()
    expect(later.get_by_role("status")).to_contain_text("Your choices are saved")
    expect(later.get_by_role("checkbox", name=LOGO)).not_to_be_checked()
    expect(later.get_by_role("checkbox", name=NAMED)).to_be_checked()
    width = later.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]

    staff = new_context().new_page()
    sign_in(staff, live_server, "mia@firm.example")
    staff.goto(f"{live_server.url}/testimonials")
    staff.get_by_role("link", name=re.compile("our close took half the time")).click()
    permissions = staff.get_by_role("region", name="Permissions")
    expect(permissions.locator('tr[data-use="logo"]')).to_contain_text("Withdrawn")
    expect(permissions.locator('tr[data-use="logo"]')).to_contain_text(in_a_year[:4])
    expect(permissions.locator('tr[data-use="named_public"]')).to_contain_text("Allowed")
    history = staff.get_by_role("region", name="Consent history")
    expect(history).to_contain_text(LOGO)
    expect(staff.get_by_text("ann@acme.example")).to_have_count(0)
