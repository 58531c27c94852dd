"""How a nurture campaign did: what followed its touches, and how the typecasting index of the
accounts it targeted moved against comparable accounts it did not (docs/metrics.md).

Pure: dates and records in, numbers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean

from advocacy.domain.awareness import KNOWN, LineAwareness


def won_within(
    first_touch: Mapping[int, datetime],
    events: Iterable[tuple[int, datetime]],
    days: int,
) -> int:
    """How many (account, moment) events fall within `days` after the account's first touch."""
    window = timedelta(days=days)
    return sum(
        1
        for account_id, at in events
        if account_id in first_touch
        and first_touch[account_id] < at <= first_touch[account_id] + window
    )


def _known_at(record: LineAwareness, at: datetime) -> bool:
    """Whether the account knew the firm for the line at `at`, from the dates on its record.

    A record keeps the latest date of each kind; a line bought (or engaged with) again after `at`
    reads as not known at `at`, which understates the index before and so overstates its rise a
    little, for targeted and comparable accounts alike.
    """
    if record.state not in KNOWN:
        return False
    dates = [d for d in (record.bought_at, record.engaged_at) if d is not None]
    return not dates or min(dates) <= at


def _known(record: LineAwareness, at: datetime | None) -> bool:
    return record.state in KNOWN if at is None else _known_at(record, at)


def index_at(
    records: Mapping[int, LineAwareness], relevant: Iterable[int], at: datetime | None
) -> float | None:
    """The typecasting index at `at` (None: now), as `awareness.typecasting_index` computes it."""
    lines = set(relevant)
    if not lines:
        return None
    known = sum(1 for line_id in lines if line_id in records and _known(records[line_id], at))
    return known / len(lines)


@dataclass(frozen=True)
class IndexChange:
    """Average change of the index since the campaign began: targeted against comparable."""

    targeted_accounts: int
    targeted_change: float | None
    comparable_accounts: int
    comparable_change: float | None

    @property
    def difference(self) -> float | None:
        """Targeted minus comparable: what the campaign added, if anything."""
        if self.targeted_change is None or self.comparable_change is None:
            return None
        return self.targeted_change - self.comparable_change


def _average(changes: list[float]) -> float | None:
    return fmean(changes) if changes else None


def index_change(
    changes: Mapping[int, float],
    targeted: set[int],
    group_of: Mapping[int, tuple[str, str]],
) -> IndexChange:
    """Compare the targeted accounts' index changes with those of untargeted accounts in the same
    (industry, stage) groups as the targeted ones; accounts without an index are left out."""
    groups = {group_of[a] for a in targeted if a in group_of}
    mine = [change for account, change in changes.items() if account in targeted]
    others = [
        change
        for account, change in changes.items()
        if account not in targeted and group_of.get(account) in groups
    ]
    return IndexChange(len(mine), _average(mine), len(others), _average(others))
