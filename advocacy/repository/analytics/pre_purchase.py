"""Pre-purchase queries: each account's first touch and which prospects came by referral."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, func, select

from advocacy.models import Referral, Touchpoint


def first_touches(session: Session) -> dict[int, date]:
    """The day of each account's first touchpoint (accounts without one are absent)."""
    query = select(Touchpoint.account_id, func.min(Touchpoint.occurred_at)).group_by(
        col(Touchpoint.account_id)
    )
    return {account_id: first.date() for account_id, first in session.exec(query) if first}


def referred_account_ids(session: Session) -> frozenset[int]:
    """Prospect accounts a referral brought in."""
    query = (
        select(Referral.prospect_account_id)
        .where(col(Referral.prospect_account_id).is_not(None))
        .distinct()
    )
    return frozenset(account_id for account_id in session.exec(query) if account_id is not None)
