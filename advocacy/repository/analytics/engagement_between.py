"""Between-engagements queries: every account's stage history."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from advocacy.domain.analytics.engagement_between import StageChangeFacts
from advocacy.domain.journey import Stage
from advocacy.models import StageChange
from advocacy.repository.analytics.facts import raw_timestamp, utc_time

_STAGES = {stage.value: stage for stage in Stage}


def stage_changes(session: Session) -> list[StageChangeFacts]:
    """Every recorded stage move, oldest first."""
    query = select(
        col(StageChange.account_id), col(StageChange.to_stage), raw_timestamp(col(StageChange.at))
    ).order_by(col(StageChange.at), col(StageChange.id))
    # Core rows: the ORM's result handling would cost more than reading a large firm's moves.
    rows = session.connection().execute(query).all()
    return [StageChangeFacts(a, _STAGES[to], utc_time(at)) for a, to, at in rows]
