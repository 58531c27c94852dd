"""Reading and writing CSV files as people's tools produce and open them.

HubSpot and Salesforce write UTF-8 (sometimes with a BOM); Excel on Windows writes Windows-1252,
and in French locales separates with semicolons. We detect both and refuse, with a clear reason,
what is not a CSV file at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_

DELIMITERS = ",;\t"
SNIFF_BYTES = 64 * 1024
WRITE_CHUNK_ROWS = 500

# Signatures of files people upload by mistake instead of a CSV export.
_NOT_CSV = {
    b"PK\x03\x04": N_("This is an Excel workbook (or another zip file). Save it as CSV first."),
    b"\xd0\xcf\x11\xe0": N_("This is an old Excel workbook. Save it as CSV first."),
    b"%PDF": N_("This is a PDF file, not a CSV file."),
}


class CsvFileError(RuleError):
    """A file that cannot be read as CSV; the message says why."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file (the header is line 1)
    cells: list[str]


@dataclass(frozen=True)
class CsvTable:
    headers: list[str]
    rows: list[CsvRow]
    encoding: str
    delimiter: str


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding used: UTF-8 (BOM or not), else Windows-1252."""
    for magic, message in _NOT_CSV.items():
        if data.startswith(magic):
            raise CsvFileError(message)
    if b"\x00" in data:
        raise CsvFileError(N_("This file holds binary data; it is not a CSV file."))
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvFileError(N_("This file is neither UTF-8 nor Windows-1252 text.")) from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > max(8, len(text) // 100):
        raise CsvFileError(N_("This file holds binary data; it is not a CSV file."))
    return text, "cp1252"


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: csv.Sniffer on a sample, checked against the header line."""
    sample = text[:SNIFF_BYTES]
    header = sample.splitlines()[0] if sample else ""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and header.count(delimiter) > 0:
        return delimiter
    # The Sniffer gives up on short or irregular samples; the header line rarely lies.
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def read_table(data: bytes, *, max_bytes: int) -> CsvTable:
    """Parse a whole CSV file: headers (made unique), then the rows that hold something."""
    if len(data) > max_bytes:
        raise CsvFileError(
            N_("This file is larger than %(limit)s MB; split it into smaller files."),
            limit=_megabytes(max_bytes),
        )
    if not data.strip():
        raise CsvFileError(N_("This file is empty."))
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[CsvRow] = []
    headers: list[str] | None = None
    previous_line = 0
    try:
        for cells in reader:
            start = previous_line + 1
            previous_line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if headers is None:
                headers = _unique_headers(cells)
                continue
            rows.append(CsvRow(start, cells))
    except csv.Error as error:
        raise CsvFileError(
            N_("Line %(line)s is not valid CSV (%(reason)s)."),
            line=previous_line + 1,
            reason=str(error),
        ) from None
    if headers is None or not any(headers):
        raise CsvFileError(N_("This file has no header line."))
    if not rows:
        raise CsvFileError(N_("This file has a header line but no rows."))
    return CsvTable(headers, rows, encoding, delimiter)


def _unique_headers(cells: Sequence[str]) -> list[str]:
    headers: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = cell.strip() or f"(column {index})"
        candidate, copy = name, 2
        while candidate in headers:
            candidate, copy = f"{name} ({copy})", copy + 1
        headers.append(candidate)
    return headers


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def write_csv(
    rows: Iterable[Sequence[str]], *, bom: bool = True, delimiter: str = ","
) -> Iterator[str]:
    """CSV text in chunks (a BOM first, so Excel reads UTF-8); cells must already be neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter)
    if bom:
        buffer.write("\ufeff")
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % WRITE_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
