"""An account manager's portfolio end to end in Chromium, as issue 3's "Done means" describes it:
import the HubSpot export (one bad row), open an account, log a touchpoint, follow a champion who
moved to a new company to the opportunity on the home page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from advocacy.models import User
from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.browser

CSV = Path(__file__).resolve().parents[1] / "data" / "csv"
IMPORT_BUTTON = re.compile(r"^Import \d+ rows?$")


def upload(page: Page, holds: str, csv_file: Path) -> None:
    """Open Import / export from the menu, choose what the file holds, pick it, upload it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import / export").click()
    page.get_by_label("What the file holds").select_option(label=holds)
    page.get_by_label("CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Import {holds} from {csv_file.name}"
    )


def report_counts(page: Page, heading: str) -> Locator:
    """The figures of a dry-run or import report, in order: rows, create, update, same, rejected."""
    return page.get_by_role("region", name=heading).get_by_role("definition")


def check_then_import(page: Page, rows: int) -> None:
    """Dry run, see it clean with the Import button, import, see the counts of what was created."""
    page.get_by_role("button", name="Check (dry run)").click()
    expect(report_counts(page, "Dry run")).to_have_text([str(rows), str(rows), "0", "0", "0"])
    page.get_by_role("button", name=f"Import {rows} rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import done")
    expect(page.get_by_role("status")).to_have_text(f"{rows} created, 0 updated, 0 unchanged.")


def main_menu(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()


def test_an_account_manager_imports_a_file_with_a_bad_row_works_an_account_and_follows_a_mover(
    page: Page, live_server: LiveServer, person: Callable[..., User], tmp_path: Path
) -> None:
    manager = person(email="maya.chen@firm.example", name="Maya Chen")
    sign_in(page, live_server, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maya Chen")

    # Her companies first: contacts name their company, so the accounts must exist. With no owner
    # column, what an account manager imports is hers, which lets her work on it afterwards.
    upload(page, "Accounts", CSV / "hubspot_companies.csv")
    check_then_import(page, rows=3)

    # The contacts export has a broken address on line 3 (the header is line 1).
    bad_file = CSV / "hubspot_contacts_bad_row.csv"
    upload(page, "Contacts", bad_file)
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")  # suggested mapping
    expect(page.get_by_label("Company Name", exact=True)).to_have_value("account_name")
    page.get_by_label("Save this mapping as").fill("HubSpot contacts")
    page.get_by_role("button", name="Check (dry run)").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing will be imported while a line")
    rejected = page.get_by_role("region", name="Rejected lines").get_by_role("row")
    expect(rejected).to_have_count(2)  # the header row and the one bad line
    expect(rejected.nth(1).get_by_role("rowheader")).to_have_text("3")
    expect(rejected.nth(1).get_by_role("cell")).to_have_text(
        ["Email", "ben.okafor@", "Not a valid e-mail address: ben.okafor@"]
    )
    expect(report_counts(page, "Dry run")).to_have_text(["3", "2", "0", "0", "1"])
    expect(page.get_by_role("button", name=IMPORT_BUTTON)).to_have_count(0)

    # "ben.okafor@" is a truly invalid value, not a column sent to the wrong field: no mapping makes
    # it valid, and ignoring the Email column would drop every good address with the bad one.
    # What a person does is correct Ben's address in HubSpot and export again; the new export has
    # the same columns, so she loads the mapping she saved on the first try (its being offered
    # proves it was saved; here it matches the suggestion, as a HubSpot export maps itself).
    fixed_file = tmp_path / "hubspot_contacts_reexport.csv"
    fixed_text = bad_file.read_text("utf-8").replace("ben.okafor@,", "ben.okafor@globex.example,")
    assert fixed_text != bad_file.read_text("utf-8")
    fixed_file.write_text(fixed_text, "utf-8")
    upload(page, "Contacts", fixed_file)
    page.get_by_label("Saved mapping").select_option("HubSpot contacts")
    page.get_by_role("button", name="Load").click()
    expect(page).to_have_url(re.compile(r"\?mapping=HubSpot\+contacts$"))
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")
    expect(page.get_by_label("Record ID", exact=True)).to_have_value("external_id")
    check_then_import(page, rows=3)

    main_menu(page, "Accounts")
    expect(page.get_by_role("heading", level=2, name="3 accounts")).to_be_visible()
    accounts = page.get_by_role("region", name="3 accounts")
    acme = accounts.get_by_role("row").filter(has=page.get_by_role("link", name="Acme Energy"))
    expect(acme).to_contain_text("Active client")
    expect(acme).to_contain_text("Maya Chen")
    acme.get_by_role("link", name="Acme Energy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Energy")
    stakeholders = page.get_by_role("region", name="Stakeholders")
    expect(stakeholders.get_by_role("link", name="Ana López")).to_be_visible()

    # Two clicks: open the quick form, press "Log it"; the defaults say "a call we made, now".
    summary = "Called Ana about the follow-up she asked for at the Lyon summit"
    page.get_by_text("Log a touchpoint", exact=True).click()
    page.get_by_label("Summary").fill(summary)
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_have_text("Touchpoint logged.")
    expect(page.get_by_text("1 touchpoint.", exact=True)).to_be_visible()
    logged = (
        page.get_by_role("region", name="Touchpoints").get_by_role("row").filter(has_text=summary)
    )
    expect(logged).to_contain_text("Call")
    expect(logged).to_contain_text("Started by us")

    stakeholders.get_by_role("link", name="Ana López").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana López")
    expect(page.get_by_label("Left for another employer (or unknown)")).to_be_checked()
    page.get_by_label("New employer (optional)").fill("Northwind Renewables")
    page.get_by_label("New job title (optional)").fill("Chief Financial Officer")
    page.get_by_role("button", name="Record the departure").click()
    expect(page.get_by_role("status")).to_contain_text("Ana López moved to Northwind Renewables")
    positions = page.get_by_role("region", name="Across employers")
    expect(positions.get_by_role("link", name="Northwind Renewables")).to_be_visible()

    main_menu(page, "Home")
    to_act_on = page.get_by_role("region", name="To act on")
    opportunity = to_act_on.get_by_role("listitem").filter(has_text="Champion moved")
    expect(opportunity).to_contain_text(
        "Opportunity Champion moved: Ana López is now at Northwind Renewables (from Acme Energy)"
    )
    expect(to_act_on.get_by_role("listitem").filter(has_text="Re-staff")).to_contain_text(
        "who replaces Ana López at Acme Energy?"
    )
    opportunity.get_by_role("link", name="Northwind Renewables").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Renewables")
    new_stakeholders = page.get_by_role("region", name="Stakeholders")
    expect(new_stakeholders.get_by_role("link", name="Ana López")).to_be_visible()
