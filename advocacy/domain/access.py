"""Who may see and change what, beyond the per-endpoint role policy."""

from __future__ import annotations

from collections.abc import Collection

from advocacy.domain.identity import Role


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
    return role in {Role.ADMIN, Role.ACCOUNT_MANAGER}


def may_reassign_owner(role: Role, user_id: int, *, owner_id: int | None) -> bool:
    """Handing an account to someone else is for admins and the current owner, not the team."""
    return role is Role.ADMIN or (role is Role.ACCOUNT_MANAGER and user_id == owner_id)
