"""A person's rights in Chromium: an admin shows and downloads everything held about a contact,
erases them through the confirmation page, and afterwards no page shows their name, address or
words; the audit log lists the export and the erasure without repeating what was erased."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import User
from advocacy.services.voice.testimonial_consent import render_body
from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in
from tests.factories import (
    bearer,
    make_account,
    make_mail_contact,
    make_testimonial,
    make_token,
    make_touchpoint,
)
from tests.services.test_erasure import _occurrences

pytestmark = pytest.mark.browser

NAME = "Ottilie Vandersteen"
EMAIL = "ottilie.vandersteen@umbrella.example"
PHONE = "+32 470 55 01 99"
QUOTE = "Vandersteen says the restructuring saved our northern plants."
NOTE = "Ottilie asked for the board pack before the March meeting."


def a_client(server: LiveServer, publisher: User) -> tuple[int, int, int, str]:
    """A contact with a touchpoint about them and a published quote; a publish token."""
    with server.app.app_context():
        session = db_session()
        account = make_account(session, name="Umbrella Chemicals", industry="Chemicals")
        contact = make_mail_contact(
            session, account, full_name=NAME, email=EMAIL, phone=PHONE, title="COO"
        )
        make_touchpoint(session, account, contact_id=contact.id, summary=NOTE)
        make_testimonial(
            session,
            contact,
            status="published",
            approved_at=utcnow() - timedelta(days=2),
            published_at=utcnow() - timedelta(days=1),
            body=QUOTE,
            body_html=render_body(QUOTE),
            display_name=NAME,
            display_title="COO",
            display_company=account.name,
            uses={"named_public": None},
        )
        token = make_token(session, publisher, ("publish",))
        return contact.id, contact.person_id, account.id, token


def shows_nobody(page: Page, server: LiveServer, path: str) -> str:
    """Open `path` as the signed-in admin; none of the erased values may be on it."""
    response = page.goto(server.url + path)
    assert response is not None and response.status == 200, (path, response)
    text = page.content()
    for value in (NAME, EMAIL, PHONE, QUOTE, NOTE, "Vandersteen"):
        assert value.lower() not in text.lower(), (path, value)
    return text


def test_an_admin_exports_then_erases_a_person_and_no_page_shows_them_again(
    page: Page, live_server: LiveServer, person: Callable[..., User], tmp_path: Path
) -> None:
    marketer = person(role="marketing", email="site@firm.example", name="Website")
    contact_id, person_id, account_id, website = a_client(live_server, marketer)
    admin = person(role="admin", email="ines.admin@firm.example", name="Inès Admin")
    sign_in(page, live_server, admin.email)

    # Before: the person is on the contact page, in the library and on the website's API.
    page.goto(f"{live_server.url}/contacts/{contact_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    page.goto(f"{live_server.url}/library")
    expect(page.get_by_text(QUOTE, exact=True)).to_be_visible()
    api = requests.get(
        f"{live_server.url}/api/v1/testimonials", headers=bearer(website), timeout=30
    )
    assert QUOTE in api.text

    # Access: the readable summary, then the JSON document, both from the contact page.
    page.goto(f"{live_server.url}/contacts/{contact_id}")
    their_data = page.get_by_role("region", name="Their data")
    their_data.get_by_role("link", name="See everything held about them").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.get_by_text(EMAIL).first).to_be_visible()
    expect(page.get_by_text(NOTE).first).to_be_visible()
    page.go_back()
    with page.expect_download() as download_info:
        their_data.get_by_role("link", name="Download it as JSON").click()
    download = download_info.value
    assert download.suggested_filename.startswith("personal-data-person-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = json.loads(saved.read_text("utf-8"))
    exported = json.dumps(document, ensure_ascii=False)
    for value in (NAME, EMAIL, QUOTE, NOTE):
        assert value in exported, value

    # Erasure: the confirmation page says what will happen; a wrong name changes nothing.
    page.get_by_role("link", name="Erase this person…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Erase {NAME}")
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    page.get_by_label("Type their full name to confirm").fill("Someone Else")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text(f"Type the person's full name, {NAME}, to confirm.")).to_be_visible()
    page.get_by_label("Type their full name to confirm").fill(NAME)
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("Erased. Nothing that identifies this person is left.")).to_be_visible()
    assert page.url == f"{live_server.url}/accounts/{account_id}"

    # After: no page the admin opens shows the person, their address, their words or notes.
    contact_page = shows_nobody(page, live_server, f"/contacts/{contact_id}")
    assert "Erased person" in contact_page
    shows_nobody(page, live_server, f"/accounts/{account_id}")
    shows_nobody(page, live_server, "/library")
    shows_nobody(page, live_server, "/library?q=restructuring")
    shows_nobody(page, live_server, f"/contacts/{contact_id}/personal-data")
    shows_nobody(page, live_server, "/wall")
    for outside in (
        requests.get(f"{live_server.url}/api/v1/testimonials", headers=bearer(website), timeout=30),
        requests.get(f"{live_server.url}/wall", timeout=30),
    ):
        assert outside.status_code == 200
        assert QUOTE not in outside.text and NAME not in outside.text

    # And the database holds none of it, in any text column of any table.
    with live_server.app.app_context():
        session = db_session()
        for value in (NAME, EMAIL, PHONE, QUOTE, NOTE):
            assert _occurrences(session, value) == [], value

    # The audit log lists both actions, by whom and about which person number, but not who it
    # was: an erasure entry holds only the person's id and counts of tables and rows.
    shows_nobody(page, live_server, "/admin/audit")
    rows = page.get_by_role("region", name="entries").get_by_role("row")
    erased = rows.filter(has_text="A person erased")
    expect(erased).to_have_count(1)
    expect(erased).to_contain_text(f"User: {admin.email}")
    expect(erased).to_contain_text(f"person #{person_id}")
    expect(erased).to_contain_text("rows:")
    exported = rows.filter(has_text="A person's data exported")
    # The summary and the JSON document, then the summary again after the erasure.
    expect(exported).to_have_count(3)
    expect(exported.filter(has_text="format: html")).to_have_count(2)
    expect(exported.filter(has_text="format: json")).to_have_count(1)
    expect(exported.first).to_contain_text(f"person #{person_id}")
    page.get_by_label("Action").select_option(label="A person erased")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="1 entry")).to_be_visible()
    shows_nobody(page, live_server, page.url.removeprefix(live_server.url))
