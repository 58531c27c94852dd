"""Account ownership and team: hand an account over, and say who else works on it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from advocacy.domain.access import may_join_team, may_reassign_owner
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.models import Account, AccountTeamMember, AccountUpdate, User
from advocacy.repository import journey
from advocacy.services.journey.accounts import update_account


def reassign_owner(
    session: Session, account_id: int, owner_id: int | None, *, by: User, now: datetime
) -> Account:
    """Give the account a new owner; only an administrator or the current owner may."""
    return update_account(session, account_id, AccountUpdate(owner_id=owner_id), by=by, now=now)


def _check_may_manage_team(account: Account, by: User) -> None:
    assert by.id is not None
    if not may_reassign_owner(Role(by.role), by.id, owner_id=account.owner_id):
        raise NotAllowed(N_("Only the account's owner or an administrator may change its team."))


def add_team_member(session: Session, account_id: int, user_id: int, *, by: User) -> Account:
    """Let another account manager work on (and edit) the account."""
    account = journey.get_account(session, account_id)
    _check_may_manage_team(account, by)
    member = session.get(User, user_id)
    if member is None or not may_join_team(Role(member.role), active=member.active):
        raise RuleError(N_("Only an active account manager can join an account's team."))
    if user_id == account.owner_id:
        raise RuleError(N_("The owner is already responsible for the account."))
    if user_id not in journey.team_user_ids(session, account_id):
        session.add(AccountTeamMember(account_id=account_id, user_id=user_id))
        session.commit()
    return account


def remove_team_member(session: Session, account_id: int, user_id: int, *, by: User) -> Account:
    """Take someone off the account's team (they keep read access like every account manager)."""
    account = journey.get_account(session, account_id)
    _check_may_manage_team(account, by)
    for row in session.exec(
        select(AccountTeamMember).where(
            AccountTeamMember.account_id == account_id, AccountTeamMember.user_id == user_id
        )
    ):
        session.delete(row)
    session.commit()
    return account
