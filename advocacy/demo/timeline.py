"""One demo account's history: its engagements in time, and the stage moves they imply.

The history is laid out as consecutive slots, one engagement each, between the day the account
was created and today (less the silence a between or former client has kept since its last
work). Stage moves are then read off the engagements with the journey's own rules: won work makes
the account active, the end of the last live engagement puts it between engagements, 24 months of
silence makes it former, and a former client who signs again is active again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from advocacy.demo import vocabulary
from advocacy.domain.journey import Camp, EngagementStatus, Stage

SILENCE_DAYS: Final = 730  # between engagements this long, the journey rule proposes former
LIVE_REASON: Final = "an engagement was won or started"
ENDED_REASON: Final = "the last engagement ended"
SILENCE_REASON: Final = "no engagement for a long time"
FORMER_REASONS: Final = (
    "Acquired by a group that uses its own advisers.",
    "Our sponsor retired; no budget for outside help since.",
    "Moved the work in-house after our programme.",
)
# The shortest slot each kind of engagement needs, in days.
_WON_DAYS, _PRESALE_DAYS, _LIVE_DAYS = 150.0, 30.0, 90.0
_OLDEST: Final = {
    Stage.PROSPECT: 20.0,
    Stage.ACTIVE: 400.0,
    Stage.BETWEEN: 500.0,
    Stage.FORMER: 900.0,
}


@dataclass(frozen=True)
class PlannedEngagement:
    """Days on the firm's timeline (0 = the horizon's start, `horizon` = today)."""

    status: EngagementStatus
    proposed: float
    decided: float  # the day of its last status change
    start: float | None = None
    end: float | None = None
    revisit: float | None = None
    won: float | None = None  # the day it was won, for work that was sold


@dataclass(frozen=True)
class PlannedMove:
    day: float
    old: Stage | None
    new: Stage
    reason: str
    rule: str | None  # None: the account's owner moved it by hand


@dataclass(frozen=True)
class AccountTimeline:
    start: float
    engagements: tuple[PlannedEngagement, ...]
    moves: tuple[PlannedMove, ...]
    camp_reason: str


def plan_timeline(
    rng: random.Random, stage: Stage, camp: Camp, count: int, *, horizon: float
) -> AccountTimeline:
    """A history of about `count` engagements that leaves the account at `stage` today."""
    u = rng.uniform
    tail = 0.0
    if stage is Stage.BETWEEN:
        tail = u(14, 700)
    elif stage is Stage.FORMER:
        tail = u(30 if camp is Camp.BAD else 60, 1400)
    if stage is Stage.PROSPECT:
        slots = ["presale"] * max(1, count)
    else:
        won = max(1, round(count * 0.7))
        slots = ["won"] * (won - 1) + ["presale"] * max(0, count - won)
        rng.shuffle(slots)
        slots.append("last")
    cross_sell = stage is Stage.BETWEEN and "presale" in slots and tail > 30 and rng.random() < 0.3
    if cross_sell:
        slots.remove("presale")
    needs = {"won": _WON_DAYS, "presale": _PRESALE_DAYS}
    needs["last"] = _LIVE_DAYS if stage is Stage.ACTIVE else _WON_DAYS
    available = horizon - 30 - tail
    while sum(needs[s] for s in slots) > available and len(slots) > 1:
        slots.remove("presale" if "presale" in slots else "won")
    least = sum(needs[s] for s in slots)
    span = u(min(available, max(least, _OLDEST[stage] - tail)), available)
    start = horizon - tail - span
    weights = [rng.random() for _ in slots]
    extra = (span - least) / sum(weights)
    engagements: list[PlannedEngagement] = []
    a = start
    for kind, weight in zip(slots, weights, strict=True):
        b = a + needs[kind] + extra * weight
        if kind == "presale":
            engagements.append(
                _presale(rng, a, b, horizon, open_=stage is Stage.PROSPECT and b >= horizon - 1)
            )
        elif kind == "won" or stage is not Stage.ACTIVE:
            engagements.append(_delivered(rng, a, b, last=kind == "last", bad=camp is Camp.BAD))
        else:
            engagements.append(_live(rng, a, horizon))
        a = b
    if cross_sell:
        day = horizon - u(1, min(60, tail - 1))
        engagements.append(PlannedEngagement(EngagementStatus.PROPOSED, day, day))
    moves, camp_reason = _moves(rng, stage, camp, start, engagements, horizon=horizon)
    return AccountTimeline(start, tuple(engagements), tuple(moves), camp_reason)


def _presale(
    rng: random.Random, a: float, b: float, horizon: float, *, open_: bool
) -> PlannedEngagement:
    if open_ and rng.random() < 0.45:  # a proposal still waiting for an answer
        day = max(a, horizon - rng.uniform(1, 60))
        return PlannedEngagement(EngagementStatus.PROPOSED, day, day)
    proposed = a + rng.uniform(0, max(0.0, b - a - 20))
    decided = min(horizon, proposed + rng.uniform(14, 45))
    if rng.random() < 0.55:
        return PlannedEngagement(EngagementStatus.LOST, proposed, decided)
    revisit = proposed + rng.uniform(120, 540)
    return PlannedEngagement(EngagementStatus.DEFERRED, proposed, decided, revisit=revisit)


def _delivered(
    rng: random.Random, a: float, b: float, *, last: bool, bad: bool
) -> PlannedEngagement:
    proposed = a + rng.uniform(0, 10)
    won = proposed + rng.uniform(10, 30)
    start = won + rng.uniform(5, 25)
    end = b if last else min(start + rng.uniform(60, 540), b - 1)
    cancelled = rng.random() < (0.5 if bad and last else 0.08)
    status = EngagementStatus.CANCELLED if cancelled else EngagementStatus.COMPLETED
    return PlannedEngagement(status, proposed, end, start=start, end=end, won=won)


def _live(rng: random.Random, a: float, horizon: float) -> PlannedEngagement:
    if rng.random() < 0.2:  # sold, starting soon
        won = horizon - rng.uniform(1, 20)
        proposed = max(a, won - rng.uniform(15, 40))
        start = horizon + rng.uniform(7, 45)
        end = start + rng.uniform(90, 365)
        return PlannedEngagement(EngagementStatus.WON, proposed, won, start=start, end=end, won=won)
    proposed = a + rng.uniform(0, 10)
    won = proposed + rng.uniform(10, 30)
    start = won + rng.uniform(5, 25)
    end = horizon + rng.uniform(30, 400)
    return PlannedEngagement(
        EngagementStatus.ACTIVE, proposed, start, start=start, end=end, won=won
    )


def _moves(
    rng: random.Random,
    stage: Stage,
    camp: Camp,
    start: float,
    engagements: list[PlannedEngagement],
    *,
    horizon: float,
) -> tuple[list[PlannedMove], str]:
    moves = [PlannedMove(start, None, Stage.PROSPECT, "account created", None)]
    current, last_end = Stage.PROSPECT, 0.0

    def move(day: float, new: Stage, reason: str, rule: str | None) -> None:
        nonlocal current
        moves.append(PlannedMove(day, current, new, reason, rule))
        current = new

    for engagement in engagements:
        if engagement.won is None:
            continue  # proposals lost, deferred or open leave the stage alone
        if current is Stage.BETWEEN and engagement.won - last_end > SILENCE_DAYS:
            move(last_end + SILENCE_DAYS, Stage.FORMER, SILENCE_REASON, "journey.silence")
        move(engagement.won, Stage.ACTIVE, LIVE_REASON, "engagement.live")
        if engagement.end is not None and engagement.status in {
            EngagementStatus.COMPLETED,
            EngagementStatus.CANCELLED,
        }:
            move(engagement.end, Stage.BETWEEN, ENDED_REASON, "engagement.last_completed")
            last_end = engagement.end
    camp_reason = ""
    if stage is Stage.FORMER:
        tail = horizon - last_end
        if camp is Camp.BAD:
            camp_reason = rng.choice(vocabulary.BAD_CAMP_REASONS)
            move(
                last_end + rng.uniform(min(5, tail / 2), min(60, tail - 1)),
                Stage.FORMER,
                camp_reason,
                None,
            )
        elif tail > SILENCE_DAYS + 5:
            move(last_end + SILENCE_DAYS, Stage.FORMER, SILENCE_REASON, "journey.silence")
        else:
            day = last_end + rng.uniform(min(30, tail / 2), tail - 1)
            move(day, Stage.FORMER, rng.choice(FORMER_REASONS), None)
        if camp is Camp.GOOD:
            camp_reason = rng.choice(vocabulary.GOOD_CAMP_REASONS)
    assert current is stage, (current, stage)
    return moves, camp_reason
