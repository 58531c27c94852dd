"""A nurture campaign's results: its funnel, what followed its touches, and the change of the
typecasting index of the accounts it targeted against comparable ones (docs/metrics.md).
Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.domain.awareness import relevant_lines
from advocacy.domain.nurture_results import IndexChange, index_at, index_change, won_within
from advocacy.models import User
from advocacy.repository import nurture_facts
from advocacy.repository.read_models import campaigns as read_model
from advocacy.services.nurture.campaigns import get_visible_campaign
from advocacy.settings import Settings


@dataclass(frozen=True)
class CampaignResults:
    campaign_id: int
    counts: read_model.CampaignCounts
    window_days: int
    meetings: int  # meetings within the window after the account's first touch
    engagements_won: int
    index: IndexChange


def campaign_results(
    session: Session, campaign_id: int, *, user: User, now: datetime, settings: Settings
) -> CampaignResults:
    """What the campaign did and what followed, for a user who may see the campaign."""
    campaign = get_visible_campaign(session, campaign_id, user)
    days = settings.nurture_results_window_days
    touches = read_model.first_touches(session, campaign_id)
    meetings = engagements = 0
    if touches:
        meeting_rows, won_rows = read_model.followed(session, campaign_id, min(touches.values()))
        meetings = won_within(touches, meeting_rows, days)
        engagements = won_within(touches, won_rows, days)
    targeted, groups, records = read_model.index_inputs(session, campaign_id)
    line_ids, relevance = nurture_facts.catalogue(session)
    began = campaign.activated_at
    changes: dict[int, float] = {}
    for account_id, (industry, _stage) in groups.items():
        relevant = relevant_lines(
            line_ids, relevance.get(industry, {}), settings.typecasting_relevance_threshold
        )
        before = index_at(records.get(account_id, {}), relevant, began)
        after = index_at(records.get(account_id, {}), relevant, None)
        if before is not None and after is not None:
            changes[account_id] = after - before
    return CampaignResults(
        campaign_id=campaign_id,
        counts=read_model.counts(session, campaign_id),
        window_days=days,
        meetings=meetings,
        engagements_won=engagements,
        index=index_change(changes, targeted, groups),
    )
