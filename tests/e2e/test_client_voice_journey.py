"""The client-voice journey of one client, in Chromium at phone size, as one story: the survey
link from the e-mail, a 10, the promoter's invitation, a named-public testimonial with logo
consent for a year, then the "manage my contributions" link to withdraw the logo consent only;
marketing sees the change at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import select

from advocacy import models
from advocacy.db import db_session
from advocacy.models import OutboxMessage, User
from tests.conftest import LiveServer
from tests.e2e.conftest import PHONE, sign_in
from tests.e2e.test_survey_in_browser import survey_link_from_the_outbox

pytestmark = pytest.mark.browser

LOGO = "You may show my company's logo next to it."
NAMED = "You may publish it with my name, title and company."


def fits_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_a_promoter_goes_from_survey_to_testimonial_then_takes_the_logo_back(
    live_server: LiveServer,
    person: Callable[..., User],
    new_context: Callable[..., BrowserContext],
) -> None:
    person(role="marketing", email="mia@firm.example", name="Mia")
    phone = new_context(viewport=PHONE).new_page()
    phone.goto(survey_link_from_the_outbox(live_server))
    phone.get_by_role("group", name=re.compile("How likely are you to recommend")).get_by_text(
        "10", exact=True
    ).click()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    fits_the_phone(phone)

    phone.get_by_role("link", name="Write a few words about us").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your testimonial")
    phone.get_by_label("Your testimonial").fill("Sharp, calm and always one step ahead.")
    phone.get_by_label("5", exact=True).check()
    phone.get_by_role("checkbox", name=NAMED).check()
    phone.get_by_role("checkbox", name=LOGO).check()
    in_a_year = (date.today() + timedelta(days=365)).isoformat()
    phone.get_by_label(f"Until (optional) — {LOGO}").fill(in_a_year)
    fits_the_phone(phone)
    phone.get_by_role("button", name="Send my testimonial").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")

    with live_server.app.app_context():
        session = db_session()
        testimonial = session.exec(select(models.Testimonial)).one()
        assert testimonial.survey_id is not None, "the testimonial keeps the survey it came from"
        thanks = session.exec(
            select(OutboxMessage).where(OutboxMessage.template == "testimonial_thanks")
        ).one()
    manage = re.search(r"(http://\S+/c/manage/[A-Za-z0-9_-]+)", thanks.text_body)
    assert manage, "the thank-you e-mail carries the manage link"

    later = new_context(viewport=PHONE).new_page()
    later.goto(manage.group(1))
    later.get_by_role("checkbox", name=LOGO).uncheck()
    later.get_by_role("button", name="Save my choices").click()
    expect(later.get_by_role("status")).to_contain_text("Your choices are saved")
    expect(later.get_by_role("checkbox", name=NAMED)).to_be_checked()
    fits_the_phone(later)

    staff = new_context().new_page()
    sign_in(staff, live_server, "mia@firm.example")
    staff.goto(f"{live_server.url}/testimonials")
    staff.get_by_role("link", name=re.compile("always one step ahead")).click()
    permissions = staff.get_by_role("region", name="Permissions")
    expect(permissions.locator('tr[data-use="logo"]')).to_contain_text("Withdrawn")
    expect(permissions.locator('tr[data-use="named_public"]')).to_contain_text("Allowed")
