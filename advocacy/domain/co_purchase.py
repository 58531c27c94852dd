"""Which service lines the firm's clients bought together, per industry and firm-wide.

"Among clients in industry I who bought line X, which share also bought line Y": the evidence the
next-service-line ranking (domain/next_service_line.py) stands on, counted from the firm's own
engagements. Counts are kept next to shares so that a small sample can be discounted, and an
industry with too few clients borrows the firm-wide figures (docs/nurture.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import permutations
from typing import Final

from advocacy.domain.journey import EngagementStatus

# Engagements that mean the client bought the line: sold, under way or delivered.
BUYING_STATUSES: Final = frozenset(
    {EngagementStatus.WON, EngagementStatus.ACTIVE, EngagementStatus.COMPLETED}
)
# Below this many buying clients, an industry's own shares are too noisy: use the firm's.
MIN_INDUSTRY_CLIENTS: Final = 10


@dataclass(frozen=True)
class PurchaseTable:
    """Purchase counts over one population of clients (an industry, or the whole firm)."""

    clients: int  # clients who bought at least one line
    buyers: Mapping[int, int]  # line -> clients who bought it
    pairs: Mapping[tuple[int, int], int]  # (line X, line Y) -> clients who bought both, X != Y

    def together(self, bought_line_id: int, other_line_id: int) -> int:
        """Clients who bought both lines."""
        return self.pairs.get((bought_line_id, other_line_id), 0)

    def share(self, bought_line_id: int, other_line_id: int) -> float | None:
        """Share of the buyers of the first line who also bought the other; None without buyers."""
        buyers = self.buyers.get(bought_line_id, 0)
        if buyers == 0:
            return None
        return self.together(bought_line_id, other_line_id) / buyers


EMPTY: Final = PurchaseTable(clients=0, buyers={}, pairs={})


@dataclass(frozen=True)
class CoPurchase:
    """Purchase tables per industry and firm-wide, and the sample an industry needs to stand alone."""

    firm_wide: PurchaseTable
    industries: Mapping[str, PurchaseTable]
    min_industry_clients: int = MIN_INDUSTRY_CLIENTS

    def for_industry(self, industry: str) -> tuple[PurchaseTable, str | None]:
        """The table to use for a client of this industry, and the industry (None: firm-wide)."""
        table = self.industries.get(industry) if industry else None
        if table is None or table.clients < self.min_industry_clients:
            return self.firm_wide, None
        return table, industry


def _table(purchases: Iterable[frozenset[int]]) -> PurchaseTable:
    clients = 0
    buyers: Counter[int] = Counter()
    pairs: Counter[tuple[int, int]] = Counter()
    for lines in purchases:
        clients += 1
        buyers.update(lines)
        pairs.update(permutations(sorted(lines), 2))
    return PurchaseTable(clients=clients, buyers=dict(buyers), pairs=dict(pairs))


def co_purchase(
    accounts: Iterable[tuple[str, Collection[int]]],
    *,
    min_industry_clients: int = MIN_INDUSTRY_CLIENTS,
) -> CoPurchase:
    """Co-purchase statistics from (industry, lines bought) per account; "" is no industry.

    Accounts that bought nothing are left out: they say nothing about what goes with what.
    """
    by_industry: dict[str, list[frozenset[int]]] = {}
    everyone: list[frozenset[int]] = []
    for industry, lines in accounts:
        bought = frozenset(lines)
        if not bought:
            continue
        everyone.append(bought)
        if industry:
            by_industry.setdefault(industry, []).append(bought)
    return CoPurchase(
        firm_wide=_table(everyone),
        industries={industry: _table(rows) for industry, rows in by_industry.items()},
        min_industry_clients=min_industry_clients,
    )
