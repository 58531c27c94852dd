"""A client answers the survey from the e-mail on a phone: a 10 with a comment, then the
promoter's invitation to write a testimonial or introduce someone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import OutboxMessage, Survey, User
from tests.conftest import LiveServer
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import make_account, make_mail_contact, make_survey

pytestmark = pytest.mark.browser


def survey_link_from_the_outbox(server: LiveServer) -> str:
    with server.app.app_context():
        session = db_session()
        make_survey(session, server.app.config["ADVOCACY"], full_name="Camille", now=utcnow())
        message = session.exec(
            select(OutboxMessage).where(OutboxMessage.template == "survey")
        ).one()
    match = re.search(r"https?://\S+/c/survey/[A-Za-z0-9_-]+", message.text_body)
    assert match, "no survey link in the e-mail"
    return match.group(0)


def test_a_client_answers_ten_on_a_phone_and_is_invited_to_advocate(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    url = survey_link_from_the_outbox(live_server)
    assert url.startswith(live_server.url)
    page = new_context(viewport=PHONE).new_page()
    page.goto(url)

    scale = page.get_by_role("group", name=re.compile("How likely are you to recommend"))
    expect(scale).to_be_visible()
    expect(scale.get_by_role("radio")).to_have_count(11)
    scale.get_by_text("10", exact=True).click()
    expect(page.get_by_role("radio", name="10")).to_be_checked()
    page.get_by_label("Why? (optional)").fill("Clear advice & on time.")
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    testimonial = page.get_by_role("link", name="Write a few words about us")
    referral = page.get_by_role("link", name="Introduce someone who could use our help")
    expect(testimonial).to_have_attribute("href", re.compile(r"^/c/testimonial/new/[\w-]{30,}$"))
    expect(referral).to_have_attribute("href", re.compile(r"^/c/referral/new/[\w-]{30,}$"))
    with live_server.app.app_context():
        survey = db_session().exec(select(Survey)).one()
        assert (survey.status, survey.score, survey.comment) == (
            "answered",
            10,
            "Clear advice & on time.",
        )

    page.goto(url)  # the link is spent: the client is thanked again
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanks, you have already answered")


def test_a_refused_survey_request_says_why_where_the_person_clicked(
    live_server: LiveServer, page: Page, person: Callable[..., User]
) -> None:
    owner = person()
    with live_server.app.app_context():
        session = db_session()
        account = make_account(session, name="Initech", owner=session.get(User, owner.id))
        make_mail_contact(session, account, full_name="Ann Client")
    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/accounts/{account.id}")
    page.get_by_role("button", name="Send the survey").click()
    expect(page.get_by_role("cell", name="Sent", exact=True)).to_be_in_viewport()

    # Another survey to the same person, days too soon: the rule says no, and says it in view.
    page.get_by_role("combobox", name="Survey").select_option("csat")
    page.get_by_role("button", name="Send the survey").click()
    expect(page.get_by_role("alert")).to_have_text("Not sent: surveyed recently.")
    expect(page.get_by_role("alert")).to_be_in_viewport()
