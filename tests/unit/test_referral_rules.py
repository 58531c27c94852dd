"""Referral pipeline rules: forward moves, a reason when lost, a won referral is final, a won
engagement wins the referral, and who may work on it."""

from __future__ import annotations

import pytest

from advocacy.domain.access import may_work_on_referral
from advocacy.domain.identity import Role
from advocacy.domain.referrals import (
    IllegalReferralMove,
    ReferralStatus,
    check_status_change,
    status_after_live_engagement,
)

R = ReferralStatus

ALLOWED_MOVES = [
    pytest.param(R.RECEIVED, R.CONTACTED, id="received-contacted"),
    pytest.param(R.RECEIVED, R.MEETING, id="received-meeting-skips-a-step"),
    pytest.param(R.RECEIVED, R.WON, id="received-won"),
    pytest.param(R.CONTACTED, R.MEETING, id="contacted-meeting"),
    pytest.param(R.CONTACTED, R.WON, id="contacted-won"),
    pytest.param(R.MEETING, R.WON, id="meeting-won"),
    pytest.param(R.LOST, R.CONTACTED, id="lost-picked-up-again"),
    pytest.param(R.LOST, R.WON, id="lost-then-signed"),
]


@pytest.mark.parametrize(("old", "new"), ALLOWED_MOVES)
def test_the_pipeline_allows_forward_moves(old: ReferralStatus, new: ReferralStatus) -> None:
    assert check_status_change(old, new, lost_reason="ignored") == ""


REFUSED_MOVES = [
    pytest.param(R.CONTACTED, R.RECEIVED, "earlier step", id="contacted-back-to-received"),
    pytest.param(R.MEETING, R.CONTACTED, "earlier step", id="meeting-back-to-contacted"),
    pytest.param(R.WON, R.LOST, "final", id="won-to-lost"),
    pytest.param(R.WON, R.CONTACTED, "final", id="won-to-contacted"),
    pytest.param(R.MEETING, R.MEETING, "already", id="same-status"),
]


@pytest.mark.parametrize(("old", "new", "why"), REFUSED_MOVES)
def test_the_pipeline_refuses_backward_moves_and_moves_from_won(
    old: ReferralStatus, new: ReferralStatus, why: str
) -> None:
    with pytest.raises(IllegalReferralMove, match=why):
        check_status_change(old, new, lost_reason="")


@pytest.mark.parametrize("old", [R.RECEIVED, R.CONTACTED, R.MEETING])
def test_a_lost_referral_needs_a_reason_and_keeps_it_trimmed(old: ReferralStatus) -> None:
    with pytest.raises(IllegalReferralMove, match="Say why"):
        check_status_change(old, R.LOST, lost_reason="   ")
    assert check_status_change(old, R.LOST, lost_reason="  chose a rival  ") == "chose a rival"


def test_a_lost_reason_longer_than_the_column_is_refused() -> None:
    with pytest.raises(IllegalReferralMove, match="too long"):
        check_status_change(R.RECEIVED, R.LOST, lost_reason="x" * 501)


@pytest.mark.parametrize(
    ("status", "after"),
    [(R.RECEIVED, R.WON), (R.CONTACTED, R.WON), (R.MEETING, R.WON), (R.LOST, R.WON), (R.WON, None)],
)
def test_a_live_engagement_of_the_prospect_wins_the_referral(
    status: ReferralStatus, after: ReferralStatus | None
) -> None:
    assert status_after_live_engagement(status) is after


@pytest.mark.parametrize(
    ("role", "user_id", "owner_id", "allowed"),
    [
        (Role.ADMIN, 1, 2, True),
        (Role.ACCOUNT_MANAGER, 1, 1, True),
        (Role.ACCOUNT_MANAGER, 1, None, True),
        (Role.ACCOUNT_MANAGER, 1, 2, False),
        (Role.MARKETING, 1, 1, False),
    ],
)
def test_owners_and_admins_work_on_a_referral(
    role: Role, user_id: int, owner_id: int | None, allowed: bool
) -> None:
    assert may_work_on_referral(role, user_id, owner_id=owner_id) is allowed
