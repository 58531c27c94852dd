"""Reading a segment's audience in bulk: the facts of every contact it may reach, typecasting
index included. Shared by the segment size, the preview and the run (helpers only: no commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.domain.awareness import DEFAULT_RELEVANCE_THRESHOLD, LineAwareness
from advocacy.domain.campaigns import Segment
from advocacy.domain.nurture_audience import Audience, matches
from advocacy.repository import nurture_facts


@dataclass(frozen=True)
class SegmentFacts:
    """Everything read about the contacts in scope of one segment (and campaign)."""

    audience: dict[int, Audience]
    reach: dict[int, nurture_facts.Reachable]
    awareness: dict[int, dict[int, LineAwareness]]
    industries: dict[int, str]  # account id -> industry
    line_ids: list[int]
    relevance: dict[str, dict[int, int]]


def read_segment(
    session: Session,
    segment: Segment,
    *,
    now: datetime,
    campaign_id: int | None = None,
    threshold: int = DEFAULT_RELEVANCE_THRESHOLD,
    with_awareness: bool = True,
) -> SegmentFacts:
    """The facts of the segment's candidates (and of the campaign's enrolled contacts)."""
    scope = nurture_facts.scope_of(segment, campaign_id=campaign_id)
    line_ids, relevance = nurture_facts.catalogue(session)
    industries: dict[int, str] = {}

    def indexes(of_accounts: dict[int, str]) -> dict[int, float | None]:
        industries.update(of_accounts)
        return nurture_facts.typecasting_indexes(
            session, scope, of_accounts, line_ids=line_ids, relevance=relevance, threshold=threshold
        )

    audience, reach = nurture_facts.audience(session, scope, now=now, indexes=indexes)
    awareness = nurture_facts.contact_awareness(session, scope) if with_awareness else {}
    return SegmentFacts(audience, reach, awareness, industries, line_ids, relevance)


def matching(facts: SegmentFacts, segment: Segment, now: datetime) -> list[int]:
    """The contacts that belong to the segment now, in id order."""
    return sorted(cid for cid, fact in facts.audience.items() if matches(segment, fact, now))
