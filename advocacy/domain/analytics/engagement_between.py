"""Between engagements: how often clients get there, how long they stay, who returns, who buys a
new service line when they do. See docs/metrics.md, "Between engagements".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.analytics.scope import (
    AccountFacts,
    EngagementFacts,
    account_in_scope,
    in_period,
)
from advocacy.domain.journey import Stage


@dataclass(frozen=True)
class StageChangeFacts:
    account_id: int
    to_stage: Stage
    at: datetime


@dataclass(frozen=True)
class Stint:
    """One stay between engagements: from the move there to the next move (None: still there)."""

    account: AccountFacts
    started_on: date
    ended_on: date | None
    returned: bool  # the next move was back to active (a new engagement)

    def days(self, today: date) -> int:
        return ((self.ended_on or today) - self.started_on).days


def stints(
    accounts: Mapping[int, AccountFacts],
    changes: Iterable[StageChangeFacts],
    *,
    filters: AnalyticsFilters,
) -> list[Stint]:
    """Stays between engagements of accounts in scope that began within the period."""
    by_account: dict[int, list[StageChangeFacts]] = {}
    for change in changes:
        by_account.setdefault(change.account_id, []).append(change)
    found = []
    for account_id, history in by_account.items():
        account = accounts.get(account_id)
        if account is None or not account_in_scope(account, filters):
            continue
        history.sort(key=lambda c: c.at)
        for index, change in enumerate(history):
            if change.to_stage is not Stage.BETWEEN:
                continue
            started = change.at.date()
            if not in_period(started, filters):
                continue
            following = history[index + 1] if index + 1 < len(history) else None
            found.append(
                Stint(
                    account,
                    started,
                    following.at.date() if following else None,
                    following is not None and following.to_stage is Stage.ACTIVE,
                )
            )
    return found


def clients_in_scope(accounts: Iterable[AccountFacts], filters: AnalyticsFilters) -> int:
    """Accounts in scope that ever hired the firm: the denominator of "how often"."""
    return sum(1 for a in accounts if a.cohort_year is not None and account_in_scope(a, filters))


@dataclass(frozen=True)
class RepeatHire:
    """A hired engagement after the account's first one, and whether it opened a new line."""

    account: AccountFacts
    on: date
    new_line_ids: frozenset[int]

    @property
    def cross_sell(self) -> bool:
        return bool(self.new_line_ids)


def repeat_hires(
    accounts: Mapping[int, AccountFacts],
    engagements: Iterable[EngagementFacts],
    *,
    filters: AnalyticsFilters,
) -> list[RepeatHire]:
    """Every hire after an account's first, decided within the period, with the service lines
    the account had never bought before it; the service line filter keeps hires of that line."""
    by_account: dict[int, list[EngagementFacts]] = {}
    for engagement in engagements:
        if engagement.hired:
            by_account.setdefault(engagement.account_id, []).append(engagement)
    found = []
    for account_id, hires in by_account.items():
        account = accounts.get(account_id)
        if account is None or not account_in_scope(account, filters, by_bought_line=False):
            continue
        hires.sort(key=lambda e: (e.decided_on, e.id))
        bought: set[int] = set(hires[0].line_ids)
        for hire in hires[1:]:
            new = frozenset(hire.line_ids - bought)
            bought |= hire.line_ids
            line = filters.service_line_id
            if line is not None and line not in hire.line_ids:
                continue
            if in_period(hire.decided_on, filters):
                found.append(RepeatHire(account, hire.decided_on, new))
    return found
