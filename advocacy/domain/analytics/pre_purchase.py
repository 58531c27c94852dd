"""Pre-purchase: what prospects decided (hired, not now, no way), how long it took, who came back.

A decision is an engagement (a proposal) with an outcome, dated as `EngagementFacts.decided_on`
says. See docs/metrics.md, "Pre-purchase".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.analytics.scope import (
    AccountFacts,
    EngagementFacts,
    account_in_scope,
    in_period,
)
from advocacy.domain.journey import EngagementStatus


class Outcome(StrEnum):
    HIRED = "hired"
    NOT_NOW = "not_now"
    NO_WAY = "no_way"


def outcome_of(status: EngagementStatus) -> Outcome | None:
    """The decision an engagement's status records; None while it is only proposed."""
    if status is EngagementStatus.DEFERRED:
        return Outcome.NOT_NOW
    if status is EngagementStatus.LOST:
        return Outcome.NO_WAY
    if status is EngagementStatus.PROPOSED:
        return None
    return Outcome.HIRED


@dataclass(frozen=True)
class Decision:
    account: AccountFacts
    outcome: Outcome
    on: date
    line_ids: frozenset[int]
    referred: bool
    days_from_first_touch: int | None  # None when the account has no touchpoint before it


def decisions(
    accounts: Mapping[int, AccountFacts],
    engagements: Iterable[EngagementFacts],
    *,
    first_touch: Mapping[int, date],
    referred_ids: frozenset[int],
    filters: AnalyticsFilters,
) -> list[Decision]:
    """The decisions in scope: account filters, a line of the proposal, a decision day in period."""
    found = []
    for engagement in engagements:
        outcome = outcome_of(engagement.status)
        account = accounts.get(engagement.account_id)
        if outcome is None or account is None:
            continue
        if not account_in_scope(account, filters, by_bought_line=False):
            continue
        line = filters.service_line_id
        if line is not None and line not in engagement.line_ids:
            continue
        on = engagement.decided_on
        if not in_period(on, filters):
            continue
        touched = first_touch.get(account.id)
        days = (on - touched).days if touched is not None and touched <= on else None
        found.append(
            Decision(
                account,
                outcome,
                on,
                engagement.line_ids,
                account.id in referred_ids,
                days,
            )
        )
    return found


def outcome_counts(found: Iterable[Decision]) -> dict[Outcome, int]:
    """How many decisions of each outcome (every outcome present, zero when none)."""
    counts = Counter(d.outcome for d in found)
    return {outcome: counts[outcome] for outcome in Outcome}


def counts_by(
    found: Iterable[Decision], keys: Callable[[Decision], Iterable[Hashable]]
) -> dict[Hashable, dict[Outcome, int]]:
    """Outcome counts per group; a decision may fall in several groups (several service lines)."""
    groups: dict[Hashable, Counter[Outcome]] = {}
    for decision in found:
        for key in keys(decision):
            groups.setdefault(key, Counter())[decision.outcome] += 1
    return {key: {o: counts[o] for o in Outcome} for key, counts in groups.items()}


def comebacks(found: list[Decision], hires: Iterable[Decision]) -> list[int]:
    """Days from each "not now" in `found` to the same account's next hire (only those who came
    back); `hires` are all the firm's hires, whatever the filters, so a later hire counts."""
    hire_days: dict[int, list[date]] = {}
    for hire in hires:
        if hire.outcome is Outcome.HIRED:
            hire_days.setdefault(hire.account.id, []).append(hire.on)
    waits = []
    for decision in found:
        if decision.outcome is not Outcome.NOT_NOW:
            continue
        later = [day for day in hire_days.get(decision.account.id, []) if day >= decision.on]
        if later:
            waits.append((min(later) - decision.on).days)
    return waits
