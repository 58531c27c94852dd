"""On the demo firm, in Chromium: a partner opens the analytics dashboard, goes to each question
from it, reads its numbers and downloads the table of each of its charts (what issue "Done means"
asks a partner to manage in under a minute per question; the time is not asserted here)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.demo.loader import load_demo
from advocacy.services.analytics import stored
from advocacy.services.analytics.questions import QUESTIONS
from tests.conftest import LiveServer
from tests.e2e.conftest import create_person, sign_in

pytestmark = pytest.mark.browser


def test_a_partner_answers_every_question_of_the_demo_firm_and_exports_its_numbers(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    with live_server.app.test_request_context():
        session = db_session()
        load_demo(session, size="small", now=utcnow())
        stored.refresh(session, now=utcnow())  # what the hourly job has done on a running firm
    partner = create_person(live_server, "admin", email="partner@firm.example")
    page = new_context(accept_downloads=True).new_page()
    sign_in(page, live_server, partner.email)
    exported: dict[str, int] = {}
    for question in QUESTIONS:
        page.goto(live_server.url + "/analytics")
        with live_server.app.test_request_context():
            title = question.title()
        section = page.get_by_role("region", name=title)
        expect(section.locator(".headline-value").first).to_be_visible()
        section.get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        values = page.locator(".headline-value").all_inner_texts()
        assert values and any(any(c.isdigit() for c in v) for v in values), (question.slug, values)
        links = page.get_by_role("link", name="Download the table (CSV)")
        assert links.count() >= 1, question.slug
        for index in range(links.count()):
            with page.expect_download() as info:
                links.nth(index).click()
            download = info.value
            assert download.suggested_filename.startswith(f"{question.slug}-")
            rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
            assert rows and all(cell for cell in rows[0]), (download.suggested_filename, rows[:1])
            exported[download.suggested_filename] = len(rows) - 1
    # The demo firm's history gives every question something to count: most tables have rows.
    assert sum(1 for count in exported.values() if count > 0) >= len(exported) * 2 // 3, exported
