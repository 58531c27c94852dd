"""A HubSpot contacts export with bad rows imported in Chromium in one pass: the valid rows go in,
the companies are created, and the rejected rows come back as a file to download and fix."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from advocacy.models import User
from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in
from tests.e2e.test_portfolio_journey import report_counts, upload

pytestmark = pytest.mark.browser

CSV = Path(__file__).resolve().parents[1] / "data" / "csv"


def test_a_partial_import_creates_the_companies_and_gives_the_rejected_rows_back(
    page: Page, live_server: LiveServer, person: Callable[..., User], tmp_path: Path
) -> None:
    manager = person(email="maya.chen@firm.example", name="Maya Chen")
    sign_in(page, live_server, manager.email)
    upload(page, "Contacts", CSV / "hubspot_contacts_export.csv")
    expect(page.get_by_text("Recognised: HubSpot contacts export.")).to_be_visible()
    expect(page.get_by_label("Contact owner", exact=True)).to_have_value("owner_email")
    expect(page.get_by_label("Create the companies that match no account")).to_be_checked()
    expect(page.get_by_label("Dates in this file read")).to_have_value("dmy")
    page.get_by_label("evangelist", exact=True).select_option("between")

    # All or nothing first: four bad rows, no Import button.
    page.get_by_role("button", name="Check (dry run)").click()
    expect(report_counts(page, "Dry run")).to_have_text(["10", "6", "0", "0", "4"])
    expect(page.get_by_role("button", name="Import 10 rows")).to_have_count(0)
    expect(page.get_by_role("list", name="Accounts to create")).to_contain_text("Acme Energy SA")

    page.get_by_label("Import the valid rows and give me the rejected ones back").check()
    page.get_by_role("button", name="Check (dry run)").click()
    expect(page.get_by_text("The valid rows will be imported")).to_be_visible()
    page.get_by_role("button", name="Import 10 rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import done")
    expect(page.get_by_role("status").filter(has_text="created")).to_have_text(
        "6 created, 0 updated, 0 unchanged."
    )

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the 4 rejected rows").click()
    saved = tmp_path / "rejected.csv"
    download_info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text("utf-8-sig"))))
    assert rows[0][-1] == "reason" and [row[0] for row in rows[1:]] == ["106", "107", "108", "101"]
    assert rows[1][-1].startswith('Column "Email" (farid.haddad@): Not a valid e-mail address')

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    accounts = page.get_by_role("region", name="4 accounts")
    initech = accounts.get_by_role("row").filter(has=page.get_by_role("link", name="Initech, Inc."))
    expect(initech).to_contain_text("Between engagements")
    expect(initech).to_contain_text("Maya Chen")
