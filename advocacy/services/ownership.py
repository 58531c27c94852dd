"""Account ownership: hand an account to another account manager."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.models import Account, AccountUpdate, User
from advocacy.services.journey import update_account


def reassign_owner(
    session: Session, account_id: int, owner_id: int | None, *, by: User, now: datetime
) -> Account:
    """Give the account a new owner; only an administrator or the current owner may."""
    return update_account(session, account_id, AccountUpdate(owner_id=owner_id), by=by, now=now)
