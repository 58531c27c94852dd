"""What each client knows the firm for: service-line awareness and the typecasting index.

A client who bought one service line tends to believe the firm does only that, and hires someone
else for the rest ("typecasting", docs/domain.md). Per contact and per service line the product
tracks how far the client has come to know that line; the typecasting index measures, per account,
how much of what matters to its industry the client knows the firm for (docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final


class Awareness(StrEnum):
    """How far a client has come to know one service line, weakest first."""

    UNAWARE = "unaware"
    INTRODUCED = "introduced"  # we told them: a nurture e-mail delivered, a talking point covered
    ENGAGED = "engaged"  # they showed interest: clicked, replied, asked, attended
    BOUGHT = "bought"  # an engagement in that line was won


_STRENGTH: Final = {state: rank for rank, state in enumerate(Awareness)}
# What the client "knows us for": a line they bought, or one they showed interest in.
KNOWN: Final = frozenset({Awareness.ENGAGED, Awareness.BOUGHT})


@dataclass(frozen=True)
class LineAwareness:
    """One contact's (or account's) knowledge of one service line, with when it last moved."""

    service_line_id: int
    state: Awareness
    introduced_at: datetime | None = None  # the last time we introduced it
    engaged_at: datetime | None = None  # the last sign of interest
    bought_at: datetime | None = None  # the last engagement won in it


def stronger(first: Awareness, second: Awareness) -> Awareness:
    """The stronger of two awareness states (awareness never goes back down)."""
    return first if _STRENGTH[first] >= _STRENGTH[second] else second


def _latest(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


def combine(first: LineAwareness, second: LineAwareness) -> LineAwareness:
    """Merge two records of the same line (e.g. two contacts of one account) into one."""
    if first.service_line_id != second.service_line_id:
        raise ValueError("only records of the same service line can be combined")
    return LineAwareness(
        service_line_id=first.service_line_id,
        state=stronger(first.state, second.state),
        introduced_at=_latest(first.introduced_at, second.introduced_at),
        engaged_at=_latest(first.engaged_at, second.engaged_at),
        bought_at=_latest(first.bought_at, second.bought_at),
    )


def account_awareness(contacts: Iterable[Mapping[int, LineAwareness]]) -> dict[int, LineAwareness]:
    """An account's awareness per line: the strongest of its contacts', with the latest dates."""
    merged: dict[int, LineAwareness] = {}
    for lines in contacts:
        for line_id, record in lines.items():
            merged[line_id] = combine(merged[line_id], record) if line_id in merged else record
    return merged


def typecasting_index(
    awareness: Mapping[int, LineAwareness], relevant_line_ids: Iterable[int]
) -> float | None:
    """Share (0..1) of the lines relevant to the account's industry that it knows the firm for.

    None when no line is relevant: an index over nothing would read as "fully typecast".
    """
    relevant = set(relevant_line_ids)
    if not relevant:
        return None
    known = sum(
        1 for line_id in relevant if line_id in awareness and awareness[line_id].state in KNOWN
    )
    return known / len(relevant)
