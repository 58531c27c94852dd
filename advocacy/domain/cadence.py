"""Check-in cadences: how often an account manager should talk to each account, and with whom.

The rhythm follows the journey (docs/domain.md): often during an engagement, steadily between
engagements (the stage most firms forget), around the revisit date of a "not now" prospect, twice
a year with good former clients, and never routinely with the bad camp, who get one proposal of a
repair conversation instead. A human conversation of any kind resets the clock: the point is to
stay in touch, not to tick boxes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.people import BuyingRole, ContactStatus, Seniority
from advocacy.domain.talking_points import NextLinePoint
from advocacy.domain.text import N_


class CheckInKind(StrEnum):
    ROUTINE = "routine"  # the stage's rhythm
    REVISIT = "revisit"  # a "not now" prospect's revisit date comes up
    REPAIR = "repair"  # a former client who had a bad experience: one offer to talk, no routine


class CheckInStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"


class CheckInOutcome(StrEnum):
    SPOKE = "spoke"  # a real conversation took place
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    NEW_NEED = "new_need"  # the conversation surfaced work: the best outcome of all


@dataclass(frozen=True)
class CadenceRules:
    """Days between check-ins per journey situation (settings give the values)."""

    active_days: int = 14
    between_days: int = 60
    not_now_days: int = 90
    former_good_days: int = 182
    # How long before a "not now" revisit date the check-in is due, so the call is prepared.
    revisit_lead_days: int = 7
    # Check-ins are created this many days before they are due, so "upcoming" is not empty.
    horizon_days: int = 7
    # A repair conversation is due this many days after the bad experience came to light.
    repair_within_days: int = 3


@dataclass(frozen=True)
class AccountCadenceFacts:
    """What the cadence needs to know about one account."""

    account_id: int
    stage: Stage
    camp: Camp
    stage_since: datetime
    # The latest human conversation (meeting, call, event, e-mail a person wrote), if any.
    last_conversation_at: datetime | None = None
    # When the last check-in was completed or skipped (a skip restarts the clock too).
    last_check_in_closed_at: datetime | None = None
    # The next revisit date of a "not now" proposal (deferred engagement), if any.
    revisit_on: date | None = None
    every_days: int | None = None  # the account's own rhythm, overriding the stage's
    paused_until: date | None = None
    next_on: date | None = None  # a date chosen when the last check-in was completed
    repair_proposed: bool = False  # a repair check-in exists already (bad camp)
    has_open_check_in: bool = False


@dataclass(frozen=True)
class DueCheckIn:
    account_id: int
    kind: CheckInKind
    due_on: date
    rule: str  # which rule made it (for the check-in's "why" and the tests)


def interval_for(facts: AccountCadenceFacts, rules: CadenceRules) -> int | None:
    """Days between routine check-ins for this account, or None when it gets none."""
    if facts.every_days is not None:
        return facts.every_days
    if facts.stage is Stage.ACTIVE:
        return rules.active_days
    if facts.stage is Stage.BETWEEN:
        return rules.between_days
    if facts.stage is Stage.FORMER:
        return None if facts.camp is Camp.BAD else rules.former_good_days
    # A prospect gets check-ins only after a "not now": the others are in the sales process.
    return rules.not_now_days if facts.revisit_on is not None else None


def _latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def next_check_in(
    facts: AccountCadenceFacts, rules: CadenceRules, *, today: date
) -> DueCheckIn | None:
    """The check-in to create now for this account, or None (not due yet, or none at all).

    One open check-in per account at a time: while one is open nothing new is proposed.
    """
    if facts.has_open_check_in:
        return None
    due = _due(facts, rules)
    if due is None:
        return None
    kind, due_on, rule = due
    if kind is CheckInKind.REPAIR:
        # Found late (an old bad camp, a first run): due now, never born overdue; and a pause
        # does not delay an apology.
        return DueCheckIn(
            facts.account_id,
            kind,
            repair_due_on(due_on, today=today, within_days=rules.repair_within_days),
            rule,
        )
    if facts.paused_until is not None and due_on < facts.paused_until:
        due_on, rule = facts.paused_until, "paused"
    if due_on > today + timedelta(days=rules.horizon_days):
        return None
    return DueCheckIn(facts.account_id, kind, due_on, rule)


def _due(facts: AccountCadenceFacts, rules: CadenceRules) -> tuple[CheckInKind, date, str] | None:
    if facts.stage is Stage.FORMER and facts.camp is Camp.BAD and facts.every_days is None:
        if facts.repair_proposed:
            return None
        event = facts.stage_since.date() + timedelta(days=rules.repair_within_days)
        return CheckInKind.REPAIR, event, "former.bad_camp"
    last = _latest(facts.last_conversation_at, facts.last_check_in_closed_at)
    if facts.next_on is not None:
        return CheckInKind.ROUTINE, facts.next_on, "chosen"
    if facts.stage is Stage.PROSPECT and facts.revisit_on is not None and facts.every_days is None:
        revisit = facts.revisit_on - timedelta(days=rules.revisit_lead_days)
        # Around the revisit date first; once they have been revisited, every `not_now_days`.
        if last is None or last.date() < revisit:
            return CheckInKind.REVISIT, revisit, "prospect.revisit"
    days = interval_for(facts, rules)
    if days is None:
        return None
    base = _latest(last, facts.stage_since)
    assert base is not None
    return CheckInKind.ROUTINE, base.date() + timedelta(days=days), f"{facts.stage.value}.every"


def repair_due_on(wanted: date, *, today: date, within_days: int = 3) -> date:
    """When a repair conversation is due: as wanted, but never before today nor later than
    `within_days` from today (a bad experience waits days, not weeks)."""
    return min(max(wanted, today), today + timedelta(days=within_days))


class CheckInError(RuleError):
    """A change to a check-in that the rules refuse; the message says why."""


MAX_EVERY_DAYS: Final = 730


def check_every_days(days: int | None) -> int | None:
    """Validate an account's own rhythm (None: follow the stage)."""
    if days is not None and not 1 <= days <= MAX_EVERY_DAYS:
        raise CheckInError(
            N_("A check-in rhythm is between 1 and %(max)s days."), max=MAX_EVERY_DAYS
        )
    return days


def check_snooze(until: date, *, today: date) -> date:
    """A snooze moves a check-in to a later day, within a year."""
    if until <= today:
        raise CheckInError(N_("Snooze to a day after today."))
    if until > today + timedelta(days=366):
        raise CheckInError(N_("Snooze to a day within a year."))
    return until


def check_next_on(next_on: date | None, *, today: date) -> date | None:
    """The date chosen for the next check-in must be ahead, within two years."""
    if next_on is None:
        return None
    if next_on <= today:
        raise CheckInError(N_("The next check-in must be after today."))
    if next_on > today + timedelta(days=MAX_EVERY_DAYS):
        raise CheckInError(N_("The next check-in must be within two years."))
    return next_on


# An attempt that reached nobody is not a conversation: try again soon unless a date was chosen.
RETRY_AFTER_DAYS: Final = 3
ATTEMPTS: Final = frozenset({CheckInOutcome.NO_ANSWER, CheckInOutcome.LEFT_MESSAGE})


def next_date_after(outcome: CheckInOutcome, chosen: date | None, *, today: date) -> date | None:
    """The date of the next check-in after this outcome (None: the rhythm decides)."""
    if chosen is None and outcome in ATTEMPTS:
        return today + timedelta(days=RETRY_AFTER_DAYS)
    return chosen


def check_open(status: CheckInStatus) -> None:
    """Only an open check-in can be completed, snoozed, reassigned or skipped."""
    if status is not CheckInStatus.OPEN:
        raise CheckInError(N_("This check-in is already closed."))


# --- whom to call ---------------------------------------------------------------------------------

_SENIORITY_RANK: Final = {
    Seniority.BOARD: 5,
    Seniority.C_LEVEL: 4,
    Seniority.VP_DIRECTOR: 3,
    Seniority.MANAGER: 2,
    Seniority.INDIVIDUAL: 1,
}
_KEY_ROLES: Final = frozenset({BuyingRole.DECISION_MAKER, BuyingRole.SPONSOR})


@dataclass(frozen=True)
class Stakeholder:
    contact_id: int
    status: ContactStatus
    influence: int
    seniority: Seniority
    roles: frozenset[BuyingRole] = frozenset()
    last_contacted_at: datetime | None = None


def pick_contact(
    stakeholders: Iterable[Stakeholder], *, now: datetime, lately: timedelta
) -> int | None:
    """The most influential active stakeholder not contacted lately (the longest-silent if all were).

    Influence first, then a decision-making role, then seniority: the relationship must reach the
    people who decide. Among those talked to recently, the one silent longest comes first.
    """
    active = [s for s in stakeholders if s.status is ContactStatus.ACTIVE]
    if not active:
        return None

    def weight(s: Stakeholder) -> tuple[int, int, int]:
        return (s.influence, 1 if s.roles & _KEY_ROLES else 0, _SENIORITY_RANK[s.seniority])

    quiet = [s for s in active if s.last_contacted_at is None or now - s.last_contacted_at > lately]
    if quiet:
        return max(quiet, key=lambda s: (*weight(s), -s.contact_id)).contact_id
    return min(
        active, key=lambda s: (s.last_contacted_at or now, *(-w for w in weight(s)), s.contact_id)
    ).contact_id


# --- talking points -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TalkingPoints:
    """What to bring up: stored with the check-in as plain data, rendered and translated later."""

    # One or two next service lines with their reason, chosen by the ranking (anti-typecasting).
    next_lines: Sequence[NextLinePoint] = ()
    # Check-ins generated before the ranking stored every line never bought, by name: still read.
    never_bought: Sequence[str] = ()
    bought: Sequence[str] = ()
    open_engagements: Sequence[str] = ()
    recent: Sequence[tuple[str, str, str]] = ()  # (date ISO, kind, summary)
    moved: Sequence[tuple[str, str]] = ()  # (name, new company)
    retired: Sequence[str] = ()
    # A repair conversation: what went wrong, in the client's words, and about which work.
    problem: Sequence[str] = ()  # why the account is in the bad camp, as recorded
    feedback: Sequence[tuple[str, str, str, str]] = ()  # (date ISO, who, score, comment)
    concerns: Sequence[str] = ()  # the engagements the unhappiness is about

    def as_data(self) -> dict[str, list[object]]:
        data: dict[str, list[object]] = {"next_lines": [line.as_data() for line in self.next_lines]}
        if self.never_bought:  # only an older check-in has them
            data["never_bought"] = list(self.never_bought)
        return data | {
            "bought": list(self.bought),
            "open_engagements": list(self.open_engagements),
            "recent": [list(item) for item in self.recent],
            "moved": [list(item) for item in self.moved],
            "retired": list(self.retired),
            "problem": list(self.problem),
            "feedback": [list(item) for item in self.feedback],
            "concerns": list(self.concerns),
        }


RECENT_LIMIT: Final = 3
SUMMARY_LIMIT: Final = 160


def talking_points(
    *,
    next_lines: Iterable[NextLinePoint],
    bought: Iterable[str],
    open_engagements: Iterable[str],
    recent: Iterable[tuple[datetime, str, str]],
    moved: Iterable[tuple[str, str]],
    retired: Iterable[str],
) -> TalkingPoints:
    """Talking points: the next lines to raise, what was bought, what runs and what happened."""
    bought_set = sorted(set(bought))
    newest = sorted(recent, key=lambda item: item[0], reverse=True)[:RECENT_LIMIT]
    return TalkingPoints(
        next_lines=list(next_lines),
        bought=bought_set,
        open_engagements=sorted(open_engagements),
        recent=[
            (at.date().isoformat(), kind, shorten(summary, SUMMARY_LIMIT))
            for at, kind, summary in newest
        ],
        moved=sorted(moved),
        retired=sorted(retired),
    )


def shorten(text: str, limit: int) -> str:
    """The text on one line, cut with an ellipsis past `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- discipline -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInRecord:
    owner_id: int | None
    status: CheckInStatus
    due_on: date
    closed_on: date | None = None


@dataclass
class Discipline:
    """How an account manager keeps their rhythm: done on time, late, skipped, overdue, open."""

    on_time: int = 0
    late: int = 0
    skipped: int = 0
    overdue: int = 0
    open: int = 0

    @property
    def on_time_share(self) -> float | None:
        done = self.on_time + self.late
        return self.on_time / done if done else None


# A check-in done within this many days after its due date still counts as on time.
ON_TIME_GRACE_DAYS: Final = 2


def discipline(
    records: Iterable[CheckInRecord], *, today: date, grace_days: int = ON_TIME_GRACE_DAYS
) -> dict[int | None, Discipline]:
    """Per owner: check-ins done within `grace_days` of their due date, late, skipped, overdue."""
    result: dict[int | None, Discipline] = {}
    for record in records:
        row = result.setdefault(record.owner_id, Discipline())
        if record.status is CheckInStatus.OPEN:
            row.open += 1
            if record.due_on < today:
                row.overdue += 1
        elif record.status is CheckInStatus.SKIPPED:
            row.skipped += 1
        elif record.closed_on is not None and record.closed_on <= record.due_on + timedelta(
            days=grace_days
        ):
            row.on_time += 1
        else:
            row.late += 1
    return result
