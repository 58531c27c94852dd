"""Account ownership: hand an account to another account manager."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy import repository_journey as repo
from advocacy.domain.access import may_reassign_owner
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.models import Account, AccountUpdate, User
from advocacy.services.journey import NotAllowed, update_account


def reassign_owner(
    session: Session, account_id: int, owner_id: int | None, *, by: User, now: datetime
) -> Account:
    """Give the account a new owner; only an administrator or the current owner may."""
    account = repo.get_account(session, account_id)
    assert by.id is not None
    if not may_reassign_owner(Role(by.role), by.id, owner_id=account.owner_id):
        raise NotAllowed(N_("Only the account's owner or an administrator may hand it over."))
    return update_account(session, account_id, AccountUpdate(owner_id=owner_id), by=by, now=now)
