"""Between-engagements queries: every account's stage history."""

from __future__ import annotations

from sqlmodel import Session, col, select

from advocacy.domain.analytics.engagement_between import StageChangeFacts
from advocacy.domain.journey import Stage
from advocacy.models import StageChange

_STAGES = {stage.value: stage for stage in Stage}


def stage_changes(session: Session) -> list[StageChangeFacts]:
    """Every recorded stage move, oldest first."""
    query = select(StageChange.account_id, StageChange.to_stage, StageChange.at).order_by(
        col(StageChange.at), col(StageChange.id)
    )
    return [StageChangeFacts(a, _STAGES[to], at) for a, to, at in session.exec(query)]
