"""The import pages end to end: upload, map, dry run, import; exports per role."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import func, select

from advocacy.db import db_session
from advocacy.models import Account, Contact
from advocacy.repository.staff import user_by_email
from tests.factories import csrf_token, make_account, make_user, sign_in

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


def _signed_in(app: Flask, role: str = "account_manager") -> FlaskClient:
    with app.app_context():
        make_user(db_session(), role=role, email=f"{role}@firm.example")
    client = app.test_client()
    sign_in(client, f"{role}@firm.example")
    return client


def _upload(client: FlaskClient, data: bytes, kind: str, name: str = "file.csv"):
    token = csrf_token(client, "/imports")
    return client.post(
        "/imports",
        data={"kind": kind, "csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _upload_raw(client: FlaskClient, data: bytes):
    """A multipart body built by hand: werkzeug's builder spools a big one to a temporary file
    that stays open when the server refuses the request early."""
    token = csrf_token(client, "/imports")
    boundary = "----advocacy-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\naccounts\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _columns(html: str) -> dict[str, str]:
    """The mapping the page shows: select name -> selected field."""
    chosen = {}
    for name, body in re.findall(
        r'<select id="(col-\d+)" name="col-\d+">(.*?)</select>', html, re.S
    ):
        selected = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[name] = selected.group(1) if selected else ""
    return chosen


def _check(client: FlaskClient, url: str, columns: dict[str, str], action: str = "check", **extra):
    token = csrf_token(client, url)
    return client.post(url, data={**columns, "action": action, "csrf_token": token, **extra})


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db_session().exec(select(func.count()).select_from(model)).one()


def test_upload_map_dry_run_then_import(app: Flask) -> None:
    client = _signed_in(app, "admin")
    response = _upload(client, (DATA / "hubspot_companies.csv").read_bytes(), "accounts")
    assert response.status_code == 302
    url = response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    columns = _columns(page)
    assert columns["col-0"] == "external_id" and columns["col-1"] == "name"
    dry = _check(client, url, columns)
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "Dry run" in html and 'value="import"' in html
    assert _count(app, Account) == 0
    done = _check(client, url, columns, action="import")
    assert done.status_code == 200 and "Import done" in done.get_data(as_text=True)
    assert _count(app, Account) == 3
    assert client.get(url).status_code == 404  # the uploaded file is gone once imported


def test_a_bad_row_is_shown_with_its_line_number_and_nothing_is_imported(app: Flask) -> None:
    with app.app_context():
        for name in ("Acme Energy", "Globex Bank", "Initech"):
            make_account(db_session(), name=name)
    client = _signed_in(app, "admin")
    url = _upload(client, (DATA / "hubspot_contacts_bad_row.csv").read_bytes(), "contacts")
    url = url.headers["Location"]
    columns = _columns(client.get(url).get_data(as_text=True))
    response = _check(client, url, columns)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        r"<th scope=\"row\">3</th><td>Email</td><td class=\"text\">ben.okafor@</td>"
        r"<td>Not a valid e-mail address: ben.okafor@</td>",
        html,
    )
    assert 'value="import"' not in html
    forced = _check(client, url, columns, action="import")
    assert forced.status_code == 422 and _count(app, Contact) == 0


def test_fixing_the_mapping_then_importing(app: Flask) -> None:
    client = _signed_in(app)
    with app.app_context():
        owner = user_by_email(db_session(), "account_manager@firm.example")
        make_account(db_session(), name="Acme Energy", owner=owner)
    data = "Name,Company,Level\nAna López,Acme Energy,Gold\nBen Ray,Acme Energy,Silver\n".encode()
    url = _upload(client, data, "contacts").headers["Location"]
    columns = _columns(client.get(url).get_data(as_text=True))
    assert columns["col-2"] == "seniority"  # "Level" looks like seniority, but holds a tier
    wrong = _check(client, url, columns)
    assert wrong.status_code == 422 and "Unknown seniority: Gold" in wrong.get_data(as_text=True)
    columns["col-2"] = ""
    fixed = _check(client, url, columns, save_as="Tiers file")
    assert fixed.status_code == 200 and 'value="import"' in fixed.get_data(as_text=True)
    assert _check(client, url, columns, action="import").status_code == 200
    assert _count(app, Contact) == 2
    again = _upload(client, data, "contacts").headers["Location"]
    loaded = client.get(again + "?mapping=Tiers+file").get_data(as_text=True)
    assert _columns(loaded)["col-2"] == ""


def test_a_mapping_without_required_fields_says_what_to_map(app: Flask) -> None:
    client = _signed_in(app)
    url = _upload(client, b"Sector\nEnergy\n", "accounts").headers["Location"]
    response = _check(client, url, {"col-0": "industry"})
    assert response.status_code == 422 and "Map a column to Name" in response.get_data(as_text=True)


def test_an_unusable_or_too_large_file_gets_a_clear_message(app: Flask) -> None:
    client = _signed_in(app)
    binary = _upload(client, b"PK\x03\x04not a csv", "contacts", "book.xlsx")
    assert binary.status_code == 422 and "Save it as CSV first" in binary.get_data(as_text=True)
    big = _upload_raw(client, b"Name\n" + b"x" * (6 * 1024 * 1024))
    assert big.status_code == 413 and "larger than 5 MB" in big.get_data(as_text=True)
    missing = _upload(client, b"", "accounts", "")
    assert missing.status_code == 422


def test_an_upload_is_visible_only_to_whoever_uploaded_it(app: Flask) -> None:
    client = _signed_in(app)
    url = _upload(client, (DATA / "hubspot_companies.csv").read_bytes(), "accounts")
    other = _signed_in(app, "admin")
    assert other.get(url.headers["Location"]).status_code == 404
    assert other.get("/imports/not-a-token").status_code == 404


def test_exports_are_csv_for_account_managers_and_refused_to_marketing(app: Flask) -> None:
    with app.app_context():
        make_account(db_session(), name="=cmd|'/C calc'!A0")
    client = _signed_in(app)
    # Closed like a WSGI server closes a streamed body after its last chunk.
    with client.get("/exports/accounts.csv") as response:
        assert response.status_code == 200 and response.mimetype == "text/csv"
        body = response.get_data(as_text=True)
    assert body.startswith("\ufeffexternal_id,name") and "'=cmd|" in body
    assert client.get("/exports/nonsense.csv").status_code == 404
    marketing = _signed_in(app, "marketing")
    assert marketing.get("/exports/accounts.csv").status_code == 403
    assert marketing.get("/imports").status_code == 403


def test_a_crm_export_imports_its_valid_rows_and_gives_the_rejected_ones_back(
    app: Flask,
) -> None:
    client = _signed_in(app, "admin")
    url = _upload(
        client, (DATA / "salesforce_contacts_fr.csv").read_bytes(), "contacts", "sf.csv"
    ).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Recognised: Salesforce contacts report (French)" in page
    assert '<option selected value="dmy">' in page
    assert re.search(r'name="stageword-\d+" value="Client - Direct"', page)
    columns = _columns(page)
    assert 'id="create_accounts" name="create_accounts" type="checkbox" value="y"' in page
    stages = {"stageword-0": "Client - Direct", "stage-0": "between", "create_accounts": "y"}
    all_or_nothing = _check(client, url, columns, date_order="dmy", **stages)
    assert all_or_nothing.status_code == 422 and 'value="import"' not in all_or_nothing.text
    dry = _check(client, url, columns, date_order="dmy", skip_invalid="y", **stages)
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200 and 'value="import"' in html
    assert "Société Générale des Eaux SAS (from line 2, 2 rows)" in html
    assert 'Date de création</td><td class="text">30/02/2024</td>' in html
    assert _count(app, Contact) == 0
    done = _check(
        client, url, columns, action="import", date_order="dmy", skip_invalid="y", **stages
    )
    assert done.status_code == 200
    link = re.search(r'href="(/imports/[^"]+/rejected.csv)"', done.text)
    assert link and _count(app, Contact) == 4
    with app.app_context():
        stage = (
            db_session()
            .exec(select(Account.stage).where(Account.name == "Société Générale des Eaux SAS"))
            .one()
        )
    assert stage == "between"
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.mimetype == "text/csv"
    text = download.data.decode("cp1252")
    assert text.splitlines()[0].endswith(";Titre;reason")
    assert 'Column ""Date de création"" (30/02/2024): Not a date' in text
    # Another user cannot fetch it.
    other = _signed_in(app, "account_manager")
    assert other.get(link.group(1)).status_code == 404


def test_turning_account_creation_off_rejects_unknown_companies(app: Flask) -> None:
    client = _signed_in(app, "admin")
    url = _upload(client, (DATA / "hubspot_contacts_export.csv").read_bytes(), "contacts").headers[
        "Location"
    ]
    columns = _columns(client.get(url).get_data(as_text=True))
    response = _check(client, url, columns, date_order="dmy")  # create_accounts unticked
    assert response.status_code == 422
    assert "Unknown account: Acme Energy SA (creating accounts is turned off)" in response.text
