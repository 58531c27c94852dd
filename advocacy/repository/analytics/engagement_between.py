"""Between-engagements queries: every account's stage history."""

from __future__ import annotations

from sqlmodel import Session, col, select

from advocacy.domain.analytics.engagement_between import StageChangeFacts
from advocacy.domain.journey import Stage
from advocacy.models import StageChange


def stage_changes(session: Session) -> list[StageChangeFacts]:
    """Every recorded stage move, oldest first."""
    query = select(StageChange.account_id, StageChange.to_stage, StageChange.at).order_by(
        col(StageChange.at), col(StageChange.id)
    )
    return [StageChangeFacts(a, Stage(to), at) for a, to, at in session.exec(query)]
