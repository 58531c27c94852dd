"""Who may see and change what, as plain values: one table per rule of advocacy.domain.access."""

from __future__ import annotations

import pytest

from advocacy.domain import access
from advocacy.domain.errors import Conflict, NotAllowed, NotFound, RuleError
from advocacy.domain.identity import Role

ADMIN, AM, MARKETING = Role.ADMIN, Role.ACCOUNT_MANAGER, Role.MARKETING
ME, OTHER = 7, 8


def test_the_role_groups_name_every_role_once_in_a_fixed_order() -> None:
    assert access.ADMINS == (ADMIN,)
    assert access.ACCOUNT_WORKERS == (ADMIN, AM)
    assert access.MARKETERS == (ADMIN, MARKETING)
    assert access.STAFF == (ADMIN, AM, MARKETING)


@pytest.mark.parametrize(("role", "expected"), [(ADMIN, True), (AM, True), (MARKETING, False)])
def test_accounts_referrals_and_check_ins_belong_to_account_managers_and_admins(
    role: Role, expected: bool
) -> None:
    assert access.may_own_accounts(role) is expected
    assert access.sees_private_details(role) is expected


@pytest.mark.parametrize(
    ("role", "administrator", "owns_new", "on_team_report"),
    [(ADMIN, True, False, False), (AM, False, True, True), (MARKETING, False, False, False)],
)
def test_administrators_and_what_an_account_manager_creates_or_is_counted_for(
    role: Role, administrator: bool, owns_new: bool, on_team_report: bool
) -> None:
    assert access.is_administrator(role) is administrator
    assert access.owns_what_they_create(role) is owns_new
    assert access.is_on_team_report(role) is on_team_report


@pytest.mark.parametrize(
    ("role", "active", "expected"),
    [
        (AM, True, True),
        (AM, False, False),
        (ADMIN, True, False),  # edits every account already
        (MARKETING, True, False),
    ],
)
def test_only_an_active_account_manager_joins_a_team(
    role: Role, active: bool, expected: bool
) -> None:
    assert access.may_join_team(role, active=active) is expected


@pytest.mark.parametrize(
    ("role", "owner_id", "team", "expected"),
    [
        (ADMIN, OTHER, set(), True),
        (ADMIN, None, set(), True),
        (AM, ME, set(), True),
        (AM, OTHER, {ME}, True),
        (AM, OTHER, set(), False),
        (AM, None, set(), False),
        (MARKETING, ME, {ME}, False),
    ],
)
def test_an_account_is_edited_by_admins_its_owner_and_its_team(
    role: Role, owner_id: int | None, team: set[int], expected: bool
) -> None:
    assert access.may_edit_account(role, ME, owner_id=owner_id, team_user_ids=team) is expected


@pytest.mark.parametrize(
    ("role", "owner_id", "expected"),
    [
        (ADMIN, OTHER, True),
        (AM, ME, True),
        (AM, OTHER, False),  # not even from its team
        (MARKETING, ME, False),
    ],
)
def test_an_account_is_handed_over_by_an_admin_or_its_owner(
    role: Role, owner_id: int, expected: bool
) -> None:
    assert access.may_reassign_owner(role, ME, owner_id=owner_id) is expected


@pytest.mark.parametrize(
    ("role", "owner_id", "everyone", "expected"),
    [
        (ADMIN, OTHER, True, True),
        (ADMIN, None, True, True),
        (AM, ME, False, True),
        (AM, OTHER, False, False),
        (AM, None, False, False),
        (MARKETING, ME, False, False),
    ],
)
def test_a_check_in_is_read_by_its_owner_or_an_admin(
    role: Role, owner_id: int | None, everyone: bool, expected: bool
) -> None:
    assert access.reads_every_check_in(role) is everyone
    assert access.may_read_check_in(role, ME, owner_id=owner_id) is expected


@pytest.mark.parametrize(
    ("role", "owner_id", "expected"),
    [(ADMIN, OTHER, True), (AM, ME, True), (AM, OTHER, False), (AM, None, False)],
)
def test_a_signal_is_marked_done_by_whom_it_was_raised_for_or_an_admin(
    role: Role, owner_id: int | None, expected: bool
) -> None:
    assert access.may_resolve_signal(role, ME, owner_id=owner_id) is expected


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (NotAllowed("Only the owner."), RuleError),
        (Conflict("Another account already has this external id."), RuleError),
        (RuleError("Use %(n)d characters.", n=3), ValueError),
        (NotFound("account 3 not found"), LookupError),
    ],
)
def test_each_refusal_is_known_by_its_type_not_its_text(error: Exception, kind: type) -> None:
    assert isinstance(error, kind)
    if isinstance(error, RuleError):
        assert str(error) == error.message % error.params if error.params else error.message
