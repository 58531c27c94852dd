"""Referral rules: the pipeline an introduction goes through, and who may move it.

A referral is a favour a client did us, not a lead bought: there is no reward to compute, only
a pipeline (received, contacted, meeting, then won or lost with a reason) and a thank-you.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.journey import EngagementStatus
from advocacy.domain.text import N_


class ReferralStatus(StrEnum):
    RECEIVED = "received"
    CONTACTED = "contacted"
    MEETING = "meeting"
    WON = "won"
    LOST = "lost"


class IntroPreference(StrEnum):
    """How the referrer would like the introduction to happen."""

    EMAIL = "email"
    CALL = "call"
    MEETING = "meeting"
    REFERRER = "referrer"  # the referrer introduces us themselves


OPEN: Final = frozenset({ReferralStatus.RECEIVED, ReferralStatus.CONTACTED, ReferralStatus.MEETING})

# Engagements that prove an introduction worked: sold, running or delivered. A proposal, a "no
# way" (lost) and a "not now" (deferred) are not wins, so they never count for the referral.
WINNING_ENGAGEMENTS: Final = frozenset(
    {EngagementStatus.WON, EngagementStatus.ACTIVE, EngagementStatus.COMPLETED}
)

# Forward along the pipeline, skipping steps when the prospect moves fast. A lost referral may be
# picked up again (the prospect came back) and a won one is final: the sale is the record.
TRANSITIONS: Final[Mapping[ReferralStatus, frozenset[ReferralStatus]]] = {
    ReferralStatus.RECEIVED: frozenset(
        {ReferralStatus.CONTACTED, ReferralStatus.MEETING, ReferralStatus.WON, ReferralStatus.LOST}
    ),
    ReferralStatus.CONTACTED: frozenset(
        {ReferralStatus.MEETING, ReferralStatus.WON, ReferralStatus.LOST}
    ),
    ReferralStatus.MEETING: frozenset({ReferralStatus.WON, ReferralStatus.LOST}),
    ReferralStatus.LOST: frozenset({ReferralStatus.CONTACTED, ReferralStatus.WON}),
    ReferralStatus.WON: frozenset(),
}

LOST_REASON_MAX = 500


class IllegalReferralMove(RuleError):
    """A status change the pipeline does not allow; the message says why."""


def check_status_change(old: ReferralStatus, new: ReferralStatus, *, lost_reason: str) -> str:
    """Refuse a move the pipeline forbids; return the lost reason to keep (empty unless lost)."""
    if old is new:
        raise IllegalReferralMove(N_("The referral already has this status."))
    if new not in TRANSITIONS[old]:
        if old is ReferralStatus.WON:
            raise IllegalReferralMove(N_("A won referral is final."))
        raise IllegalReferralMove(N_("A referral cannot go back to an earlier step."))
    reason = lost_reason.strip()
    if new is ReferralStatus.LOST:
        if not reason:
            raise IllegalReferralMove(N_("Say why the referral was lost."))
        if len(reason) > LOST_REASON_MAX:
            raise IllegalReferralMove(N_("The reason is too long (500 characters at most)."))
        return reason
    return ""


def status_after_live_engagement(status: ReferralStatus) -> ReferralStatus | None:
    """The status a referral moves to when its prospect's engagement is won or started, if any.

    A lost referral moves too: the prospect signing later proves the introduction worked.
    """
    return None if status is ReferralStatus.WON else ReferralStatus.WON
