"""Analytics in Chromium: a partner opens the dashboard, a question, narrows it to one owner and
downloads the numbers of a chart as CSV, under the strict Content-Security-Policy."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, expect

from advocacy.db import db_session
from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in
from tests.factories_analytics import build_firm

pytestmark = pytest.mark.browser


def test_dashboard_question_filter_and_csv_download(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    with live_server.app.test_request_context():
        firm = build_firm(db_session())
    page = new_context(accept_downloads=True).new_page()
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", record)
    sign_in(page, live_server, firm.olivia.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Analytics")
    question = page.get_by_role("region", name="What do prospects decide?")
    expect(question.get_by_text("80%", exact=True)).to_be_visible()  # hired: 8 of 10 decisions

    page.get_by_role("link", name="What do prospects decide?", exact=True).click()
    expect(page.get_by_role("img", name="Outcomes by owner")).to_be_visible()
    page.get_by_label("Owner", exact=True).select_option(label="Olivia")
    page.get_by_role("button", name="Apply").click()
    assert f"owner={firm.olivia.id}" in page.url
    expect(page.get_by_text("4 of 5 decisions", exact=True)).to_be_visible()  # hired

    figure = page.get_by_role("region", name="Outcomes by owner", exact=True)
    with page.expect_download() as info:
        figure.get_by_role("link", name="Download the table (CSV)").click()
    download = info.value
    assert download.suggested_filename == "pre-purchase-by-owner.csv"
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Owner", "Hired (share)", "Not now (share)", "No way (share)"]
    assert rows[1] == ["Olivia", "0.8000", "0.0000", "0.2000"]
    assert not refused, refused
