"""A campaign and its own audience, set up together: what the campaign form does in one go.

The campaign form edits the campaign and the segment it reaches at once; doing both in one
transaction means a refused campaign never leaves a segment behind, and a change of audience and
name lands together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from advocacy.domain import access
from advocacy.domain.campaigns import CampaignStatus
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.models import Campaign, SavedSegment, SegmentCriteria, User
from advocacy.models.fields import LongText, Name
from advocacy.repository import nurture


class CampaignSetup(BaseModel):
    """The campaign form: name, description, re-entry rule and audience."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: LongText = ""
    reenter_after_days: int | None = None
    criteria: SegmentCriteria = SegmentCriteria()


def _check(data: CampaignSetup, by: User) -> None:
    if not access.may_manage_campaigns(Role(by.role)):
        raise NotAllowed(N_("Only marketing and administrators manage nurture campaigns."))
    days = data.reenter_after_days
    if days is not None and not 1 <= days <= 3650:
        raise RuleError(N_("A contact may come back between 1 and 3650 days after leaving."))


def create_with_audience(
    session: Session, data: CampaignSetup, *, by: User, now: datetime
) -> Campaign:
    """A new draft campaign with its own segment."""
    _check(data, by)
    segment = SavedSegment(
        name=data.name,
        criteria_json=data.criteria.as_json(),
        created_by_id=by.id,
        updated_by_id=by.id,
        created_at=now,
        updated_at=now,
    )
    session.add(segment)
    session.flush()
    campaign = Campaign(
        name=data.name,
        description=data.description,
        reenter_after_days=data.reenter_after_days,
        status=CampaignStatus.DRAFT.value,
        segment_id=segment.id or 0,
        created_by_id=by.id,
        updated_by_id=by.id,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    session.commit()
    return campaign


def update_with_audience(
    session: Session, campaign_id: int, data: CampaignSetup, *, by: User, now: datetime
) -> Campaign:
    """Change a campaign and its audience (not once finished); the next run follows them."""
    _check(data, by)
    campaign = nurture.get_campaign(session, campaign_id)
    if campaign.status == CampaignStatus.FINISHED.value:
        raise RuleError(N_("A finished campaign cannot change any more."))
    segment = nurture.get_segment(session, campaign.segment_id)
    segment.criteria_json = data.criteria.as_json()
    segment.updated_by_id, segment.updated_at = by.id, now
    campaign.name, campaign.description = data.name, data.description
    campaign.reenter_after_days = data.reenter_after_days
    campaign.updated_by_id, campaign.updated_at = by.id, now
    session.add(segment)
    session.add(campaign)
    session.commit()
    return campaign
