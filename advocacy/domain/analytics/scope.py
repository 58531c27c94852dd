"""The facts every analytics question starts from, and how the filters narrow them.

An account is in scope when its owner, industry and cohort (year of its first hired engagement)
match the filters. What the service line and the period narrow depends on the question: each
question says which line and which date of its own events they apply to (docs/metrics.md).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.journey import EngagementStatus

# Work sold: won, under way, delivered, or stopped after it started.
HIRED: Final = frozenset(
    {
        EngagementStatus.WON,
        EngagementStatus.ACTIVE,
        EngagementStatus.COMPLETED,
        EngagementStatus.CANCELLED,
    }
)

# Upper bounds (inclusive, in days) of the histogram buckets for durations; the last bucket is
# everything longer. Chosen to read as "a month, a quarter, half a year, a year, two years".
DAY_BUCKETS: Final = (30, 90, 180, 365, 730)


@dataclass(frozen=True)
class AccountFacts:
    """What the filters need to know about one account."""

    id: int
    owner_id: int | None
    industry: str
    cohort_year: int | None  # year of its first hired engagement; None when never hired
    bought_line_ids: frozenset[int]  # service lines of its hired engagements


@dataclass(frozen=True, slots=True)
class EngagementFacts:
    """One engagement as the analytics read it (see `decided_on` for the day of its outcome)."""

    id: int
    account_id: int
    status: EngagementStatus
    proposed_on: date  # the day it was recorded
    updated_on: date  # the day it was last changed
    started_on: date | None
    line_ids: frozenset[int]

    @property
    def hired(self) -> bool:
        return self.status in HIRED

    @property
    def decided_on(self) -> date:
        """Hired: the day the work starts (the day it was recorded when no start date is
        known), since completing it later changes it again; lost or deferred: its last change,
        the day the outcome was recorded."""
        if self.hired:
            return self.started_on or self.proposed_on
        return self.updated_on


def cohort_year(engagements: Iterable[EngagementFacts]) -> int | None:
    """Year of the account's first hired engagement (its decision day), None if never hired."""
    days = [e.decided_on for e in engagements if e.hired]
    return min(days).year if days else None


def account_in_scope(
    account: AccountFacts, filters: AnalyticsFilters, *, by_bought_line: bool = True
) -> bool:
    """True when owner, industry, cohort (and, when asked, a line it bought) match the filters."""
    if filters.owner_id is not None and account.owner_id != filters.owner_id:
        return False
    if filters.industry is not None and account.industry != filters.industry:
        return False
    if filters.cohort_year is not None and account.cohort_year != filters.cohort_year:
        return False
    return not (
        by_bought_line
        and filters.service_line_id is not None
        and filters.service_line_id not in account.bought_line_ids
    )


def in_period(day: date, filters: AnalyticsFilters) -> bool:
    """True when `day` falls within the filters' period (both ends inclusive, either open)."""
    if filters.period_start is not None and day < filters.period_start:
        return False
    return filters.period_end is None or day <= filters.period_end


def share(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def median(values: Sequence[int]) -> float | None:
    """The median of `values`, None when there are none."""
    return float(statistics.median(values)) if values else None


def histogram(values: Iterable[int], bounds: Sequence[int] = DAY_BUCKETS) -> tuple[int, ...]:
    """Counts per bucket: one per upper bound (inclusive), then one for everything above."""
    counts = [0] * (len(bounds) + 1)
    for value in values:
        index = next((i for i, bound in enumerate(bounds) if value <= bound), len(bounds))
        counts[index] += 1
    return tuple(counts)
