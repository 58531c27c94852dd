"""The partner journey: four stages, the moves between them, and what engagement events imply.

Stages are not a funnel that ends at the sale (docs/domain.md): a former client may sign again,
a "not now" prospect stays a prospect with a revisit date, and the silence between engagements is
itself a signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_


class Stage(StrEnum):
    PROSPECT = "prospect"  # pre-purchase
    ACTIVE = "active"  # an engagement is running
    BETWEEN = "between"  # the last engagement is over; the next need may be years away
    FORMER = "former"  # the relationship has ended


class Camp(StrEnum):
    """How a former client remembers us: only the good camp is ever asked for advocacy."""

    GOOD = "good"
    BAD = "bad"
    UNKNOWN = "unknown"


class EngagementStatus(StrEnum):
    PROPOSED = "proposed"
    WON = "won"
    LOST = "lost"  # "no way": we did not make the cut
    DEFERRED = "deferred"  # "not now": they liked us, the timing was wrong
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# Engagements that mean work is sold or under way.
LIVE_STATUSES: Final = frozenset({EngagementStatus.WON, EngagementStatus.ACTIVE})

# Moves a person may make by hand (with a reason). Engagement events use the same table.
ALLOWED: Final[Mapping[Stage, frozenset[Stage]]] = {
    Stage.PROSPECT: frozenset({Stage.ACTIVE}),
    Stage.ACTIVE: frozenset({Stage.BETWEEN, Stage.FORMER}),
    Stage.BETWEEN: frozenset({Stage.ACTIVE, Stage.FORMER}),
    Stage.FORMER: frozenset({Stage.ACTIVE, Stage.PROSPECT}),
}

_WHY_NOT: Final[Mapping[tuple[Stage, Stage], str]] = {
    (Stage.PROSPECT, Stage.BETWEEN): N_(
        "A prospect has had no engagement yet, so it cannot be between engagements."
    ),
    (Stage.PROSPECT, Stage.FORMER): N_(
        "A prospect was never a client, so it cannot become a former client."
    ),
    (Stage.ACTIVE, Stage.PROSPECT): N_(
        "An active client is past the prospect stage; move it between engagements or to former."
    ),
    (Stage.BETWEEN, Stage.PROSPECT): N_(
        "A client between engagements stays a client; move it to former first."
    ),
    (Stage.FORMER, Stage.BETWEEN): N_(
        "A former client comes back through a new engagement (active), not between engagements."
    ),
}


class IllegalMove(RuleError):
    """A stage move the journey does not allow; the message says why."""

    def __init__(self, old: Stage, new: Stage, why: str | None = None) -> None:
        self.old, self.new = old, new
        if why is None:
            why = _WHY_NOT.get((old, new)) or (
                N_("The account is already at this stage.")
                if old == new
                else N_("This move is not allowed.")
            )
        super().__init__(why)


@dataclass(frozen=True)
class StageMove:
    account_id: int
    old: Stage
    new: Stage
    at: datetime
    reason: str
    rule: str | None = None  # set when a rule (not a person) made the move


def move_stage(
    account_id: int, old: Stage, new: Stage, *, at: datetime, reason: str, rule: str | None = None
) -> StageMove:
    """Return the move to record, or raise IllegalMove saying why it is not allowed."""
    if new not in ALLOWED[old]:
        raise IllegalMove(old, new)
    if not reason.strip():
        raise IllegalMove(old, new, N_("A move needs a reason."))
    return StageMove(account_id, old, new, at, reason.strip()[:500], rule)


@dataclass(frozen=True)
class EngagementFacts:
    """What the journey needs to know about one engagement of an account."""

    id: int
    status: EngagementStatus
    end_date: date | None = None


def stage_implied_by_engagements(
    current: Stage, engagements: Iterable[EngagementFacts]
) -> tuple[Stage, str] | None:
    """The stage the account's engagements call for, with the rule's name; None when it stays.

    Work sold or running makes an account active; when nothing is live any more and at least one
    engagement was delivered or stopped, an active account is between engagements. Lost and
    deferred proposals never move a prospect: they are outcomes of the pre-purchase stage.
    """
    engagements = list(engagements)
    if any(e.status in LIVE_STATUSES for e in engagements):
        return (Stage.ACTIVE, "engagement.live") if current != Stage.ACTIVE else None
    delivered = any(
        e.status in {EngagementStatus.COMPLETED, EngagementStatus.CANCELLED} for e in engagements
    )
    if current == Stage.ACTIVE and delivered:
        return Stage.BETWEEN, "engagement.last_completed"
    return None


def proposes_former(
    stage: Stage,
    *,
    last_engagement_end: date | None,
    stage_since: datetime,
    now: datetime,
    silence: timedelta,
) -> bool:
    """True when an account has sat between engagements, without work, for longer than `silence`."""
    if stage != Stage.BETWEEN:
        return False
    quiet_since = stage_since.date()
    if last_engagement_end is not None and last_engagement_end > quiet_since:
        quiet_since = last_engagement_end
    return now.date() - quiet_since >= silence


# NPS-style scores: 9-10 promoters, 0-6 detractors (the usual convention).
PROMOTER_MIN: Final = 9
DETRACTOR_MAX: Final = 6


def camp_from_evidence(scores: Iterable[int]) -> Camp:
    """The former-client camp that satisfaction scores (0-10, newest last) point to.

    The newest score weighs most: a client who was unhappy early and delighted at the end
    remembers the end. With no score, the camp stays unknown until someone decides.
    """
    values = [score for score in scores if 0 <= score <= 10]
    if not values:
        return Camp.UNKNOWN
    latest = values[-1]
    if latest <= DETRACTOR_MAX:
        return Camp.BAD
    if latest >= PROMOTER_MIN:
        return Camp.GOOD
    average = sum(values) / len(values)
    return Camp.GOOD if average >= PROMOTER_MIN - 1 else Camp.UNKNOWN


def may_ask_for_advocacy(camp: Camp, *, do_not_ask: bool) -> bool:
    """Whether any later feature may ask this account for a testimonial, referral or reference."""
    return camp != Camp.BAD and not do_not_ask
