"""The rejected rows of an import, given back as the user's own file: the same columns, the same
cells, and a "reason" column saying what to fix, so the fixed file imports as it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace

from advocacy.adapters.csv_files import CsvTable
from advocacy.domain.csv_import import Rejection, neutralise_cell

REASON_COLUMN = "reason"


def named_cells(
    rejections: Sequence[Rejection], table: CsvTable, mapping: Mapping[str, str]
) -> list[Rejection]:
    """Each rejection with the column at fault named as the file names it, and its cell's text."""
    index = {header: position for position, header in enumerate(table.headers)}
    by_field = {name: header for header, name in mapping.items() if name}
    rows = {row.line: row.cells for row in table.rows}
    named: list[Rejection] = []
    for rejection in rejections:
        header = by_field.get(rejection.field)
        if header is None and rejection.field == "full_name":
            parts = [by_field[n] for n in ("first_name", "last_name") if n in by_field]
            header = " / ".join(parts) if parts else None
        if header is None:
            named.append(rejection)
            continue
        cells = rows.get(rejection.line, [])
        texts = [
            cells[index[part]].strip()
            for part in header.split(" / ")
            if part in index and index[part] < len(cells)
        ]
        named.append(
            replace(
                rejection, column=rejection.column or header, value=" ".join(t for t in texts if t)
            )
        )
    return named


def rejected_rows(
    table: CsvTable, rejections: Sequence[Rejection], describe: Callable[[Rejection], str]
) -> Iterator[list[str]]:
    """The header line and every rejected row as it was, plus its reason (`describe` words it).

    A "reason" column the file already has (a rejected file sent back) is replaced, not repeated.
    """
    keep = [i for i, header in enumerate(table.headers) if header.strip().lower() != REASON_COLUMN]
    yield [*(table.headers[i] for i in keep), REASON_COLUMN]
    reasons: dict[int, list[str]] = {}
    for rejection in rejections:
        if rejection.line:
            reasons.setdefault(rejection.line, []).append(describe(rejection))
    for row in table.rows:
        if row.line in reasons:
            cells = [row.cells[i] if i < len(row.cells) else "" for i in keep]
            # The reason is ours; the cells stay the user's own, formulas and all.
            yield [*cells, neutralise_cell("; ".join(reasons[row.line]))]
