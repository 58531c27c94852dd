"""Between-engagements queries: every account's stage history."""

from __future__ import annotations

from collections.abc import Container

from sqlalchemy import select
from sqlmodel import Session, col

from advocacy.domain.analytics.engagement_between import StageChangeFacts
from advocacy.domain.journey import Stage
from advocacy.models import StageChange
from advocacy.repository.analytics.facts import raw_timestamp, utc_time

_STAGES = {stage.value: stage for stage in Stage}


def stage_changes(
    session: Session, accounts: Container[int] | None = None
) -> list[StageChangeFacts]:
    """Every recorded stage move (of `accounts` only, when given), oldest first."""
    query = select(
        col(StageChange.account_id), col(StageChange.to_stage), raw_timestamp(col(StageChange.at))
    ).order_by(col(StageChange.at), col(StageChange.id))
    # Core rows: the ORM's result handling would cost more than reading a large firm's moves.
    rows = session.connection().execute(query).all()
    # A filtered view converts only its accounts' moves (a large firm has tens of thousands, and
    # reading the timestamp is most of their cost).
    return [
        StageChangeFacts(a, _STAGES[to], utc_time(at))
        for a, to, at in rows
        if accounts is None or a in accounts
    ]
