"""The preference page as a client uses it on a phone: open the link from the e-mail, change the
choices, unsubscribe from everything; and the one-click POST a mail provider sends."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ConsentChange, Suppression
from tests.conftest import LiveServer
from tests.e2e.conftest import PHONE
from tests.factories import make_account, make_contact, make_unsubscribe_link

pytestmark = pytest.mark.browser

EMAIL = "camille@client.example"


def link_for(server: LiveServer, language: str) -> str:
    with server.app.app_context():
        session = db_session()
        account = make_account(session, name="Client SA")
        contact = make_contact(
            session, account, full_name="Camille", email=EMAIL, language=language
        )
        token = make_unsubscribe_link(session, EMAIL, contact_id=contact.id)
    return f"{server.url}/c/unsubscribe/{token}"


def suppressions(server: LiveServer) -> dict[str, str]:
    with server.app.app_context():
        rows = db_session().exec(select(Suppression).where(Suppression.email == EMAIL))
        return {row.category: row.reason for row in rows}


def test_a_french_client_changes_their_choices_on_a_phone(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    url = link_for(live_server, "fr")
    page = new_context(viewport=PHONE, locale="en-GB").new_page()
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    checkboxes = page.get_by_role("checkbox")
    expect(checkboxes).to_have_count(4)
    for index in range(4):
        expect(checkboxes.nth(index)).to_be_checked()

    page.get_by_label("Des demandes de témoignage ou d’avis").uncheck()
    page.get_by_label("Des demandes d’échange avec un client potentiel").uncheck()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_label("Des demandes de témoignage ou d’avis")).not_to_be_checked()
    expect(page.get_by_label("Nos actualités et analyses")).to_be_checked()
    assert suppressions(live_server) == {
        "advocacy_ask": "unsubscribe",
        "reference_request": "unsubscribe",
    }
    # The choice holds when the link is opened again later.
    page.goto(url)
    expect(page.get_by_label("Des demandes d’échange avec un client potentiel")).not_to_be_checked()
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]


def test_a_client_unsubscribes_from_everything_with_one_button(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    url = link_for(live_server, "en")
    page = new_context(viewport=PHONE).new_page()
    page.goto(url)
    page.get_by_role("button", name="Unsubscribe from all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert suppressions(live_server) == {"all": "unsubscribe"}

    page.get_by_role("link", name="Choose what you receive instead").click()
    for index in range(4):
        expect(page.get_by_role("checkbox").nth(index)).not_to_be_checked()
    page.get_by_label("News and insights from us").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert suppressions(live_server) == {
        "survey": "unsubscribe",
        "advocacy_ask": "unsubscribe",
        "reference_request": "unsubscribe",
    }


def test_the_one_click_post_of_a_mail_provider_works_without_cookies(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    url = link_for(live_server, "en")
    request = new_context().request
    response = request.post(url, form={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    assert "set-cookie" not in {name.lower() for name in response.headers}
    assert suppressions(live_server) == {"all": "unsubscribe"}
    with live_server.app.app_context():
        change = db_session().exec(select(ConsentChange)).one()
        assert (change.via, change.category) == ("one_click", "all")


def test_an_unknown_link_shows_a_friendly_page(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(viewport=PHONE).new_page()
    response = page.goto(live_server.url + "/c/unsubscribe/this-is-not-a-link")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work any more")
