"""The typecasting index across accounts (docs/metrics.md): its distribution now, its average at
the end of each quarter, and the share of accounts knowing each relevant line.

Inputs are grouped counts, never one row per account: how many accounts each industry has, how
many know exactly k of their relevant lines, and how many (account, line) pairs became known in
each month. An account's index is k / |relevant lines of its industry|; an industry with no
relevant line gives its accounts no index, and they are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from advocacy.domain.analytics.months import share

BUCKETS: Final = 5  # the histogram's bars: 0–19 %, 20–39 %, ... 80–100 %


def bucket_labels() -> tuple[str, ...]:
    """The histogram's bars, as percentages of the index."""
    width = 100 // BUCKETS
    labels = [f"{i * width}–{(i + 1) * width - 1} %" for i in range(BUCKETS - 1)]
    return (*labels, f"{(BUCKETS - 1) * width}–100 %")


def _bucket(known: int, relevant: int) -> int:
    # Integer arithmetic: 3 of 5 lines is exactly 60 %, never 59.99 %.
    return min(known * BUCKETS // relevant, BUCKETS - 1)


def defined_accounts(accounts: Mapping[str, int], relevant: Mapping[str, int]) -> int:
    """Accounts that have an index (their industry has at least one relevant line)."""
    return sum(n for industry, n in accounts.items() if relevant.get(industry, 0) > 0)


def histogram(
    accounts: Mapping[str, int],
    by_known: Iterable[tuple[str, int, int]],
    relevant: Mapping[str, int],
) -> tuple[int, ...]:
    """Accounts per bucket of the index; those knowing none of their lines land in the first."""
    counts = [0] * BUCKETS
    knowing: dict[str, int] = defaultdict(int)
    for industry, known, number in by_known:
        if relevant.get(industry, 0) > 0:
            counts[_bucket(known, relevant[industry])] += number
            knowing[industry] += number
    counts[0] += sum(
        n - knowing[industry] for industry, n in accounts.items() if relevant.get(industry, 0) > 0
    )
    return tuple(counts)


def average_index(
    accounts: Mapping[str, int],
    by_known: Iterable[tuple[str, int, int]],
    relevant: Mapping[str, int],
) -> float | None:
    """The mean index of the accounts that have one."""
    total = sum(
        known * number / relevant[industry]
        for industry, known, number in by_known
        if relevant.get(industry, 0) > 0
    )
    count = defined_accounts(accounts, relevant)
    return total / count if count else None


@dataclass(frozen=True)
class KnownPairs:
    """How many known relevant (account, line) pairs of one industry and line date from a month
    (None: the record has no date, known all along)."""

    industry: str
    service_line_id: int
    month: str | None
    number: int


def average_by_quarter(
    quarters: Iterable[tuple[str, str]],
    accounts: Mapping[str, int],
    pairs: Iterable[KnownPairs],
    relevant: Mapping[str, int],
) -> tuple[float | None, ...]:
    """For each (quarter, its last month): the mean index of today's accounts as it stood at the
    end of that quarter, counting a pair known from the month of its earliest evidence."""
    count = defined_accounts(accounts, relevant)
    items = [pair for pair in pairs if relevant.get(pair.industry, 0) > 0]
    result: list[float | None] = []
    for _quarter, last_month in quarters:
        if not count:
            result.append(None)
            continue
        total = sum(
            pair.number / relevant[pair.industry]
            for pair in items
            if pair.month is None or pair.month <= last_month
        )
        result.append(total / count)
    return tuple(result)


@dataclass(frozen=True)
class LineReach:
    """One service line: accounts it is relevant to, and how many of them know it."""

    service_line_id: int
    relevant_accounts: int
    knowing_accounts: int

    @property
    def known_share(self) -> float | None:
        return share(self.knowing_accounts, self.relevant_accounts)


def line_reach(
    accounts: Mapping[str, int],
    relevant_lines: Mapping[str, Iterable[int]],
    pairs: Iterable[KnownPairs],
) -> list[LineReach]:
    """Per line relevant to at least one account: its reach, the least known first."""
    relevant_to: dict[int, int] = defaultdict(int)
    for industry, n in accounts.items():
        for line_id in relevant_lines.get(industry, ()):
            relevant_to[line_id] += n
    knowing: dict[int, int] = defaultdict(int)
    for pair in pairs:
        knowing[pair.service_line_id] += pair.number
    reach = [LineReach(line_id, n, knowing[line_id]) for line_id, n in relevant_to.items() if n > 0]
    return sorted(reach, key=lambda line: (line.known_share or 0.0, line.service_line_id))
