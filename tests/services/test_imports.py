"""CSV import and export on a real database: dry runs, upserts, rejections, all-or-nothing."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from advocacy.adapters.csv_files import read_table, write_csv
from advocacy.domain.csv_fields import Kind
from advocacy.models import (
    Account,
    Contact,
    ContactRole,
    Engagement,
    Person,
    StageChange,
    Touchpoint,
)
from advocacy.services.imports import csv_files
from tests.factories import make_account, make_contact, make_service_line, make_user

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


def _table(text: str, encoding: str = "utf-8"):
    return read_table(text.encode(encoding), max_bytes=1_000_000)


def _file(name: str):
    return read_table((DATA / name).read_bytes(), max_bytes=1_000_000)


def _run(session: Session, kind: Kind, table, now: datetime, **kw):
    mapping = csv_files.mapping_for(kind, table.headers, overrides=kw.pop("overrides", None))
    return csv_files.run_import(session, kind, table, mapping, now=now, **kw)


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _seed_accounts(session: Session, now: datetime) -> None:
    report = _run(session, Kind.ACCOUNTS, _file("hubspot_companies.csv"), now)
    assert report.applied, report.rejected


def test_a_dry_run_reports_what_would_be_created_and_writes_nothing(session, now) -> None:
    table = _file("hubspot_companies.csv")
    mapping = csv_files.mapping_for(Kind.ACCOUNTS, table.headers)
    report = csv_files.plan_import(session, Kind.ACCOUNTS, table, mapping, now=now)
    assert (report.created, report.updated, report.rejected, report.applied) == (3, 0, [], False)
    assert _count(session, Account) == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(session, now) -> None:
    _seed_accounts(session, now)
    first = _run(session, Kind.CONTACTS, _file("hubspot_contacts.csv"), now)
    assert first.created == 3 and first.applied
    counts = [_count(session, model) for model in (Account, Contact, Person, ContactRole)]
    history = _count(session, StageChange)
    again = _run(session, Kind.ACCOUNTS, _file("hubspot_companies.csv"), now)
    second = _run(session, Kind.CONTACTS, _file("hubspot_contacts.csv"), now)
    assert (again.unchanged, second.unchanged, second.created, second.updated) == (3, 3, 0, 0)
    assert [_count(session, m) for m in (Account, Contact, Person, ContactRole)] == counts
    assert _count(session, StageChange) == history


def test_accounts_take_their_stage_size_and_country_from_crm_words(session, now) -> None:
    _seed_accounts(session, now)
    acme = session.exec(select(Account).where(Account.external_id == "9001")).one()
    assert (acme.name, acme.stage, acme.size_band, acme.country, acme.source) == (
        "Acme Energy", "active", "1001-5000", "FR", "import",
    )  # fmt: skip


def test_contacts_are_matched_by_external_id_then_by_email(session, now) -> None:
    account = make_account(session, name="Acme Energy", external_id="9001")
    by_email = make_contact(session, account, full_name="Ana Lopez", email="ana.lopez@acme.example")
    by_id = make_contact(session, account, full_name="Old Name", external_id="X-9")
    table = _table(
        "Record ID,Name,Email,Account ID,Job Title\n"
        "501,Ana López,ANA.LOPEZ@acme.example,9001,CFO\n"
        "X-9,New Name,new@acme.example,9001,\n"
    )
    report = _run(session, Kind.CONTACTS, table, now)
    assert report.applied and (report.created, report.updated) == (0, 2)
    session.refresh(by_email)
    session.refresh(by_id)
    assert (by_email.external_id, by_email.title) == ("501", "CFO")
    assert by_id.email == "new@acme.example"
    assert session.get(Person, by_id.person_id).full_name == "New Name"
    assert _count(session, Contact) == 2


def test_empty_cells_never_erase_stored_values(session, now) -> None:
    account = make_account(session, name="Acme Energy", industry="Energy")
    report = _run(session, Kind.ACCOUNTS, _table("Name,Industry\nAcme Energy,\n"), now)
    session.refresh(account)
    assert report.unchanged == 1 and account.industry == "Energy"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("10,Ana,ana@,Acme Energy,", "Not a valid e-mail address: ana@"),
        ("10,Ana,ana@acme.example,Acme Energy,30/02/2024", "Not a date: 30/02/2024"),
        ("10,Ana,ana@acme.example,Acme Energy,someday", "Not a date: someday"),
        ("10,,ana@acme.example,Acme Energy,", "Missing value in column Name"),
    ],
)
def test_each_rejection_gives_its_line_and_reason(session, now, row: str, reason: str) -> None:
    make_account(session, name="Acme Energy")
    table = _table(
        f"Record ID,Name,Email,Company,Start Date\n1,Ok Person,ok@acme.example,Acme Energy,\n{row}\n"
    )
    report = _run(session, Kind.CONTACTS, table, now)
    assert [(r.line, str(r).split(" (")[0]) for r in report.rejected] == [(3, reason)]
    assert not report.applied and _count(session, Contact) == 0


def test_an_unknown_stage_and_a_duplicate_in_the_file_are_rejected(session, now) -> None:
    table = _table("Id,Name,Stage\n1,Acme,Customer\n2,Globex,Unicorn\n1,Acme again,Lead\n")
    report = _run(session, Kind.ACCOUNTS, table, now)
    assert [(r.line, str(r)) for r in report.rejected] == [
        (3, "Unknown journey stage: Unicorn"),
        (4, "Same external id as line 2: 1"),
    ]
    assert _count(session, Account) == 0


def test_two_rows_with_one_email_in_any_case_are_one_contact_whatever_their_ids(
    session, now
) -> None:
    make_account(session, name="Acme Energy", external_id="9001")
    table = _table(
        "Record ID,Name,Email,Account ID\n"
        "1,François Lefèvre,francois.lefevre@acme.example,9001\n"
        "2,François Lefèvre,FRANCOIS.LEFEVRE@acme.example,9001\n"
    )
    report = _run(session, Kind.CONTACTS, table, now)
    assert [(r.line, str(r)) for r in report.rejected] == [
        (3, "Same e-mail address as line 2: francois.lefevre@acme.example")
    ]
    assert not report.applied and _count(session, Contact) == 0


def test_a_new_record_with_the_address_of_an_account_contact_is_refused(session, now) -> None:
    make_account(session, name="Acme Energy", external_id="9001")
    first = _table("Record ID,Name,Email,Account ID\n1,François,francois@acme.example,9001\n")
    assert _run(session, Kind.CONTACTS, first, now).applied
    again = _table("Record ID,Name,Email,Account ID\n2,François,FRANCOIS@Acme.example,9001\n")
    report = _run(session, Kind.CONTACTS, again, now)
    assert [(r.line, r.field) for r in report.rejected] == [(2, "email")]
    assert "(1): francois@acme.example" in str(report.rejected[0])
    assert not report.applied and _count(session, Contact) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "Name,Email,Account Name\nAna,ana@acme.example,\n",
            "Missing value in column Account Name",
        ),
        (
            "First,Last,Company\n,,Acme Energy\n",
            "Missing value in column First / Last",
        ),
        (
            f"Name,Company,Poste\nAna,Acme Energy,{'x' * 300}\n",
            "Column Poste is too long (at most 200 characters)",
        ),
    ],
)
def test_a_rejection_names_the_column_the_user_mapped(session, now, text, reason) -> None:
    make_account(session, name="Acme Energy")
    table = _table(text)
    overrides = {"First": "first_name", "Last": "last_name"} if "First" in text else None
    report = _run(session, Kind.CONTACTS, table, now, overrides=overrides)
    assert [(r.line, str(r)) for r in report.rejected] == [(2, reason)]


def test_one_bad_row_means_nothing_is_written(session, now) -> None:
    _seed_accounts(session, now)
    report = _run(session, Kind.CONTACTS, _file("hubspot_contacts_bad_row.csv"), now)
    assert [r.line for r in report.rejected] == [3]
    assert report.created == 2 and not report.applied
    assert _count(session, Contact) == 0 and _count(session, Person) == 0


def test_a_windows_1252_semicolon_file_imports_with_its_accents(session, now) -> None:
    _seed_accounts(session, now)
    table = _file("salesforce_contacts_cp1252.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    report = _run(session, Kind.CONTACTS, table, now)
    assert report.applied and report.created == 2
    helene = session.exec(select(Contact).where(Contact.external_id == "003A1")).one()
    assert session.get(Person, helene.person_id).full_name == "Hélène Dupré"
    assert (helene.seniority, str(helene.started_on)) == ("vp_director", "2023-09-15")


def test_a_utf8_file_with_a_bom_and_quoted_newlines_imports(session, now) -> None:
    _seed_accounts(session, now)
    report = _run(session, Kind.CONTACTS, _file("hubspot_contacts.csv"), now)
    assert report.applied and [o.line for o in report.outcomes] == [2, 4, 5]
    ben = session.exec(select(Contact).where(Contact.external_id == "502")).one()
    assert (ben.title, ben.email) == ("Head of Procurement, EMEA", "ben.okafor@globex.example")


def test_engagements_import_and_move_their_account_through_the_journey(session, now) -> None:
    _seed_accounts(session, now)
    make_service_line(session, "Audit")
    make_service_line(session, "Advisory")
    report = _run(session, Kind.ENGAGEMENTS, _file("salesforce_opportunities.csv"), now)
    assert report.applied, report.rejected
    globex = session.exec(select(Account).where(Account.name == "Globex Bank")).one()
    assert globex.stage == "prospect"
    won = session.exec(select(Engagement).where(Engagement.external_id == "006X1")).one()
    assert (won.status, won.value) == ("won", 120000)
    again = _run(session, Kind.ENGAGEMENTS, _file("salesforce_opportunities.csv"), now)
    assert again.unchanged == 2


def test_an_unknown_service_line_is_rejected(session, now) -> None:
    _seed_accounts(session, now)
    report = _run(session, Kind.ENGAGEMENTS, _file("salesforce_opportunities.csv"), now)
    assert [(r.line, str(r)) for r in report.rejected] == [
        (2, "Unknown service line: Audit"),
        (3, "Unknown service line: Advisory"),
    ]


def test_touchpoints_import_with_their_contact_and_are_not_duplicated(session, now) -> None:
    _seed_accounts(session, now)
    _run(session, Kind.CONTACTS, _file("hubspot_contacts.csv"), now)
    report = _run(session, Kind.TOUCHPOINTS, _file("hubspot_touchpoints.csv"), now)
    assert report.applied and report.created == 2, report.rejected
    meeting = session.exec(select(Touchpoint).where(Touchpoint.external_id == "T-1")).one()
    assert (meeting.kind, meeting.initiative, meeting.source) == ("meeting", "firm", "import")
    assert meeting.contact_id is not None
    assert _run(session, Kind.TOUCHPOINTS, _file("hubspot_touchpoints.csv"), now).unchanged == 2


def test_an_account_manager_cannot_import_into_someone_elses_account(session, now) -> None:
    owner = make_user(session)
    other = make_user(session)
    make_account(session, name="Acme Energy", owner=owner)
    table = _table("Name,Email,Company\nAna,ana@acme.example,Acme Energy\n")
    report = _run(session, Kind.CONTACTS, table, now, by=other)
    assert report.rejected[0].line == 2 and "owner" in str(report.rejected[0])
    assert _run(session, Kind.CONTACTS, table, now, by=owner).applied


def test_a_mapping_missing_a_required_field_is_refused(session, now) -> None:
    table = _table("Industry\nEnergy\n")
    with pytest.raises(csv_files.MappingRefused) as refused:
        csv_files.plan_import(session, Kind.ACCOUNTS, table, {"Industry": "industry"}, now=now)
    assert [str(p) for p in refused.value.problems] == ["Map a column to Name"]


def test_a_saved_mapping_is_loaded_by_kind_and_name(session, now) -> None:
    csv_files.save_mapping(
        session, Kind.CONTACTS, "CRM", {"Mail": "email", "X": ""}, by=None, now=now
    )
    csv_files.save_mapping(session, Kind.CONTACTS, "CRM", {"Courriel": "email"}, by=None, now=now)
    assert csv_files.load_mapping(session, Kind.CONTACTS, "CRM") == {"Courriel": "email"}
    assert csv_files.list_mappings(session, Kind.CONTACTS) == ["CRM"]
    assert csv_files.list_mappings(session, Kind.ACCOUNTS) == []
    mapping = csv_files.mapping_for(
        Kind.CONTACTS, ["Courriel", "Email"], saved={"Courriel": "email"}
    )
    assert mapping == {"Courriel": "email", "Email": ""}


def _export(session: Session, kind: Kind) -> list[list[str]]:
    text = "".join(write_csv(csv_files.export_rows(session, kind), bom=False))
    return list(csv.reader(io.StringIO(text)))


def test_exported_cells_that_look_like_formulas_are_neutralised(session, now) -> None:
    account = make_account(session, name='=HYPERLINK("http://evil")', notes="@SUM(1)")
    make_contact(session, account, full_name="+Plus Person", phone="+33 1 23", title="-5")
    rows = _export(session, Kind.ACCOUNTS)
    assert rows[1][rows[0].index("name")] == '\'=HYPERLINK("http://evil")'
    assert rows[1][rows[0].index("notes")] == "'@SUM(1)"
    contact = dict(zip(*_export(session, Kind.CONTACTS), strict=True))
    assert (contact["full_name"], contact["phone"], contact["title"]) == (
        "'+Plus Person", "'+33 1 23", "'-5",
    )  # fmt: skip


def test_an_export_imports_back_without_changes(session, now) -> None:
    _seed_accounts(session, now)
    _run(session, Kind.CONTACTS, _file("hubspot_contacts.csv"), now)
    for kind in (Kind.ACCOUNTS, Kind.CONTACTS):
        text = "".join(write_csv(csv_files.export_rows(session, kind)))
        table = read_table(text.encode(), max_bytes=1_000_000)
        report = _run(session, kind, table, now)
        assert report.applied and report.unchanged == report.rows, (kind, report)
