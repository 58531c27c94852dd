"""Former-client queries: who left and why, the referrals they gave, what they told us."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from advocacy.domain.analytics.former_clients import FormerFacts
from advocacy.domain.journey import Camp, Stage
from advocacy.models import Account, Referral, StageChange, Survey


def former_facts(session: Session) -> list[FormerFacts]:
    """Accounts at the former stage, with the moment and the reason of their last move there."""
    last_move = (
        select(col(StageChange.account_id), func.max(col(StageChange.id)).label("change_id"))
        .where(col(StageChange.to_stage) == Stage.FORMER.value)
        .group_by(col(StageChange.account_id))
        .subquery()
    )
    query = (
        select(
            col(Account.id),
            col(Account.camp),
            col(StageChange.at),
            col(StageChange.reason),
        )
        .join(last_move, last_move.c.account_id == col(Account.id))
        .join(StageChange, col(StageChange.id) == last_move.c.change_id)
        .where(col(Account.stage) == Stage.FORMER.value)
        .order_by(col(Account.id))
    )
    return [
        FormerFacts(account_id or 0, Camp(camp), at, reason)
        for account_id, camp, at, reason in session.execute(query)
    ]


def referral_times(session: Session) -> dict[int, list[datetime]]:
    """When each referrer account's contacts gave a referral."""
    times: dict[int, list[datetime]] = {}
    query = select(col(Referral.referrer_account_id), col(Referral.created_at))
    for account_id, at in session.execute(query):
        times.setdefault(account_id, []).append(at)
    return times


def former_survey_comments(session: Session) -> list[tuple[int, str]]:
    """(account id, comment) of every commented survey answer of an account now former."""
    query = (
        select(col(Survey.account_id), col(Survey.comment))
        .join(Account, col(Account.id) == col(Survey.account_id))
        .where(col(Account.stage) == Stage.FORMER.value, col(Survey.comment) != "")
        .order_by(col(Survey.id))
    )
    return [(account_id, comment) for account_id, comment in session.execute(query)]
