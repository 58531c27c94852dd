"""CSV import and export rules: which fields each table takes, how file headers map to them, how a
row's cells become values, and how exported cells are kept from running as spreadsheet formulas.

Standard library only. The services resolve references (accounts, contacts, service lines) and let
the Create schemas have the last word on every field rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Final

from advocacy.domain import csv_values as v
from advocacy.domain.csv_accounts import lifecycle_stage, lifecycle_table
from advocacy.domain.csv_fields import FIELDS, REQUIRED, Kind, field_spec
from advocacy.domain.csv_values import BadValue, normalise
from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_


class MappingProblem(RuleError):
    """A column mapping that cannot be used as it is; the message says what to fix."""


def suggest_mapping(kind: Kind, headers: Sequence[str]) -> dict[str, str]:
    """Header → field for the headers we recognise ("" for the others); each field used once.

    Our own field names and labels count as aliases, so an exported file maps back by itself.
    """
    lookup: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for alias in (spec.name, spec.label, *spec.aliases):
            lookup.setdefault(normalise(alias), spec.name)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = lookup.get(normalise(header), "")
        if field in taken:
            field = ""
        mapping[header] = field
        if field:
            taken.add(field)
    # "Name" alone means the full name only when the file has no first/last name columns.
    if {"first_name", "last_name"} & taken and "full_name" in taken:
        for header, field in mapping.items():
            if field == "full_name" and normalise(header) == "name":
                mapping[header] = ""
    return mapping


def check_mapping(kind: Kind, mapping: Mapping[str, str]) -> list[MappingProblem]:
    """Everything wrong with a mapping: unknown fields, a field used twice, required ones missing."""
    problems: list[MappingProblem] = []
    used: dict[str, str] = {}
    for header, field in mapping.items():
        if not field:
            continue
        if field_spec(kind, field) is None:
            problems.append(
                MappingProblem(N_("Unknown field %(field)s for column %(column)s"),
                               field=field, column=header)
            )  # fmt: skip
        elif field in used:
            problems.append(
                MappingProblem(
                    N_("Columns %(first)s and %(second)s are both mapped to %(field)s"),
                    first=used[field],
                    second=header,
                    field=field,
                )
            )
        else:
            used[field] = header
    for group in REQUIRED[kind]:
        if not set(group) & set(used):
            labels = " / ".join(_label(kind, name) for name in group)
            problems.append(MappingProblem(N_("Map a column to %(field)s"), field=labels))
    return problems


def _label(kind: Kind, name: str) -> str:
    spec = field_spec(kind, name)
    return spec.label if spec else name


# --- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """Why one line of the file cannot be imported; `field` is ours, empty for the whole row."""

    line: int
    message: str
    params: Mapping[str, object]
    field: str = ""
    column: str = ""  # the column at fault, as the user's file names it
    value: str = ""  # what that column holds on this line

    def __str__(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


class RowProblem(RuleError):
    """A row that cannot be imported; `field` names the field at fault, if one is."""

    def __init__(self, message: str, *, field: str = "", **params: object) -> None:
        self.field = field
        super().__init__(message, **params)


FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """A cell a spreadsheet will show as text: formula-leading characters get a ' in front."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unneutralise_cell(value: str) -> str:
    """Undo neutralise_cell, so a file we exported imports back unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def column_names(mapping: Mapping[str, str]) -> dict[str, str]:
    """Field → the file's column(s) it is read from, as the user mapped them, for messages.

    A full name built from first and last names is named by both columns.
    """
    columns = {field: header for header, field in mapping.items() if field}
    if "full_name" not in columns:
        parts = [columns[name] for name in ("first_name", "last_name") if name in columns]
        if parts:
            columns["full_name"] = " / ".join(parts)
    return columns


class RowReader:
    """Turns the cells of one row into raw field texts, following a checked mapping."""

    def __init__(self, kind: Kind, headers: Sequence[str], mapping: Mapping[str, str]) -> None:
        self.kind = kind
        self.columns = [
            (index, mapping[header]) for index, header in enumerate(headers) if mapping.get(header)
        ]
        self.required = REQUIRED[kind]
        self.mapped = {field: header for header, field in mapping.items() if field}

    def texts(self, cells: Sequence[str]) -> dict[str, str]:
        """Field → stripped text of the cells that hold something; first + last → full name."""
        texts: dict[str, str] = {}
        for index, field in self.columns:
            if index < len(cells):
                text = cells[index].strip()
                if text:
                    texts[field] = unneutralise_cell(text)
        if "full_name" not in texts and ("first_name" in texts or "last_name" in texts):
            parts = (texts.get("first_name", ""), texts.get("last_name", ""))
            texts["full_name"] = " ".join(part for part in parts if part)
        for group in self.required:
            if not any(name in texts for name in group):
                # Named by the file's own column(s): the user knows those, not our field names.
                raise RowProblem(
                    N_("Missing value in column %(column)s"),
                    field=group[0],
                    column=" / ".join(self.mapped[n] for n in group if n in self.mapped)
                    or _label(self.kind, group[0]),
                )
        return texts


def _stage_parser(overrides: Mapping[str, str] | None) -> Callable[[str], object]:
    """A stage from a lifecycle word (the user's table, then the default one) or one of our
    stage names and synonyms; None for a word that says nothing about the relationship."""
    table = lifecycle_table(overrides)

    def parse(text: str) -> object:
        stage = lifecycle_stage(text, table)
        if stage is not None:
            return stage or None
        return v.parse_word(text, v.STAGE_SYNONYMS, N_("Unknown journey stage: %(value)s"))

    return parse


def _parsers(
    default_tz: tzinfo, date_order: str, stages: Mapping[str, str] | None
) -> dict[str, Callable[[str], object]]:
    stage = _stage_parser(stages)
    return {
        "text": str,
        "lower": str.lower,
        "upper": str.upper,
        "date": lambda text: v.parse_date(text, date_order),
        "datetime": lambda text: v.parse_datetime(text, default_tz=default_tz, order=date_order),
        "int": v.parse_int,
        "decimal": v.parse_decimal,
        "bool": v.parse_bool,
        "size": v.parse_size_band,
        "list": v.split_list,
        "stage": stage,
        "lifecycle": stage,
        "status": lambda text: v.parse_word(
            text, v.STATUS_SYNONYMS, N_("Unknown engagement status: %(value)s")
        ),
        "seniority": lambda text: v.parse_word(
            text, v.SENIORITY_SYNONYMS, N_("Unknown seniority: %(value)s")
        ),
        "roles": lambda text: v.parse_words(
            text, v.ROLE_SYNONYMS, N_("Unknown buying-group role: %(value)s")
        ),
        "kind": lambda text: v.parse_word(
            text, v.KIND_SYNONYMS, N_("Unknown touchpoint kind: %(value)s")
        ),
        "initiative": lambda text: v.parse_word(
            text, v.INITIATIVE_SYNONYMS, N_("Unknown initiative: %(value)s")
        ),
        "channel": lambda text: v.parse_word(
            text, v.CHANNEL_SYNONYMS, N_("Unknown channel: %(value)s")
        ),
        "language": lambda text: v.parse_word(
            text, v.LANGUAGE_SYNONYMS, N_("Unknown language: %(value)s")
        ),
    }


class RowParser:
    """Parses the raw texts of a row into values (dates, stages, amounts...) for one kind."""

    def __init__(
        self,
        kind: Kind,
        *,
        default_tz: tzinfo = UTC,
        date_order: str = "dmy",
        stages: Mapping[str, str] | None = None,
    ) -> None:
        parsers = _parsers(default_tz, date_order, stages)
        self.parsers = {spec.name: parsers[spec.parse] for spec in FIELDS[kind]}

    def values(self, texts: Mapping[str, str]) -> dict[str, object]:
        """Field → value; RowProblem names the first field whose text is not a valid value."""
        values: dict[str, object] = {}
        for field, text in texts.items():
            parse = self.parsers.get(field)
            if parse is None:
                continue
            try:
                value = parse(text)
            except BadValue as error:
                raise RowProblem(error.message, field=field, **error.params) from None
            if value is not None:
                values[field] = value
        return values


def duplicate_keys(kind: Kind, values: Mapping[str, object]) -> list[tuple[object, ...]]:
    """Every key that makes two rows of one file the same record.

    The external id or else a natural key, mirroring how the import matches existing rows; and
    for contacts their e-mail address too, whatever their ids say: two contacts with one
    address would each get e-mails and double what the address is sent.
    """
    keys = [key] if (key := duplicate_key(kind, values)) is not None else []
    if kind is Kind.CONTACTS and values.get("email"):
        by_email = ("email", str(values["email"]).strip().lower())
        if by_email not in keys:
            keys.append(by_email)
    return keys


def duplicate_key(kind: Kind, values: Mapping[str, object]) -> tuple[object, ...] | None:
    """What makes two rows of one file the same record: the external id, else a natural key.

    The natural keys mirror how the import matches existing rows, so a row that would update a
    record created by an earlier row of the same file is caught as a duplicate.
    """
    if values.get("external_id"):
        return ("external_id", values["external_id"])
    account = values.get("account_external_id") or str(values.get("account_name", "")).lower()
    if kind is Kind.ACCOUNTS:
        return ("name", str(values.get("name", "")).lower())
    if kind is Kind.CONTACTS:
        if values.get("email"):
            return ("email", str(values["email"]).strip().lower())
        return ("name", account, str(values.get("full_name", "")).lower())
    if kind is Kind.ENGAGEMENTS:
        return ("title", account, str(values.get("title", "")).lower())
    return ("touchpoint", account, values.get("kind"), values.get("occurred_at"))


def field_labels(kind: Kind) -> list[tuple[str, str]]:
    """(field, label) pairs in catalogue order, for mapping choices."""
    return [(spec.name, spec.label) for spec in FIELDS[kind]]


def export_columns(kind: Kind) -> list[str]:
    """The columns of an export: our field names, which the import recognises by themselves."""
    return [spec.name for spec in FIELDS[kind] if spec.name not in {"first_name", "last_name"}]
