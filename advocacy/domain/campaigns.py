"""Nurture campaigns: who they reach (a saved segment), what they do (steps), when they stop for
a contact (stop rules), and what a planning run proposes (sends, and who is held back and why).

The vocabulary shared by the planner, the campaign pages and the results; the planner's rules
build on it (docs/nurture.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_


class CampaignStatus(StrEnum):
    """A draft is edited and previewed; only an active campaign sends; finished is for ever."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


# Which status may follow which (a paused campaign resumes; nothing comes back from finished).
TRANSITIONS: Final[Mapping[CampaignStatus, frozenset[CampaignStatus]]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE, CampaignStatus.FINISHED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.FINISHED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.FINISHED}),
    CampaignStatus.FINISHED: frozenset(),
}


def check_transition(current: CampaignStatus, wanted: CampaignStatus) -> None:
    """Refuse a status change the campaign's life does not allow."""
    if current is CampaignStatus.FINISHED:
        raise RuleError(N_("A finished campaign cannot change any more."))
    if wanted not in TRANSITIONS[current]:
        raise RuleError(N_("This campaign cannot make that change from its current status."))


class StepKind(StrEnum):
    """What one step of a campaign does."""

    WAIT = "wait"  # wait a number of days, or until a date
    EMAIL = "email"  # an e-mail with fixed content (a content item)
    NEXT_LINE_EMAIL = "next_line_email"  # introduce the next service line: content per contact
    ASK = "ask"  # a survey, testimonial or referral ask, through the client-voice flows
    TASK = "task"  # a task for the account manager ("call after the webinar")


class AskStepKind(StrEnum):
    """The client-voice flows an ask step may start."""

    SURVEY = "survey"
    TESTIMONIAL = "testimonial"
    REFERRAL = "referral"


class StopReason(StrEnum):
    """Why a contact leaves a campaign before its last step (or that it reached the end)."""

    REPLIED = "replied"  # the client answered or reached out: a person takes over
    NEW_ENGAGEMENT = "new_engagement"  # they hired the firm again: the nurture did its job
    UNSUBSCRIBED = "unsubscribed"  # from nurture (or everything), or objected to marketing
    BAD_CAMP = "bad_camp"  # the account moved to the bad camp
    DETRACTOR = "detractor"  # a detractor signal or score: repair first, no marketing
    LEFT = "left"  # the contact left the account or retired
    REMOVED = "removed"  # an account manager or marketer took them out by hand
    LEFT_SEGMENT = "left_segment"  # no longer matches the audience (e.g. stage changed)
    COMPLETED = "completed"  # every step done
    CAMPAIGN_FINISHED = "campaign_finished"  # the campaign itself was finished


class EnrolmentStatus(StrEnum):
    """Where a contact stands in one campaign."""

    ACTIVE = "active"  # steps still to come
    STOPPED = "stopped"  # a stop rule (or a person) took them out
    COMPLETED = "completed"  # every step done


class StepOutcome(StrEnum):
    """What the record of one step for one enrolment says."""

    DONE = "done"  # carried out (e-mail queued, ask made, task created)
    HELD = "held"  # due but held back in the last run; retried on every run until done


class HoldReason(StrEnum):
    """Why a due send does not go out in this run (the contact stays enrolled unless it stops)."""

    OVER_BUDGET = "over_budget"  # the contact's or account's pressure budget is full
    OUTSIDE_WINDOW = "outside_window"  # waits for the contact's send window
    NO_CONSENT = "no_consent"  # no lawful basis for marketing e-mail
    SUPPRESSED = "suppressed"  # unsubscribed, bounced or reported spam
    MAY_NOT_ASK = "may_not_ask"  # the one "may we ask this person" rule says no (ask steps)
    NO_NEXT_LINE = "no_next_line"  # nothing left to introduce (all bought or recently introduced)
    NO_CONTENT = "no_content"  # no valid content item in the contact's language
    NO_ADDRESS = "no_address"  # the contact has no e-mail address


@dataclass(frozen=True)
class Segment:
    """A saved audience: every criterion left empty (or None) matches everyone."""

    stages: frozenset[str] = frozenset()
    camps: frozenset[str] = frozenset()  # for former clients: good, bad, unknown
    industries: frozenset[str] = frozenset()
    owner_ids: frozenset[int] = frozenset()
    bought_line_ids: frozenset[int] = frozenset()  # bought every one of these
    not_bought_line_ids: frozenset[int] = frozenset()  # bought none of these
    max_typecasting_index: float | None = None  # 0..1: accounts that know us for little
    buying_roles: frozenset[str] = frozenset()
    seniorities: frozenset[str] = frozenset()
    advocacy_tiers: frozenset[str] = frozenset()  # domain.score_asks.Tier values
    no_human_touch_days: int | None = None  # no call or meeting for at least this many days
    deferred_prospects: bool = False  # prospects whose proposal was "not now"


@dataclass(frozen=True)
class Step:
    """One step of a campaign, in its position order."""

    position: int
    kind: StepKind
    wait_days: int | None = None  # WAIT: days after the previous step
    wait_until: date | None = None  # WAIT: a fixed date instead
    content_item_id: int | None = None  # EMAIL: what it sends
    ask_kind: AskStepKind | None = None  # ASK
    task_text: str = ""  # TASK: what the account manager should do


MAX_STEPS: Final = 30
MAX_WAIT_DAYS: Final = 3650
MAX_TASK_TEXT: Final = 500


def step_problem(
    kind: StepKind,
    *,
    wait_days: int | None,
    wait_until: date | None,
    content_item_id: int | None,
    ask_kind: AskStepKind | None,
    task_text: str,
) -> str | None:
    """What is missing or contradictory in one step, or None when it can be carried out."""
    if kind is StepKind.WAIT:
        if (wait_days is None) == (wait_until is None):
            return N_("A wait step waits either a number of days or until a date.")
        return None
    if wait_days is not None or wait_until is not None:
        return N_("Only a wait step waits.")
    if kind is StepKind.EMAIL and content_item_id is None:
        return N_("An e-mail step needs the content item it sends.")
    if kind is StepKind.NEXT_LINE_EMAIL and content_item_id is not None:
        return N_("The content of a next-service-line e-mail is chosen per contact.")
    if kind is StepKind.ASK and ask_kind is None:
        return N_("An ask step needs what it asks for.")
    if kind is StepKind.TASK and not task_text.strip():
        return N_("A task step needs the task for the account manager.")
    return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def advance(steps: Sequence[Step], done_position: int, at: datetime) -> tuple[int | None, datetime]:
    """The next step to carry out after `done_position` (0: none done yet), and from when.

    Wait steps are not carried out: they push the next step's time. Consecutive waits add up; a
    wait until a date already past waits no more. (None, at) means the campaign is over for this
    contact. `steps` are in position order.
    """
    due = at
    for step in steps:
        if step.position <= done_position:
            continue
        if step.kind is not StepKind.WAIT:
            return step.position, due
        if step.wait_days is not None:
            due = due + timedelta(days=step.wait_days)
        elif step.wait_until is not None:
            due = max(due, _start_of(step.wait_until))
    return None, due


def check_step_edit(current: Sequence[Step], wanted: Sequence[Step], reached: int) -> None:
    """Refuse an edit that would rewrite the past of an enrolled contact.

    `reached` is the furthest position any contact has carried out. Those steps are locked: they
    stay, at the same position, of the same kind (their text or content may change; it applies to
    contacts who have not reached them yet, and nobody who did gets them again). Steps after them
    may be changed, added or removed freely.
    """
    if len(wanted) > MAX_STEPS:
        raise RuleError(N_("This campaign has too many steps."))
    by_position = {step.position: step for step in wanted}
    for step in current:
        if step.position > reached:
            continue
        kept = by_position.get(step.position)
        if kept is None or kept.kind is not step.kind:
            raise RuleError(
                N_(
                    "Step %(position)s was carried out for some contacts already: it cannot be "
                    "removed, moved or changed to another kind."
                ),
                position=step.position,
            )


@dataclass(frozen=True)
class PlannedSend:
    """One step the planner would carry out for one contact now, and why."""

    contact_id: int
    account_id: int
    step_position: int
    kind: StepKind
    service_line_id: int | None = None  # NEXT_LINE_EMAIL: the line it introduces
    content_item_id: int | None = None
    reason: Mapping[str, object] = field(default_factory=dict)  # Reason.as_data() or similar
    send_at: datetime | None = None
    occurrence: int = 1  # of the enrolment it belongs to
    # Where the enrolment goes once this step is done (None: the campaign is over for them).
    next_position: int | None = None
    next_due_at: datetime | None = None
    ask_kind: AskStepKind | None = None
    task_text: str = ""


@dataclass(frozen=True)
class HeldBack:
    """A contact whose due step does not go out in this run, and why."""

    contact_id: int
    account_id: int
    step_position: int
    reason: HoldReason
    detail: str = ""
    until: datetime | None = None  # when it may go, where known (window, budget)
    occurrence: int = 1
    kind: StepKind | None = None  # the step's kind


@dataclass(frozen=True)
class Stopped:
    """A contact who leaves the campaign in this run, and why."""

    contact_id: int
    account_id: int
    reason: StopReason


@dataclass(frozen=True)
class Enrolled:
    """A contact who enters the campaign in this run, and where they start."""

    contact_id: int
    account_id: int
    occurrence: int
    next_position: int | None
    next_due_at: datetime


@dataclass(frozen=True)
class PlanReport:
    """What one planning run proposes for one campaign: the preview and the run share it."""

    campaign_id: int
    enrolled: tuple[int, ...] = ()  # contacts newly enrolled in this run
    sends: tuple[PlannedSend, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    stopped: tuple[Stopped, ...] = ()
    enrolments: tuple[Enrolled, ...] = ()  # the same contacts as `enrolled`, with where they start
