"""Contacts files as HubSpot and Salesforce export them: accounts matched or created, owners and
lifecycle stages, confirmed date orders, partial imports and the rejected rows sent back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, func, select

from advocacy.adapters.csv_files import read_table, write_csv
from advocacy.domain.csv_fields import Kind
from advocacy.models import Account, Contact
from advocacy.services.imports import choices, csv_files
from advocacy.services.imports.csv_files import ImportOptions
from tests.factories import make_account, make_contact, make_user

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
HUBSPOT = "hubspot_contacts_export.csv"
SALESFORCE = "salesforce_contacts_fr.csv"


def _file(name: str):
    return read_table((DATA / name).read_bytes(), max_bytes=1_000_000)


def _table(text: str):
    return read_table(text.encode(), max_bytes=1_000_000)


def _run(session: Session, table, now: datetime, *, dry_run: bool = False, **kw):
    mapping = csv_files.mapping_for(Kind.CONTACTS, table.headers)
    if dry_run:
        return csv_files.plan_import(session, Kind.CONTACTS, table, mapping, now=now, **kw)
    return csv_files.run_import(session, Kind.CONTACTS, table, mapping, now=now, **kw)


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _accounts(session: Session) -> dict[str, str]:
    return {a.name: a.stage for a in session.exec(select(Account))}


def test_the_hubspot_export_imports_in_one_pass_with_its_bad_rows_left_out(session, now) -> None:
    report = _run(session, _file(HUBSPOT), now, skip_invalid=True)
    assert report.applied and report.skipped_invalid
    assert (report.created, len(report.rejected)) == (6, 4)
    assert [(r.line, r.column, r.value) for r in report.rejected] == [
        (7, "Email", "farid.haddad@"),
        (8, "Email", "Ana.Lopez@acme-energy.fr"),
        (9, "Create Date", "2024-02-30 10:00"),
        (10, "Record ID", "101"),
    ]
    assert [str(r) for r in report.rejected][1:] == [
        "Same e-mail address as line 2: ana.lopez@acme-energy.fr",
        "Not a date: 2024-02-30 10:00 (there is no such day)",
        "Same external id as line 2: 101",
    ]
    # "ACME ENERGY" and the company-less address at acme-energy.fr join "Acme Energy SA".
    assert _accounts(session) == {
        "Acme Energy SA": "active",
        "Globex Bank Ltd": "prospect",
        "Initech, Inc.": "active",
        "Wayne Enterprises": "former",
    }
    acme = session.exec(select(Account).where(Account.name == "Acme Energy SA")).one()
    acme_contacts = session.exec(select(Contact).where(Contact.account_id == acme.id)).all()
    assert sorted(c.email for c in acme_contacts) == [
        "ana.lopez@acme-energy.fr",
        "chloe.martin@acme-energy.fr",
        "elise.dupre@acme-energy.fr",
    ]
    ana = session.exec(select(Contact).where(Contact.external_id == "101")).one()
    assert ana.started_on == date(2022, 9, 14)


def test_importing_the_same_export_again_changes_nothing(session, now) -> None:
    _run(session, _file(HUBSPOT), now, skip_invalid=True)
    counts = (_count(session, Account), _count(session, Contact))
    again = _run(session, _file(HUBSPOT), now, skip_invalid=True)
    assert (again.created, again.updated, again.unchanged, again.new_accounts) == (0, 0, 6, [])
    assert (_count(session, Account), _count(session, Contact)) == counts


def test_all_or_nothing_stays_the_default(session, now) -> None:
    report = _run(session, _file(HUBSPOT), now)
    assert not report.applied and len(report.rejected) == 4
    assert (_count(session, Account), _count(session, Contact)) == (0, 0)


def test_the_dry_run_lists_the_accounts_it_would_create_and_the_matches(session, now) -> None:
    existing = make_account(session, name="Globex Bank")
    make_contact(session, existing, email="someone@wayne.example")
    report = _run(session, _file(HUBSPOT), now, dry_run=True)
    assert [(n.name, n.line, n.rows) for n in report.new_accounts] == [
        ("Acme Energy SA", 2, 3),
        ("Initech, Inc.", 5, 1),
    ]
    assert [(m.how, m.named, m.account) for m in report.account_matches] == [
        ("name", "Globex Bank Ltd", "Globex Bank"),
        ("domain", "wayne.example", "Globex Bank"),
    ]
    assert _count(session, Account) == 1 and _count(session, Contact) == 1


def test_accounts_match_by_external_id_then_name_without_legal_form_then_domain(
    session, now
) -> None:
    by_id = make_account(session, name="Old Name", external_id="A-1")
    by_name = make_account(session, name="Société Générale des Eaux")
    by_domain = make_account(session, name="Stark")
    make_contact(session, by_domain, email="tony@stark.example")
    table = _table(
        "First Name,Last Name,Email,Account ID,Account Name\n"
        "Ann,One,ann@one.example,A-1,Something Else\n"
        "Bob,Two,bob@sge.example,,SOCIETE GENERALE DES EAUX S.A.S.\n"
        "Cid,Three,cid@stark.example,,\n"
        "Dee,Four,dee@gmail.com,,\n"
    )
    report = _run(session, table, now, skip_invalid=True)
    # A personal mailbox says nothing about the company.
    assert [(r.line, r.column, str(r)) for r in report.rejected] == [
        (5, "Account Name", "Missing value in column Account Name")
    ]
    owners = {c.email: c.account_id for c in session.exec(select(Contact))}
    assert owners["ann@one.example"] == by_id.id
    assert owners["bob@sge.example"] == by_name.id
    assert owners["cid@stark.example"] == by_domain.id
    assert _count(session, Account) == 3


def test_with_creation_turned_off_an_unknown_company_is_a_rejection(session, now) -> None:
    table = _table("First Name,Last Name,Email,Company Name\nAna,López,ana@acme.example,Acme\n")
    report = _run(session, table, now, options=ImportOptions(create_accounts=False))
    assert [str(r) for r in report.rejected] == [
        "Unknown account: Acme (creating accounts is turned off)"
    ]
    assert report.new_accounts == [] and _count(session, Account) == 0


def test_owners_are_staff_found_by_email_and_an_unknown_one_is_only_a_warning(session, now) -> None:
    manager = make_user(session, email="claire.martin@firm.example")
    report = _run(session, _file(HUBSPOT), now, skip_invalid=True)
    owners = {a.name: a.owner_id for a in session.exec(select(Account))}
    assert owners["Acme Energy SA"] == manager.id and owners["Initech, Inc."] == manager.id
    assert owners["Globex Bank Ltd"] is None
    assert [(w.line, w.column, w.value) for w in report.warnings] == [
        (3, "Contact owner", "nobody@firm.example")
    ]


def test_the_lifecycle_table_can_be_changed_for_one_import(session, now) -> None:
    options = ImportOptions(stages={"Evangelist": "between", "customer": ""})
    _run(session, _file(HUBSPOT), now, skip_invalid=True, options=options)
    stages = _accounts(session)
    assert stages["Initech, Inc."] == "between"
    assert stages["Acme Energy SA"] == "prospect"  # "customer" says nothing here


def test_dates_are_read_in_the_order_the_user_confirms(session, now) -> None:
    table = _table("Name,Email,Company,Create Date\nAna,ana@acme.example,Acme,05/11/2019\n")
    mapping = csv_files.mapping_for(Kind.CONTACTS, table.headers)
    assert choices.date_order_of(Kind.CONTACTS, table, mapping) == "dmy"
    _run(session, table, now, options=ImportOptions(date_order="mdy"))
    assert session.exec(select(Contact)).one().started_on == date(2019, 5, 11)


def test_a_contact_without_email_is_refused_where_the_setting_says_so(session, now) -> None:
    table = _table("Name,Email,Company\nAna,,Acme\n")
    refused = _run(session, table, now, options=ImportOptions(contacts_without_email=False))
    assert [(r.line, r.column, str(r)) for r in refused.rejected] == [
        (2, "Email", "Missing value in column Email (a contact needs an e-mail address)")
    ]
    allowed = _run(session, table, now)
    assert allowed.applied and _count(session, Contact) == 1


def test_the_french_salesforce_report_imports_in_one_pass(session, now) -> None:
    table = _file(SALESFORCE)
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    report = _run(session, table, now, skip_invalid=True)
    assert report.created == 4
    assert [(r.line, r.column, r.value) for r in report.rejected] == [
        (5, "Date de création", "30/02/2024")
    ]
    assert _accounts(session) == {
        "Société Générale des Eaux SAS": "active",
        "Boulangeries Réunies SARL": "prospect",
        "Cabinet Ÿvelines": "former",
    }


def test_the_rejected_rows_fixed_import_back_as_the_file_travels(session, now) -> None:
    table = _file(SALESFORCE)
    report = _run(session, table, now, skip_invalid=True)
    rows = list(csv_files.rejected_rows(table, report.rejected, str))
    assert rows[0][-1] == "reason" and rows[0][:-1] == table.headers
    assert rows[1][:-1] == table.rows[3].cells
    # What the user gets: a file in their own encoding and separator, fixed in a spreadsheet.
    text = "".join(write_csv(rows, bom=False, delimiter=table.delimiter))
    fixed = text.replace("30/02/2024", "29/02/2024").encode(table.encoding)
    back = read_table(fixed, max_bytes=1_000_000)
    assert (back.encoding, back.delimiter) == ("cp1252", ";")
    again = _run(session, back, now)
    assert again.applied and (again.created, again.rejected) == (1, [])
    assert csv_files.mapping_for(Kind.CONTACTS, back.headers)["reason"] == ""
    helene = session.exec(select(Contact).where(Contact.external_id == "0035g00000AbCdH")).one()
    assert helene.started_on == date(2024, 2, 29)
    assert _count(session, Account) == 3
