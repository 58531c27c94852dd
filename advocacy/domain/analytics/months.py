"""Months and quarters along a figure's axis, and the arithmetic every question shares.

The database groups by calendar month (`YYYY-MM`); quarters are rolled up here from those months,
so the SQL stays the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

# Without a period in the filters, a time series shows this many months (or quarters) up to today.
DEFAULT_MONTHS: Final = 12
DEFAULT_QUARTERS: Final = 8


def month_key(day: date) -> str:
    """`YYYY-MM` of a day, as the database writes it."""
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(month: str) -> str:
    """`YYYY-Qn` of a `YYYY-MM` month."""
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def _add_months(day: date, count: int) -> date:
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[str]:
    """Every month from `first`'s to `last`'s, both included (empty if `last` is before)."""
    months = []
    current = date(first.year, first.month, 1)
    while current <= last:
        months.append(month_key(current))
        current = _add_months(current, 1)
    return months


def quarters_between(first: date, last: date) -> list[str]:
    """Every quarter from `first`'s to `last`'s, both included, in order."""
    return list(dict.fromkeys(quarter_key(month) for month in months_between(first, last)))


def axis_start(today: date, *, start: date | None, months: int) -> date:
    """Where a time axis begins: the period's start, or the first day of `months` months ago."""
    if start is not None:
        return start
    return _add_months(date(today.year, today.month, 1), 1 - months)


def quarter_axis_start(today: date, *, start: date | None, quarters: int) -> date:
    """Where a quarterly axis begins: the period's start, or `quarters` quarters back."""
    if start is not None:
        return start
    first_month = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return _add_months(first_month, 3 * (1 - quarters))


def quarter_end(quarter: str) -> date:
    """The first day after quarter `YYYY-Qn` (the moment its state is read)."""
    year, number = quarter.split("-Q")
    return _add_months(date(int(year), 1, 1), 3 * int(number))


def share(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def median(values: Iterable[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count), None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def along(axis: Iterable[str], counts: dict[str, int]) -> tuple[float, ...]:
    """A count per period of `axis` (zero where nothing happened)."""
    return tuple(float(counts.get(period, 0)) for period in axis)
