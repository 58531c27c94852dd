"""Nurture campaigns for tests, through the real use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from advocacy.models import (
    Campaign,
    CampaignCreate,
    SegmentCreate,
    SegmentCriteria,
    StepInput,
    User,
)
from advocacy.services.nurture import campaigns
from tests.conftest import NOW


def make_campaign(
    session: Session,
    by: User,
    steps: list[dict[str, Any]],
    *,
    stages: tuple[str, ...] = ("between",),
    name: str = "Next line",
    now: datetime = NOW,
) -> Campaign:
    """A draft campaign over a segment of these stages, with these steps (committed)."""
    segment = campaigns.create_segment(
        session,
        SegmentCreate(name="Between", criteria=SegmentCriteria(stages=list(stages))),
        by=by,
        now=now,
    )
    campaign = campaigns.create_campaign(
        session, CampaignCreate(name=name, segment_id=segment.id or 0), by=by, now=now
    )
    campaigns.set_steps(
        session,
        campaign.id or 0,
        [StepInput.model_validate(step) for step in steps],
        by=by,
        now=now,
    )
    return campaign
