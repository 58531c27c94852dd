"""What the mapping step offers the user to confirm, read from the file: the order its dates are
written in, and the journey stage each of its lifecycle words will give."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from advocacy.adapters.csv_files import CsvTable
from advocacy.domain.csv_accounts import lifecycle_stage, lifecycle_table
from advocacy.domain.csv_fields import Kind, field_spec
from advocacy.domain.csv_values import STAGE_SYNONYMS, BadValue, detect_date_order, parse_word

# Enough rows to find a date only one order can read, few enough to cost nothing.
SAMPLE_ROWS = 2000
# More distinct words than this is not a lifecycle column; the table would be noise.
MAX_LIFECYCLE_WORDS = 30


def _cells(
    table: CsvTable, kind: Kind, mapping: Mapping[str, str], parses: set[str]
) -> Iterator[str]:
    columns = [
        index
        for index, header in enumerate(table.headers)
        if (spec := field_spec(kind, mapping.get(header, ""))) and spec.parse in parses
    ]
    for row in table.rows[:SAMPLE_ROWS]:
        for index in columns:
            if index < len(row.cells) and row.cells[index].strip():
                yield row.cells[index].strip()


def date_order_of(kind: Kind, table: CsvTable, mapping: Mapping[str, str]) -> str:
    """The order the file's dates are written in (dmy or mdy), for the user to confirm."""
    return detect_date_order(_cells(table, kind, mapping, {"date", "datetime"}))


def has_dates(kind: Kind, table: CsvTable, mapping: Mapping[str, str]) -> bool:
    """Whether a mapped column holds dates, so that their order is worth asking."""
    return next(_cells(table, kind, mapping, {"date", "datetime"}), None) is not None


def lifecycle_words(
    kind: Kind, table: CsvTable, mapping: Mapping[str, str], chosen: Mapping[str, str]
) -> list[tuple[str, str | None]]:
    """Each distinct word of the lifecycle column with the stage it will give ("" for none,
    None when neither the default table nor the user's choices know it)."""
    words: list[str] = []
    for text in _cells(table, kind, mapping, {"stage", "lifecycle"}):
        if text not in words:
            words.append(text)
            if len(words) > MAX_LIFECYCLE_WORDS:
                return []
    table_ = lifecycle_table(chosen)
    return [(word, _stage_of(word, table_)) for word in words]


def _stage_of(word: str, table: Mapping[str, str]) -> str | None:
    stage = lifecycle_stage(word, table)
    if stage is not None:
        return stage
    try:
        return parse_word(word, STAGE_SYNONYMS, "")
    except BadValue:
        return None
