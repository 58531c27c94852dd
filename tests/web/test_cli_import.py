"""`advocacy import` and `advocacy export` from the command line."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlmodel import func, select

from advocacy.db import db_session
from advocacy.models import Account, Contact

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db_session().exec(select(func.count()).select_from(model)).one()


def _invoke(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_dry_run_prints_the_report_and_writes_nothing(app: Flask) -> None:
    result = _invoke(app, "import", "accounts", str(DATA / "hubspot_companies.csv"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "3 rows: 3 would be created, 0 would be updated, 0 unchanged, 0 rejected." in result.output
    )
    assert "Dry run: nothing was written." in result.output
    assert _count(app, Account) == 0


def test_import_then_import_again_changes_nothing(app: Flask) -> None:
    first = _invoke(app, "import", "accounts", str(DATA / "hubspot_companies.csv"))
    assert first.exit_code == 0 and "3 were created" in first.output
    second = _invoke(app, "import", "accounts", str(DATA / "hubspot_companies.csv"))
    assert "0 were created, 0 were updated, 3 unchanged" in second.output
    assert _count(app, Account) == 3


def test_a_rejected_line_fails_the_import_and_names_the_line(app: Flask) -> None:
    _invoke(app, "import", "accounts", str(DATA / "hubspot_companies.csv"))
    result = _invoke(app, "import", "contacts", str(DATA / "hubspot_contacts_bad_row.csv"))
    assert result.exit_code == 1
    assert (
        'line 3, column "Email", value "ben.okafor@": Not a valid e-mail address: ben.okafor@'
        in result.output
    )
    assert "nothing was imported" in result.output
    assert _count(app, Contact) == 0


def test_columns_can_be_mapped_by_hand_and_the_mapping_saved_for_next_time(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Org,Sector\nAcme,Energy\n", encoding="utf-8")
    refused = _invoke(app, "import", "accounts", str(path))
    assert refused.exit_code == 1 and "Map a column to Name" in refused.output
    saved = _invoke(
        app, "import", "accounts", str(path), "--map", "Org=name", "--map", "Sector=industry",
        "--save-mapping", "odd", "--dry-run",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert "Mapping saved as 'odd'." in saved.output
    reused = _invoke(app, "import", "accounts", str(path), "--mapping", "odd")
    assert reused.exit_code == 0 and "1 were created" in reused.output


def test_an_unusable_file_is_refused_with_a_reason(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04binary")
    result = _invoke(app, "import", "contacts", str(path))
    assert result.exit_code == 1 and "Excel workbook" in result.output


def test_export_writes_csv_to_stdout_with_formulas_neutralised(app: Flask) -> None:
    csv_file = DATA.parent / "csv" / "hubspot_companies.csv"
    _invoke(app, "import", "accounts", str(csv_file), "--map", "Industry=notes")
    with app.app_context():
        account = db_session().exec(select(Account)).first()
        account.notes = "=1+1"
        db_session().commit()
    result = _invoke(app, "export", "accounts")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("external_id,name,")
    assert "'=1+1" in result.output


def test_export_to_a_file(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "contacts.csv"
    result = _invoke(app, "export", "contacts", "--output", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8-sig").startswith("external_id,full_name")


def test_skip_invalid_imports_the_valid_rows_and_writes_the_rejected_ones(
    app: Flask, tmp_path: Path
) -> None:
    source = tmp_path / "hubspot.csv"
    source.write_bytes((DATA / "hubspot_contacts_export.csv").read_bytes())
    result = _invoke(app, "import", "contacts", str(source), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Recognised: HubSpot contacts export" in result.output
    assert "6 were created" in result.output and "4 rejected" in result.output
    rejected = tmp_path / "hubspot.rejected.csv"
    assert f"Rejected rows written to {rejected}" in result.output
    lines = rejected.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",Job Title,reason") and len(lines) == 5
    assert 'column ""Email"" (""farid.haddad@""): Not a valid e-mail address' in lines[1]
    assert (_count(app, Account), _count(app, Contact)) == (4, 6)


def test_the_french_salesforce_report_imports_from_the_command_line(
    app: Flask, tmp_path: Path
) -> None:
    rejected = tmp_path / "fix-me.csv"
    result = _invoke(
        app, "import", "contacts", str(DATA / "salesforce_contacts_fr.csv"), "--skip-invalid",
        "--rejected", str(rejected), "--stage", "Prospect=between",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Salesforce contacts report (French)" in result.output
    assert "new account 'Boulangeries Réunies SARL' (between" in result.output
    text = rejected.read_bytes().decode("cp1252")
    assert text.startswith("ID du contact;Prénom;Nom;") and "30/02/2024" in text
    assert _count(app, Contact) == 4


def test_account_creation_can_be_turned_off(app: Flask) -> None:
    result = _invoke(
        app, "import", "contacts", str(DATA / "hubspot_contacts_export.csv"),
        "--no-create-accounts", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Unknown account: Acme Energy SA (creating accounts is turned off)" in result.output


def test_a_bad_stage_choice_is_a_usage_error(app: Flask) -> None:
    result = _invoke(
        app, "import", "contacts", str(DATA / "hubspot_contacts_export.csv"), "--stage", "lead=x"
    )
    assert result.exit_code == 2 and "--stage takes" in result.output
