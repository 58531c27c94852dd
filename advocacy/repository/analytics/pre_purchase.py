"""Pre-purchase queries: each account's first touch and which prospects came by referral."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, func, select

from advocacy.models import Account, Referral, Touchpoint


def first_touches(session: Session) -> dict[int, date]:
    """The day of each account's first touchpoint (accounts without one are absent)."""
    # One index seek per account (touchpoints by account and time) rather than a grouped scan
    # of every touchpoint: a large firm has millions of touchpoints for thousands of accounts.
    first = (
        select(func.min(Touchpoint.occurred_at))
        .where(col(Touchpoint.account_id) == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )
    query = select(Account.id, first)
    return {account_id: at.date() for account_id, at in session.exec(query) if at and account_id}


def referred_account_ids(session: Session) -> frozenset[int]:
    """Prospect accounts a referral brought in."""
    query = (
        select(Referral.prospect_account_id)
        .where(col(Referral.prospect_account_id).is_not(None))
        .distinct()
    )
    return frozenset(account_id for account_id in session.exec(query) if account_id is not None)
