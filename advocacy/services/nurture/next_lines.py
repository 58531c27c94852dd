"""The next-service-line ranking, built once from the firm's evidence and used for many clients.

Three queries whatever the size of the firm (the catalogue, every client's purchases, the
relevance ratings); what depends on the clients being ranked (their awareness) is read by the
caller in bulk. Helpers only: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.domain.awareness import LineAwareness
from advocacy.domain.cadence import CheckInKind
from advocacy.domain.co_purchase import co_purchase
from advocacy.domain.next_service_line import Client, Ranker, RankingPolicy
from advocacy.domain.talking_points import NextLinePoint, next_line_points, with_bought
from advocacy.repository import journey
from advocacy.repository.co_purchase import purchases


@dataclass(frozen=True)
class NextLines:
    """One ranker for a run, and the name of every line (retired ones too: a reason may name one)."""

    ranker: Ranker
    names: Mapping[int, str]

    def talking_points(
        self,
        *,
        kind: CheckInKind,
        industry: str,
        awareness: Mapping[int, LineAwareness],
        bought_line_ids: Collection[int],
        now: datetime,
    ) -> list[NextLinePoint]:
        """One or two lines for an account's check-in, with their reason; none in a repair."""
        client = Client(0, industry, "", with_bought(awareness, bought_line_ids))
        candidates = self.ranker.talking_points(client, kind=kind, now=now)
        return next_line_points(candidates, self.names)


def next_lines(
    session: Session,
    *,
    policy: RankingPolicy | None = None,
    content: Collection[tuple[int, str]] = (),
) -> NextLines:
    """The ranking over the active catalogue, from every client's purchases (three queries)."""
    lines = journey.list_service_lines(session)
    statistics = co_purchase(purchases(session).values())
    ranker = Ranker(
        line_ids=[line.id for line in lines if line.id is not None and line.active],
        relevance=journey.relevance_by_industry(session),
        statistics=statistics,
        content=content,
        policy=policy or RankingPolicy(),
    )
    return NextLines(ranker, {line.id: line.name for line in lines if line.id is not None})
