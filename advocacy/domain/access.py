"""Who may see and change what: the role groups every page, API route and service names, and the
rules that need more than a role (ownership, team, whose check-in or signal it is).

Values in, verdict out: the edges hold no rule of their own, they ask here.
"""

from __future__ import annotations

from collections.abc import Collection

from advocacy.domain.identity import Role

# Role groups, in a fixed order (the OpenAPI document lists them).
ADMINS: tuple[Role, ...] = (Role.ADMIN,)
# Those who work on client accounts: own them, check in, log, refer, import, get the digest.
ACCOUNT_WORKERS: tuple[Role, ...] = (Role.ADMIN, Role.ACCOUNT_MANAGER)
# Those who publish what clients said: approve testimonials, build collections, run the wall.
MARKETERS: tuple[Role, ...] = (Role.ADMIN, Role.MARKETING)
STAFF: tuple[Role, ...] = (Role.ADMIN, Role.ACCOUNT_MANAGER, Role.MARKETING)


def may_own_accounts(role: Role) -> bool:
    """Accounts, referrals and check-ins belong to account managers and administrators."""
    return role in ACCOUNT_WORKERS


def is_administrator(role: Role) -> bool:
    """Administrators: every account, every user, the firm's settings."""
    return role in ADMINS


def owns_what_they_create(role: Role) -> bool:
    """An account manager's new accounts (typed or imported) are theirs, or they could not edit
    them later; an administrator's wait for an owner."""
    return role is Role.ACCOUNT_MANAGER


def is_on_team_report(role: Role) -> bool:
    """The team's check-in discipline lists every account manager, even one with nothing due."""
    return role is Role.ACCOUNT_MANAGER


def may_join_team(role: Role, *, active: bool) -> bool:
    """Only an active account manager joins an account's team (administrators edit every account
    already; marketing works on no account)."""
    return active and role is Role.ACCOUNT_MANAGER


def may_edit_account(
    role: Role, user_id: int, *, owner_id: int | None, team_user_ids: Collection[int]
) -> bool:
    """Admins edit every account; account managers the ones they own or are on the team of."""
    if role is Role.ADMIN:
        return True
    if role is Role.ACCOUNT_MANAGER:
        return user_id == owner_id or user_id in team_user_ids
    return False


def sees_private_details(role: Role) -> bool:
    """Marketing sees no private notes and no contact details beyond what its library needs."""
    return role in ACCOUNT_WORKERS


def may_reassign_owner(role: Role, user_id: int, *, owner_id: int | None) -> bool:
    """Handing an account to someone else is for admins and the current owner, not the team."""
    return role is Role.ADMIN or (role is Role.ACCOUNT_MANAGER and user_id == owner_id)


def reads_every_check_in(role: Role) -> bool:
    """Administrators read everyone's check-ins through the API; account managers their own."""
    return role is Role.ADMIN


def may_read_check_in(role: Role, user_id: int, *, owner_id: int | None) -> bool:
    """A check-in is read by its owner or an administrator (anyone else is told it does not
    exist)."""
    return reads_every_check_in(role) or (role in ACCOUNT_WORKERS and user_id == owner_id)


def may_resolve_signal(role: Role, user_id: int, *, owner_id: int | None) -> bool:
    """A signal is marked done by the person it was raised for, or an administrator."""
    return role is Role.ADMIN or user_id == owner_id


def may_work_on_referral(role: Role, user_id: int, *, owner_id: int | None) -> bool:
    """Admins work on every referral; account managers on theirs and on those nobody owns yet."""
    if role is Role.ADMIN:
        return True
    return role is Role.ACCOUNT_MANAGER and owner_id in {None, user_id}


def may_manage_content(role: Role) -> bool:
    """The content library is marketing's (and administrators'); account managers read it."""
    return role in MARKETERS


def may_manage_campaigns(role: Role) -> bool:
    """Nurture campaigns and their segments are marketing's (and administrators')."""
    return role in MARKETERS


def sees_every_campaign(role: Role) -> bool:
    """Marketing and administrators see every campaign; account managers those touching their
    accounts."""
    return role in MARKETERS


def may_remove_from_campaign(
    role: Role, user_id: int, *, owner_id: int | None, team_user_ids: Collection[int]
) -> bool:
    """Marketing and administrators take anyone out of a campaign; an account manager the
    contacts of the accounts they own or are on the team of."""
    if role in MARKETERS:
        return True
    return role is Role.ACCOUNT_MANAGER and (user_id == owner_id or user_id in team_user_ids)


# Those who read the firm's analytics. Account workers read every question (they run the
# client relationships the figures are about); marketing reads the questions marked for it
# (the clients' voice and advocacy its library and campaigns feed on), not pipeline or
# discipline figures about colleagues.
ANALYSTS: tuple[Role, ...] = STAFF


def may_read_analytics(role: Role) -> bool:
    """The analytics dashboard is open to all staff; each question says who reads it."""
    return role in ANALYSTS


def may_read_question(role: Role, *, for_marketing: bool) -> bool:
    """Account workers read every question; marketing only the ones marked for it."""
    return role in ACCOUNT_WORKERS or (for_marketing and role is Role.MARKETING)
