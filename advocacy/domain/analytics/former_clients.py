"""Former clients: the good and the bad camp, who refers us after leaving, and why they left.
See docs/metrics.md, "Former clients".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.analytics.scope import AccountFacts, account_in_scope, in_period
from advocacy.domain.journey import Camp

# Reasons shown one by one; the rest are summed as "other".
TOP_REASONS = 8


@dataclass(frozen=True)
class FormerFacts:
    """A former client: its camp, when it left and the reason recorded for it."""

    account_id: int
    camp: Camp
    left_at: datetime
    reason: str


@dataclass(frozen=True)
class FormerClient:
    account: AccountFacts
    camp: Camp
    left_on: date
    reason: str
    referrals: int  # referrals its contacts gave since it left


def former_clients(
    accounts: Mapping[int, AccountFacts],
    formers: Iterable[FormerFacts],
    referral_times: Mapping[int, list[datetime]],
    *,
    filters: AnalyticsFilters,
) -> list[FormerClient]:
    """Former clients in scope that left within the period, with their referrals since."""
    found = []
    for former in formers:
        account = accounts.get(former.account_id)
        if account is None or not account_in_scope(account, filters):
            continue
        if not in_period(former.left_at.date(), filters):
            continue
        given = sum(1 for at in referral_times.get(former.account_id, []) if at >= former.left_at)
        found.append(
            FormerClient(account, former.camp, former.left_at.date(), former.reason, given)
        )
    return found


def camp_counts(found: Iterable[FormerClient]) -> dict[Camp, int]:
    """Former clients per camp (every camp present)."""
    counts = Counter(f.camp for f in found)
    return {camp: counts[camp] for camp in (Camp.GOOD, Camp.BAD, Camp.UNKNOWN)}


def normalised(text: str) -> str:
    """The grouping key of a free-text reason: case, spaces and a final full stop do not count."""
    return " ".join(text.split()).rstrip(".").casefold()


@dataclass(frozen=True)
class ReasonGroup:
    text: str  # as first written ("" for the group of all the others)
    counts: Mapping[Camp, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def grouped_reasons(
    reasons: Iterable[tuple[str, Camp]], *, top: int = TOP_REASONS
) -> list[ReasonGroup]:
    """Reasons grouped by their normalised text, most frequent first, per camp; the groups past
    `top` are summed into one last group with an empty text. Blank reasons are left out."""
    first_wording: dict[str, str] = {}
    counts: dict[str, Counter[Camp]] = {}
    for text, camp in reasons:
        key = normalised(text)
        if not key:
            continue
        first_wording.setdefault(key, " ".join(text.split()))
        counts.setdefault(key, Counter())[camp] += 1
    ranked = sorted(counts, key=lambda k: (-sum(counts[k].values()), k))
    groups = [ReasonGroup(first_wording[k], dict(counts[k])) for k in ranked[:top]]
    rest: Counter[Camp] = Counter()
    for key in ranked[top:]:
        rest.update(counts[key])
    if rest:
        groups.append(ReasonGroup("", dict(rest)))
    return groups
