"""The library end to end in Chromium: marketing finds quotes about one service line in one
industry, copies one with its attribution, builds a collection and downloads it as CSV; the
client then withdraws a consent from the "manage my contributions" link, and the quote leaves
the library, the website's API and the wall at once and is shown as no longer allowed in the
collection."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import User
from advocacy.services.voice import testimonials
from advocacy.services.voice.testimonial_consent import render_body
from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in
from tests.factories import (
    bearer,
    make_account,
    make_mail_contact,
    make_service_line,
    make_testimonial,
    make_testimonial_link,
    make_token,
)

pytestmark = pytest.mark.browser

NAMED = "You may publish it with my name, title and company."
KEPT = "Our audit closed two weeks early and the board noticed."
WITHDRAWN = "The audit team found what three others had missed."


def quotes(server: LiveServer, marketer: User) -> str:
    """Four approved quotes, two of them about audit in energy; the manage link of one author."""
    with server.app.app_context():
        session = db_session()
        audit = make_service_line(session, "Audit and assurance")
        strategy = make_service_line(session, "Strategy")
        energy = make_account(session, name="Globex Energy", industry="Energy")
        bank = make_account(session, name="Initech Bank", industry="Banking")
        ann = make_mail_contact(session, energy, full_name="Ann Client", email="ann@globex.example")
        bob = make_mail_contact(session, energy, full_name="Bob Buyer", email="bob@globex.example")
        cy = make_mail_contact(session, bank, full_name="Cy Banker")
        for contact, body, account, line, uses in (
            (ann, WITHDRAWN, energy, audit, {"named_public": None}),
            (bob, KEPT, energy, audit, {"named_public": None, "logo": None}),
            (
                bob,
                "Their strategy work reshaped our plants.",
                energy,
                strategy,
                {"named_public": None},
            ),
            (
                cy,
                "The audit of our branches was calm and thorough.",
                bank,
                audit,
                {"named_public": None},
            ),
        ):
            testimonial = make_testimonial(
                session,
                contact,
                status="published",
                approved_at=utcnow() - timedelta(days=2),
                published_at=utcnow() - timedelta(days=1),
                body=body,
                body_html=render_body(body),
                display_name=contact.email.split("@")[0].title(),
                display_title="CFO",
                display_company=account.name,
                uses=uses,
            )
            testimonials.set_tags(
                session,
                testimonial.id,
                service_line_ids={line.id},
                industry=account.industry,
                outcomes="",
                by=marketer,
                now=utcnow(),
            )
        return make_testimonial_link(session, ann, purpose="manage", now=utcnow())


def outside_surfaces(server: LiveServer, website_token: str) -> tuple[str, str]:
    """What the website shows: the wall for energy clients, and the API with a publish token."""
    wall = requests.get(f"{server.url}/wall", params={"industry": "Energy"}, timeout=30)
    api = requests.get(
        f"{server.url}/api/v1/testimonials",
        params={"industry": "Energy"},
        headers=bearer(website_token),
        timeout=30,
    )
    assert wall.status_code == 200 and api.status_code == 200
    assert wall.headers["Cache-Control"] == "public, max-age=60"  # gone from caches in a minute
    return wall.text, api.text


def test_marketing_builds_and_exports_a_collection_and_a_withdrawal_takes_a_quote_out(
    live_server: LiveServer,
    person: Callable[..., User],
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
) -> None:
    marketer = person(role="marketing", email="mia@firm.example", name="Mia")
    token = quotes(live_server, marketer)
    with live_server.app.app_context():
        website_token = make_token(db_session(), marketer, ("publish",))
    wall, api = outside_surfaces(live_server, website_token)
    assert WITHDRAWN in wall and WITHDRAWN in api

    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, live_server, "mia@firm.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("link", name="Collections").click()
    page.get_by_label("Name").fill("Proposal for Globex")
    page.get_by_label("Purpose").fill("Audit proposal, energy sector")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposal for Globex")

    page.get_by_role("link", name="Find quotes to add").click()
    page.get_by_label("Service line").select_option(label="Audit and assurance")
    page.get_by_label("Industry").select_option("Energy")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_role("region", name="2 quotes found")
    expect(results.get_by_role("listitem").filter(has_text=KEPT)).to_have_count(1)
    expect(results.get_by_role("listitem").filter(has_text=WITHDRAWN)).to_have_count(1)

    kept = results.locator("li.quote-card").filter(has_text=KEPT)
    kept.get_by_role("button", name="Copy with attribution").click()
    expect(kept.get_by_role("status")).to_have_text("Copied with its attribution.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == f"“{KEPT}”\n— Bob, CFO, Globex Energy"

    for body in (KEPT, WITHDRAWN):
        card = page.locator("li.quote-card").filter(has_text=body)
        card.get_by_role("button", name="Add to collection").click()
        expect(page.get_by_role("status").first).to_contain_text("Quote added to the collection.")

    page.get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="Proposal for Globex").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export as CSV").click()
    saved = tmp_path / "collection.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["position", "quote", "attribution", "may_be_published"]
    assert [(row[1], row[2]) for row in rows[1:]] == [
        (KEPT, "Bob, CFO, Globex Energy"),
        (WITHDRAWN, "Ann, CFO, Globex Energy"),
    ]

    client = new_context().new_page()
    client.goto(f"{live_server.url}/c/manage/{token}")
    expect(client.get_by_role("heading", level=1)).to_have_text("Your contributions")
    client.get_by_role("checkbox", name=NAMED).uncheck()
    client.get_by_role("button", name="Save my choices").click()
    expect(client.get_by_role("status")).to_contain_text("Your choices are saved")

    page.goto(f"{live_server.url}/library?q=audit")
    expect(page.get_by_role("region", name="2 quotes found")).to_be_visible()
    expect(page.get_by_text(WITHDRAWN)).to_have_count(0)
    wall, api = outside_surfaces(live_server, website_token)
    assert WITHDRAWN not in wall and WITHDRAWN not in api
    assert KEPT in wall and KEPT in api

    page.get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="Proposal for Globex").click()
    expect(
        page.get_by_text("1 quote is no longer allowed: it is left out of exports.")
    ).to_be_visible()
    gone = page.locator("li.quote-gone")
    expect(gone).to_contain_text("No longer allowed")
    expect(gone).not_to_contain_text(WITHDRAWN)  # staff may no longer read it either
    with page.expect_download() as download:
        page.get_by_role("link", name="Export as CSV").click()
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [KEPT]
