"""Check-in punctuality as analytics: grouped counts turned into the team view's `Discipline`
(on time, late, skipped, overdue, open) per owner and per month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from advocacy.domain.cadence import Discipline


@dataclass(frozen=True)
class Tally:
    """How many check-ins of one group (an owner, a month) had one outcome."""

    key: object
    outcome: str  # on_time | late | skipped | overdue | open (open and not yet due)
    number: int


def disciplines(tallies: Iterable[Tally]) -> dict[object, Discipline]:
    """Per group, its `Discipline`; an overdue check-in is counted as open as well, as the team
    view counts it."""
    result: dict[object, Discipline] = {}
    for tally in tallies:
        row = result.setdefault(tally.key, Discipline())
        if tally.outcome == "on_time":
            row.on_time += tally.number
        elif tally.outcome == "late":
            row.late += tally.number
        elif tally.outcome == "skipped":
            row.skipped += tally.number
        elif tally.outcome == "overdue":
            row.overdue += tally.number
            row.open += tally.number
        else:
            row.open += tally.number
    return result


def combined(rows: Iterable[Discipline]) -> Discipline:
    """Several groups' counts added up."""
    total = Discipline()
    for row in rows:
        total.on_time += row.on_time
        total.late += row.late
        total.skipped += row.skipped
        total.overdue += row.overdue
        total.open += row.open
    return total


def skipped_share(row: Discipline) -> float | None:
    """Skipped of every check-in closed (done or skipped)."""
    closed = row.on_time + row.late + row.skipped
    return row.skipped / closed if closed else None
