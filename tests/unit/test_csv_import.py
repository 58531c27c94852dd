"""CSV import rules: header mapping, cell values, duplicates, and formula neutralisation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from advocacy.adapters.csv_files import CsvFileError, read_table, sniff_delimiter
from advocacy.domain import csv_values as v
from advocacy.domain.csv_accounts import account_key, company_domain
from advocacy.domain.csv_import import (
    Kind,
    RowParser,
    RowProblem,
    RowReader,
    check_mapping,
    duplicate_key,
    neutralise_cell,
    suggest_mapping,
    unneutralise_cell,
)
from advocacy.domain.csv_presets import detect_preset, preset_mapping
from advocacy.domain.csv_values import BadValue


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        (Kind.ACCOUNTS, "Company Name", "name"),
        (Kind.ACCOUNTS, "Account Name", "name"),
        (Kind.ACCOUNTS, "Record ID", "external_id"),
        (Kind.ACCOUNTS, "Account ID", "external_id"),
        (Kind.ACCOUNTS, "Lifecycle Stage", "stage"),
        (Kind.ACCOUNTS, "Country/Region", "country"),
        (Kind.ACCOUNTS, "Number of Employees", "size_band"),
        (Kind.CONTACTS, "Email", "email"),
        (Kind.CONTACTS, "E-mail Address", "email"),
        (Kind.CONTACTS, "E-MAIL  address ", "email"),
        (Kind.CONTACTS, "Courriel", "email"),
        (Kind.CONTACTS, "First Name", "first_name"),
        (Kind.CONTACTS, "Prénom", "first_name"),
        (Kind.CONTACTS, "Last Name", "last_name"),
        (Kind.CONTACTS, "Account ID", "account_external_id"),
        (Kind.CONTACTS, "Company Name", "account_name"),
        (Kind.CONTACTS, "Job Title", "title"),
        (Kind.CONTACTS, "full_name", "full_name"),
        (Kind.ENGAGEMENTS, "Opportunity Name", "title"),
        (Kind.ENGAGEMENTS, "Deal Stage", "status"),
        (Kind.ENGAGEMENTS, "Amount", "value"),
        (Kind.TOUCHPOINTS, "Activity Date", "occurred_at"),
        (Kind.TOUCHPOINTS, "Call Direction", "initiative"),
        (Kind.CONTACTS, "Favourite colour", ""),
    ],
)
def test_headers_from_crm_exports_map_to_our_fields(kind: Kind, header: str, field: str) -> None:
    assert suggest_mapping(kind, [header])[header] == field


def test_a_field_is_suggested_for_one_column_only() -> None:
    mapping = suggest_mapping(Kind.CONTACTS, ["Email", "E-mail Address"])
    assert mapping == {"Email": "email", "E-mail Address": ""}


def test_name_is_left_to_first_and_last_name_columns_when_they_exist() -> None:
    mapping = suggest_mapping(Kind.CONTACTS, ["Name", "First Name", "Last Name"])
    assert mapping["Name"] == "" and mapping["First Name"] == "first_name"


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({"A": "name"}, []),
        ({"A": "nonsense", "B": "name"}, ["Unknown field nonsense for column A"]),
        ({"A": "name", "B": "name"}, ["Columns A and B are both mapped to name"]),
        ({"A": "industry"}, ["Map a column to Name"]),
    ],
)
def test_a_mapping_is_checked_before_any_row(mapping: dict, expected: list[str]) -> None:
    assert [str(problem) for problem in check_mapping(Kind.ACCOUNTS, mapping)] == expected


def test_contacts_need_a_name_column_their_account_may_come_from_the_email_domain() -> None:
    problems = [str(p) for p in check_mapping(Kind.CONTACTS, {"E": "email"})]
    assert problems == ["Map a column to Full name / First name / Last name"]


def test_first_and_last_name_make_the_full_name() -> None:
    headers = ["First", "Last", "Company"]
    mapping = {"First": "first_name", "Last": "last_name", "Company": "account_name"}
    texts = RowReader(Kind.CONTACTS, headers, mapping).texts([" Ana ", "López", "Acme"])
    assert texts["full_name"] == "Ana López"


def test_a_row_without_a_required_value_is_refused_naming_the_column_the_user_mapped() -> None:
    reader = RowReader(
        Kind.ACCOUNTS, ["Company", "Industry"], {"Company": "name", "Industry": "industry"}
    )
    with pytest.raises(RowProblem) as caught:
        reader.texts(["  ", "Energy"])
    assert caught.value.field == "name"
    assert str(caught.value) == "Missing value in column Company"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31", date(2024, 3, 31)),
        ("31/03/2024", date(2024, 3, 31)),
        ("31.03.2024", date(2024, 3, 31)),
        ("1/2/2024", date(2024, 2, 1)),
        ("2024/03/31", date(2024, 3, 31)),
        ("2024-03-31T10:00:00Z", date(2024, 3, 31)),
    ],
)
def test_dates_are_read_in_iso_and_day_first_forms(text: str, expected: date) -> None:
    assert v.parse_date(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "12", "2024-03"])
def test_a_bad_date_is_refused_with_the_forms_expected(text: str) -> None:
    with pytest.raises(BadValue, match="use 2024-03-31 or 31/03/2024"):
        v.parse_date(text)


@pytest.mark.parametrize(
    ("text", "order"),
    [("03/31/2024", "dmy"), ("31/13/2024", "dmy"), ("2024-02-30", "dmy"), ("30/02/2024", "dmy"),
     ("31/03/2024", "mdy"), ("02/30/2024", "mdy")],
)  # fmt: skip
def test_an_impossible_date_is_refused_as_no_such_day(text: str, order: str) -> None:
    with pytest.raises(BadValue, match="there is no such day"):
        v.parse_date(text, order)


def test_month_first_dates_are_read_when_that_order_is_confirmed() -> None:
    assert v.parse_date("05/11/2019", "mdy") == date(2019, 5, 11)
    assert v.parse_date("05/11/2019") == date(2019, 11, 5)
    assert v.parse_date("2019-05-11", "mdy") == date(2019, 5, 11)


@pytest.mark.parametrize(
    ("texts", "order"),
    [
        (["05/11/2019", "30/01/2020"], "dmy"),
        (["05/11/2019", "01/30/2020 14:30"], "mdy"),
        (["05/11/2019"], "dmy"),
        (["2022-09-14 08:30"], "dmy"),
    ],
)
def test_the_date_order_is_detected_from_values_only_one_order_can_read(
    texts: list[str], order: str
) -> None:
    assert v.detect_date_order(texts) == order


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02 10:00", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("2026-03-02T10:00:00+01:00", datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
        ("2026-03-02T10:00:00Z", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("02/03/2026 14:30", datetime(2026, 3, 2, 14, 30, tzinfo=UTC)),
        ("02/03/2026", datetime(2026, 3, 2, tzinfo=UTC)),
    ],
)
def test_date_times_are_read_and_stored_in_utc(text: str, expected: datetime) -> None:
    assert v.parse_datetime(text) == expected


def test_a_naive_date_time_is_read_in_the_given_time_zone() -> None:
    paris_winter = timezone(timedelta(hours=1))
    assert v.parse_datetime("2026-01-02 10:00", default_tz=paris_winter) == datetime(
        2026, 1, 2, 9, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Yes", True), ("TRUE", True), ("x", True), ("oui", True), ("1", True), ("No", False),
     ("false", False), ("0", False), ("Non", False)],
)  # fmt: skip
def test_booleans_in_the_forms_spreadsheets_write_them(text: str, expected: bool) -> None:
    assert v.parse_bool(text) is expected


def test_a_value_that_is_not_yes_or_no_is_refused() -> None:
    with pytest.raises(BadValue):
        v.parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("120,000.00", Decimal("120000.00")), ("1 234,50", Decimal("1234.50")), ("€45000", 45000),
     ("1.234,5", Decimal("1234.5")), ("45000 EUR", 45000), ("12,5", Decimal("12.5"))],
)  # fmt: skip
def test_amounts_in_english_and_french_notation(text: str, expected: Decimal) -> None:
    assert v.parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("synonyms", "text", "expected"),
    [
        (v.STAGE_SYNONYMS, "Customer", "active"),
        (v.STAGE_SYNONYMS, "lead", "prospect"),
        (v.STAGE_SYNONYMS, "marketingqualifiedlead", "prospect"),
        (v.STAGE_SYNONYMS, "Former Customer", "former"),
        (v.STAGE_SYNONYMS, "Between engagements", "between"),
        (v.STAGE_SYNONYMS, "ANCIEN CLIENT", "former"),
        (v.STATUS_SYNONYMS, "Closed Won", "won"),
        (v.STATUS_SYNONYMS, "closedlost", "lost"),
        (v.STATUS_SYNONYMS, "Not now", "deferred"),
        (v.STATUS_SYNONYMS, "Negotiation/Review", "proposed"),
        (v.SENIORITY_SYNONYMS, "Director", "vp_director"),
        (v.SENIORITY_SYNONYMS, "C-Level", "c_level"),
        (v.KIND_SYNONYMS, "E-mail", "email"),
        (v.INITIATIVE_SYNONYMS, "Outbound", "firm"),
        (v.INITIATIVE_SYNONYMS, "INBOUND", "client"),
        (v.LANGUAGE_SYNONYMS, "Français", "fr"),
    ],
)
def test_words_and_their_synonyms(synonyms: dict, text: str, expected: str) -> None:
    assert v.parse_word(text, synonyms, "thing") == expected


def test_an_unknown_stage_is_refused_naming_it() -> None:
    with pytest.raises(RowProblem, match="Unknown journey stage: Suspected unicorn"):
        RowParser(Kind.ACCOUNTS).values({"stage": "Suspected unicorn"})


def test_roles_are_read_from_a_multi_valued_cell() -> None:
    assert v.parse_words("Decision Maker; Finance;decision maker", v.ROLE_SYNONYMS, "role") == [
        "decision_maker",
        "finance",
    ]


@pytest.mark.parametrize(
    ("text", "band"), [("8", "1-10"), ("85", "51-200"), ("1200", "1001-5000"), ("20000", "5000+"),
                       ("51-200", "51-200")],
)  # fmt: skip
def test_a_head_count_becomes_its_size_band(text: str, band: str) -> None:
    assert v.parse_size_band(text) == band


def test_a_parse_error_names_the_field() -> None:
    with pytest.raises(RowProblem) as caught:
        RowParser(Kind.CONTACTS).values({"full_name": "Ana", "started_on": "soon"})
    assert caught.value.field == "started_on"


@pytest.mark.parametrize(
    ("kind", "values", "key"),
    [
        (Kind.CONTACTS, {"external_id": "7", "email": "a@b.c"}, ("external_id", "7")),
        (Kind.CONTACTS, {"email": "a@b.c", "full_name": "A"}, ("email", "a@b.c")),
        (Kind.CONTACTS, {"full_name": "Ana", "account_name": "Acme"}, ("name", "acme", "ana")),
        (Kind.ACCOUNTS, {"name": "ACME"}, ("name", "acme")),
    ],
)
def test_rows_are_the_same_record_by_external_id_then_natural_key(
    kind: Kind, values: dict, key: tuple
) -> None:
    assert duplicate_key(kind, values) == key


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Acme", "Acme"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_export_cells_that_start_a_formula_are_neutralised(value: str, shown: str) -> None:
    assert neutralise_cell(value) == shown
    assert unneutralise_cell(neutralise_cell(value)) == value


# --- reading files (the adapter) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (b"Name,City\r\nAcme,Paris\r\n", "utf-8", ","),
        ("\ufeffName;City\nAcmé;Paris\n".encode(), "utf-8", ";"),
        ("Name;City\nSociété;Orléans\n".encode("cp1252"), "cp1252", ";"),
        (b"Name\tCity\nAcme\tParis\n", "utf-8", "\t"),
    ],
)
def test_files_are_read_in_utf8_or_windows_1252_with_comma_semicolon_or_tab(
    data: bytes, encoding: str, delimiter: str
) -> None:
    table = read_table(data, max_bytes=10_000)
    assert (table.encoding, table.delimiter, table.headers) == (
        encoding,
        delimiter,
        ["Name", "City"],
    )
    assert table.rows[0].cells[0].startswith(("Acm", "Soci"))


def test_quoted_fields_keep_their_newlines_and_lines_are_counted_from_the_file() -> None:
    table = read_table(b'Name,Notes\nAcme,"two\nlines"\nGlobex,one\n', max_bytes=10_000)
    assert [(row.line, row.cells) for row in table.rows] == [
        (2, ["Acme", "two\nlines"]),
        (4, ["Globex", "one"]),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n ", "empty"),
        (b"Name,City\n", "no rows"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        (b"Name\x00,\x00City\n", "binary"),
        (b"Name,City\n" + b"x" * 2000, "larger than"),
        (b'Name,City\n"Acme,Paris\n', "not valid CSV"),
    ],
)
def test_a_file_that_is_not_usable_csv_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(CsvFileError, match=reason):
        read_table(data, max_bytes=1000)


def test_repeated_or_empty_headers_are_made_unique() -> None:
    table = read_table(b"Email,Email,\na@b.c,c@d.e,x\n", max_bytes=1000)
    assert table.headers == ["Email", "Email (2)", "(column 3)"]


def test_the_delimiter_of_a_single_column_file_is_a_comma() -> None:
    assert sniff_delimiter("Name\nAcme\n") == ","


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Energy SA", "acme energy"),
        ("ACME ÉNERGY S.A.S.", "acme energy"),
        ("Initech, Inc.", "initech"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Globex Bank Ltd", "globex bank"),
        ("SA", "sa"),
    ],
)
def test_company_names_compare_without_case_accents_or_legal_form(name: str, key: str) -> None:
    assert account_key(name) == key


@pytest.mark.parametrize(
    ("email", "domain"),
    [("Ana@Acme-Energy.fr", "acme-energy.fr"), ("ana@gmail.com", None), ("ana@", None)],
)
def test_only_a_work_address_names_a_company_domain(email: str, domain: str | None) -> None:
    assert company_domain(email) == domain


@pytest.mark.parametrize(
    ("kind", "headers", "preset"),
    [
        (Kind.CONTACTS, ["Record ID", "First Name", "Last Name", "Email"], "hubspot-contacts"),
        (Kind.ACCOUNTS, ["Record ID", "Company name", "Industry"], "hubspot-companies"),
        (Kind.CONTACTS, ["Contact ID", "First Name", "Account Name"], "salesforce-contacts"),
        (Kind.CONTACTS, ["ID du contact", "Prénom", "Nom"], "salesforce-contacts-fr"),
        (Kind.ACCOUNTS, ["Account ID", "Account Name", "Type"], "salesforce-accounts"),
        (Kind.ACCOUNTS, ["ID du compte", "Nom du compte"], "salesforce-accounts-fr"),
        (Kind.CONTACTS, ["Name", "Email"], None),
    ],
)
def test_crm_exports_are_recognised_from_their_headers(
    kind: Kind, headers: list[str], preset: str | None
) -> None:
    found = detect_preset(kind, headers)
    assert (found.name if found else None) == preset


def test_a_preset_maps_the_vendors_own_headers() -> None:
    headers = ["Record ID", "First Name", "Last Name", "Contact owner", "Lifecycle Stage", "Notes"]
    preset = detect_preset(Kind.CONTACTS, headers)
    assert preset is not None
    assert preset_mapping(preset, headers) == {
        "Record ID": "external_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Contact owner": "owner_email",
        "Lifecycle Stage": "account_stage",
    }


@pytest.mark.parametrize(
    ("word", "stage"),
    [("customer", "active"), ("Evangelist", "active"), ("Former customer", "former"),
     ("lead", "prospect"), ("Other", None), ("Client - Direct", "active")],
)  # fmt: skip
def test_lifecycle_words_become_journey_stages_by_the_default_table(
    word: str, stage: str | None
) -> None:
    assert RowParser(Kind.CONTACTS).values({"account_stage": word}).get("account_stage") == stage
