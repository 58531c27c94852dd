"""The account page's journey picture: its stages, engagements and touchpoints on one timeline."""

from __future__ import annotations

from datetime import date, tzinfo

from sqlmodel import Session

from advocacy.domain.journey import LIVE_STATUSES
from advocacy.domain.journey_picture import (
    EngagementFact,
    JourneyPicture,
    StageChangeFact,
    TouchpointFact,
    journey_picture,
)
from advocacy.repository import journey
from advocacy.repository.read_models.accounts import EngagementRow, JourneyMap

_LIVE = frozenset(status.value for status in LIVE_STATUSES)


def _engagement(row: EngagementRow, tz: tzinfo) -> EngagementFact:
    engagement = row.engagement
    starts = engagement.start_date or engagement.created_at.astimezone(tz).date()
    ends = engagement.end_date
    if ends is None and engagement.status not in _LIVE:
        # Undated work that is over (or never happened) ends where it was last touched.
        ends = max(starts, engagement.updated_at.astimezone(tz).date())
    return EngagementFact(
        engagement.title,
        engagement.status,
        starts,
        ends,
        tuple(row.service_lines),
    )


def account_journey_picture(
    session: Session, found: JourneyMap, *, today: date, tz: tzinfo
) -> JourneyPicture | None:
    """Lay out the journey map's stage changes and engagements with every touchpoint of the
    account (one more query, three columns), in the viewer's calendar; None with no history."""
    stages = [
        StageChangeFact(row.change.to_stage, row.change.at.astimezone(tz).date())
        for row in found.history
    ]
    engagements = [_engagement(row, tz) for row in found.engagements]
    account_id = found.account.id or 0
    touchpoints = [
        TouchpointFact(at.astimezone(tz).date(), initiative, kind)
        for at, initiative, kind in journey.touchpoint_moments(session, account_id)
    ]
    return journey_picture(stages, engagements, touchpoints, today=today)
