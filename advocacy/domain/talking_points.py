"""The next service lines a check-in raises, as stored with it (docs/nurture.md).

Generation asks the next-service-line ranking for one or two lines per account and stores each
with its name at that moment and the ranking's strongest reason as plain data. The pages turn the
reason into a sentence in the reader's language; what was decided is never recomputed, so a
check-in keeps saying what it said even after the catalogue or the evidence changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advocacy.domain.awareness import Awareness, LineAwareness

if TYPE_CHECKING:  # next_service_line imports cadence, which imports this module
    from advocacy.domain.next_service_line import Candidate


@dataclass(frozen=True)
class NextLinePoint:
    """One line to raise: its id and name when chosen, and why (`Reason.as_data()`)."""

    service_line_id: int
    name: str
    reason: Mapping[str, object]
    # Names of the other lines the reason mentions (the line it was bought with), when chosen.
    line_names: Mapping[int, str] = field(default_factory=dict)

    def as_data(self) -> dict[str, object]:
        """The point as plain JSON-ready data (keys of `line_names` become strings)."""
        return {
            "service_line_id": self.service_line_id,
            "name": self.name,
            "reason": dict(self.reason),
            "line_names": {str(line_id): name for line_id, name in self.line_names.items()},
        }


def next_line_points(
    candidates: Iterable[Candidate], names: Mapping[int, str]
) -> list[NextLinePoint]:
    """The ranking's candidates as points, named (lines without a name are left out)."""
    points = []
    for candidate in candidates:
        name = names.get(candidate.service_line_id)
        if not name:
            continue
        reason = candidate.reason
        mentioned = {
            line_id: names[line_id]
            for line_id in (reason.bought_line_id,)
            if line_id is not None and line_id in names
        }
        points.append(NextLinePoint(candidate.service_line_id, name, reason.as_data(), mentioned))
    return points


def _line_names(value: object) -> dict[int, str]:
    if not isinstance(value, dict):
        return {}
    found = {}
    for key, name in value.items():
        if isinstance(key, str) and key.isdigit() and isinstance(name, str):
            found[int(key)] = name
    return found


def next_lines_from_data(value: object) -> list[NextLinePoint]:
    """The points stored with a check-in; an entry that is not well-formed is left out."""
    if not isinstance(value, list):
        return []
    points = []
    for item in value:
        if not isinstance(item, dict):
            continue
        line_id, name, reason = item.get("service_line_id"), item.get("name"), item.get("reason")
        if not isinstance(line_id, int) or isinstance(line_id, bool) or not isinstance(name, str):
            continue
        if not name or not isinstance(reason, dict):
            continue
        points.append(NextLinePoint(line_id, name, reason, _line_names(item.get("line_names"))))
    return points


def with_bought(
    awareness: Mapping[int, LineAwareness], bought_line_ids: Iterable[int]
) -> dict[int, LineAwareness]:
    """The awareness with these lines marked bought (a check-in's "already bought" list).

    The two can disagree: awareness counts won, active and completed work, the check-in a
    cancelled engagement too; a line named "already bought" must never come back as "next".
    """
    merged = dict(awareness)
    for line_id in bought_line_ids:
        record = merged.get(line_id)
        if record is None or record.state is not Awareness.BOUGHT:
            merged[line_id] = LineAwareness(
                line_id,
                Awareness.BOUGHT,
                introduced_at=record.introduced_at if record else None,
                engaged_at=record.engaged_at if record else None,
                bought_at=record.bought_at if record else None,
            )
    return merged
