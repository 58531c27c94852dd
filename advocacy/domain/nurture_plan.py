"""The nurture planner: from plain facts about a segment's contacts, one campaign, the ranking, the
content on offer, the pressure budget and `now`, what one run does — who enters, who leaves and
why, which due steps go out (with the line, content and reason) and which are held back and why.

Pure: the same facts give the same report. The preview shows it; the run writes it. One step at
most per contact per run (the next one waits for the next run, minutes later). Contacts are taken
in id order, and every e-mail planned is added to the pressure ledger before the next contact is
judged, so a run never plans more than the budget allows, even within itself and across the
campaigns of one run (docs/nurture.md, "The planner").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from advocacy.domain import pressure
from advocacy.domain.advocacy_asks import AskFacts, AskKind, AskPolicy, may_ask
from advocacy.domain.awareness import Awareness, LineAwareness
from advocacy.domain.campaigns import (
    AskStepKind,
    Enrolled,
    EnrolmentStatus,
    HeldBack,
    HoldReason,
    PlannedSend,
    PlanReport,
    Segment,
    Step,
    StepKind,
    Stopped,
    StopReason,
    advance,
)
from advocacy.domain.content import ContentOffer, Reader, available_to
from advocacy.domain.mail import Category, suppressed_for
from advocacy.domain.next_service_line import Candidate, Client, Ranker
from advocacy.domain.nurture_audience import Audience, EnrolmentState, may_enter, stop_reason

# The client-voice flow behind each ask step, and the mail category it sends in.
ASK_RULE: Final[Mapping[AskStepKind, AskKind | None]] = {
    AskStepKind.TESTIMONIAL: AskKind.TESTIMONIAL,
    AskStepKind.REFERRAL: AskKind.REFERRAL,
    AskStepKind.SURVEY: None,  # a survey asks for an opinion, not for advocacy
}
ASK_CATEGORY: Final[Mapping[AskStepKind, Category]] = {
    AskStepKind.TESTIMONIAL: Category.ADVOCACY_ASK,
    AskStepKind.REFERRAL: Category.ADVOCACY_ASK,
    AskStepKind.SURVEY: Category.SURVEY,
}
EMAILS: Final = frozenset({StepKind.EMAIL, StepKind.NEXT_LINE_EMAIL, StepKind.ASK})


@dataclass(frozen=True, slots=True)
class Recipient:
    """One contact as the planner sees it."""

    audience: Audience
    email: str = ""
    language: str = "en"
    timezone: str = ""
    consent_basis: str = ""
    awareness: Mapping[int, LineAwareness] = field(default_factory=dict)
    ask: AskFacts | None = None  # for ask steps; None means nothing stands against asking
    # When the contact's awareness is just the lines their account bought: those lines, so that
    # contacts alike share one ranking without the records being read; None: read the records.
    bought_only: frozenset[int] | None = None


@dataclass(frozen=True)
class CampaignPlan:
    """The campaign being planned."""

    campaign_id: int
    segment: Segment
    steps: tuple[Step, ...]
    reenter_after_days: int | None = None


@dataclass(frozen=True)
class MailRules:
    """The shared pressure budget, send window and ask rule, from settings."""

    budget: pressure.Budget
    window: pressure.SendWindow
    default_timezone: str = "UTC"
    ask_policy: AskPolicy = field(default_factory=AskPolicy)


@dataclass
class PressureLedger:
    """Client-facing touches per contact and per account; grows with every e-mail planned."""

    contact: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    account: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))

    def add(self, contact_id: int, account_id: int, at: datetime) -> None:
        self.contact.setdefault(contact_id, []).append(at)
        self.account.setdefault(account_id, []).append(at)


@dataclass(frozen=True)
class Library:
    """The content on offer now: by (service line, language), and fixed items by id."""

    by_line: Mapping[tuple[int, str], tuple[ContentOffer, ...]]
    by_id: Mapping[int, ContentOffer]

    @classmethod
    def of(cls, offers: Mapping[tuple[int, str], Iterable[ContentOffer]]) -> Library:
        by_line = {key: tuple(items) for key, items in offers.items()}
        by_id = {item.id: item for items in by_line.values() for item in items}
        return cls(by_line, by_id)


# What of a contact's awareness the ranking reads: lines bought, lines introduced lately, and
# (line, since when) of the lines the contact engaged with.
_Profile = tuple[frozenset[int], frozenset[int], frozenset[tuple[int, datetime | None]]]


class _Hold(Exception):
    def __init__(self, reason: HoldReason, detail: str = "", until: datetime | None = None):
        super().__init__(reason.value)
        self.reason, self.detail, self.until = reason, detail, until


@dataclass
class _Choice:
    service_line_id: int | None = None
    content_item_id: int | None = None
    reason: dict[str, object] = field(default_factory=dict)


class Planner:
    """Plans campaigns one after the other over one shared pressure ledger."""

    def __init__(
        self,
        *,
        ranker: Ranker | None,
        library: Library,
        rules: MailRules,
        ledger: PressureLedger,
        now: datetime,
    ) -> None:
        self.ranker, self.library, self.rules, self.ledger = ranker, library, rules, ledger
        self.now = now
        self._content: dict[tuple[int, str, str, str], ContentOffer | None] = {}
        self._choices: dict[tuple[object, ...], _Choice | tuple[HoldReason, str]] = {}
        self._opens: dict[str, datetime | None] = {}
        self._bought_profiles: dict[frozenset[int], _Profile] = {}
        self._rankings: dict[tuple[object, ...], list[Candidate]] = {}

    def plan(
        self,
        campaign: CampaignPlan,
        recipients: Mapping[int, Recipient],
        enrolments: Mapping[int, EnrolmentState],
    ) -> PlanReport:
        """What one run does for one campaign (see the module's docstring)."""
        now, steps = self.now, campaign.steps
        by_position = {step.position: step for step in steps}
        first = advance(steps, 0, now)  # where everyone entering now starts
        after: dict[int, tuple[int | None, datetime]] = {}  # where a step done now leads
        enrolled: list[Enrolled] = []
        sends: list[PlannedSend] = []
        held: list[HeldBack] = []
        stopped: list[Stopped] = []
        for contact_id in sorted(recipients):
            recipient = recipients[contact_id]
            facts = recipient.audience
            state = enrolments.get(contact_id)
            if state is not None and state.status is EnrolmentStatus.ACTIVE:
                reason = stop_reason(facts, state.enrolled_at, campaign.segment, now)
                if reason is not None:
                    stopped.append(Stopped(contact_id, facts.account_id, reason))
                    continue
                occurrence = state.occurrence
                position, due = _resolve(steps, state.next_position, state.next_due_at or now)
                if position is None:
                    # A campaign ending on a wait is over once the wait has elapsed, not before.
                    if due <= now:
                        stopped.append(Stopped(contact_id, facts.account_id, StopReason.COMPLETED))
                    continue
            else:
                entering = may_enter(
                    facts, campaign.segment, state, campaign.reenter_after_days, now
                )
                if entering is None:
                    continue
                occurrence = entering
                position, due = first
                enrolled.append(Enrolled(contact_id, facts.account_id, occurrence, position, due))
                if position is None:
                    continue
            if due > now:
                continue
            step = by_position[position]
            try:
                choice = self._check(step, recipient)
            except _Hold as hold:
                held.append(
                    HeldBack(
                        contact_id,
                        facts.account_id,
                        position,
                        hold.reason,
                        hold.detail,
                        hold.until,
                        occurrence,
                        step.kind,
                    )
                )
                continue
            if step.kind in EMAILS:
                self.ledger.add(contact_id, facts.account_id, now)
            if position not in after:
                after[position] = advance(steps, position, now)
            next_position, next_due = after[position]
            sends.append(
                PlannedSend(
                    contact_id=contact_id,
                    account_id=facts.account_id,
                    step_position=position,
                    kind=step.kind,
                    service_line_id=choice.service_line_id,
                    content_item_id=choice.content_item_id,
                    reason=choice.reason,
                    send_at=now,
                    occurrence=occurrence,
                    next_position=next_position,
                    next_due_at=next_due,
                    ask_kind=step.ask_kind,
                    task_text=step.task_text,
                )
            )
        return PlanReport(
            campaign_id=campaign.campaign_id,
            enrolled=tuple(e.contact_id for e in enrolled),
            sends=tuple(sends),
            held_back=tuple(held),
            stopped=tuple(stopped),
            enrolments=tuple(enrolled),
        )

    def _check(self, step: Step, recipient: Recipient) -> _Choice:
        """What the step would do for this contact now, or raise _Hold saying why not."""
        if step.kind is StepKind.TASK:
            return _Choice()  # no e-mail: nothing of the mail rules applies
        category = Category.NURTURE
        if step.kind is StepKind.ASK and step.ask_kind is not None:
            category = ASK_CATEGORY[step.ask_kind]
        if not recipient.email:
            raise _Hold(HoldReason.NO_ADDRESS)
        suppressed = recipient.audience.suppressed
        if suppressed and suppressed_for(category, set(suppressed)):
            raise _Hold(HoldReason.SUPPRESSED, category.value)
        if not recipient.consent_basis.strip():
            raise _Hold(HoldReason.NO_CONSENT)
        choice = _Choice()
        if step.kind is StepKind.ASK:
            self._check_ask(step, recipient)
        elif step.kind is StepKind.EMAIL:
            if step.content_item_id not in self.library.by_id:
                raise _Hold(HoldReason.NO_CONTENT, "the item is archived or out of its dates")
            choice.content_item_id = step.content_item_id
        else:
            choice = self._next_line(recipient)
        self._check_pressure(recipient)
        return choice

    def _check_ask(self, step: Step, recipient: Recipient) -> None:
        kind = ASK_RULE[step.ask_kind] if step.ask_kind is not None else None
        if kind is None or recipient.ask is None:
            return
        verdict = may_ask(recipient.ask, kind, self.now, self.rules.ask_policy)
        if not verdict.allowed:
            raise _Hold(HoldReason.MAY_NOT_ASK, ", ".join(r.value for r in verdict.reasons))

    def choose_next_line(self, recipient: Recipient) -> tuple[int, ContentOffer] | None:
        """The line and item a next-line e-mail would bring this contact, mail rules aside."""
        try:
            choice = self._next_line(recipient)
        except _Hold:
            return None
        if choice.service_line_id is None or choice.content_item_id is None:
            return None
        return choice.service_line_id, self.library.by_id[choice.content_item_id]

    def _next_line(self, recipient: Recipient) -> _Choice:
        facts = recipient.audience
        # Contacts with the same industry, stage, language and awareness get the same choice:
        # most of a segment shares a few such profiles, so each is ranked once per run.
        if recipient.bought_only is None:
            profile = self._profile(recipient.awareness)
        else:
            # The same key as records saying just that, so contacts with their own records of
            # the account's purchases share the ranking of their colleagues.
            profile = self._bought_profile(recipient.bought_only)
        key = (facts.industry, facts.stage, recipient.language, profile)
        if key not in self._choices:
            try:
                self._choices[key] = self._choose(recipient, profile)
            except _Hold as hold:
                self._choices[key] = (hold.reason, hold.detail)
        found = self._choices[key]
        if isinstance(found, tuple):
            raise _Hold(*found)  # a new one each time: a raised exception keeps its traceback
        return found

    def _profile(self, awareness: Mapping[int, LineAwareness]) -> _Profile:
        """What of a contact's awareness the ranking reads (`Ranker.rank`): the lines bought (left
        out), the others introduced within the quiet period (skipped), and since when an engaged
        client cares about each of the rest. Records that change none of these (an introduction
        long ago, an unaware line) do not split contacts into different rankings."""
        if self.ranker is None:
            return frozenset(), frozenset(), frozenset()
        quiet_since = self.now - timedelta(days=self.ranker.policy.quiet_days)
        bought: list[int] = []
        recent: list[int] = []
        engaged: list[tuple[int, datetime | None]] = []
        for line_id, record in awareness.items():
            if record.state is Awareness.BOUGHT:
                bought.append(line_id)
            elif record.introduced_at is not None and record.introduced_at > quiet_since:
                recent.append(line_id)
            elif record.state is Awareness.ENGAGED:
                engaged.append((line_id, record.engaged_at))
        return frozenset(bought), frozenset(recent), frozenset(engaged)

    def _bought_profile(self, lines: frozenset[int]) -> _Profile:
        found = self._bought_profiles.get(lines)
        if found is None:
            found = self._bought_profiles[lines] = (lines, frozenset(), frozenset())
        return found

    def _choose(self, recipient: Recipient, profile: _Profile) -> _Choice:
        if self.ranker is None:
            raise _Hold(HoldReason.NO_NEXT_LINE)
        facts = recipient.audience
        bought, recent, engaged = profile
        # A line introduced lately only drops out of the ranking (every line's score stands on
        # its own): rank every line once for what was bought and engaged, then leave those out.
        key = (facts.industry, recipient.language, bought, engaged)
        ranked = self._rankings.get(key)
        if ranked is None:
            awareness = {
                line_id: record
                for line_id, record in recipient.awareness.items()
                if line_id not in recent
            }
            client = Client(facts.contact_id, facts.industry, recipient.language, awareness)
            ranked = self._rankings[key] = self.ranker.rank(
                client, now=self.now, require_content=True, limit=len(self.ranker.line_ids)
            )
        candidates = [c for c in ranked if c.service_line_id not in recent]
        candidates = candidates[: max(self.ranker.policy.limit, 0)]
        if not candidates:
            raise _Hold(HoldReason.NO_NEXT_LINE)
        for candidate in candidates:
            item = self._content_for(candidate.service_line_id, recipient)
            if item is not None:
                return _Choice(
                    candidate.service_line_id,
                    item.id,
                    {"reasons": [reason.as_data() for reason in candidate.reasons]},
                )
        raise _Hold(HoldReason.NO_CONTENT, "nothing suits this contact's industry or stage")

    def _content_for(self, line_id: int, recipient: Recipient) -> ContentOffer | None:
        facts = recipient.audience
        key = (line_id, recipient.language, facts.industry, facts.stage)
        if key not in self._content:
            reader = Reader(recipient.language, facts.industry, facts.stage)
            offers = self.library.by_line.get((line_id, recipient.language), ())
            found = available_to(offers, reader, self.now)
            self._content[key] = found[0] if found else None
        return self._content[key]

    def _check_pressure(self, recipient: Recipient) -> None:
        now, rules, facts = self.now, self.rules, recipient.audience
        zone = recipient.timezone or rules.default_timezone
        if zone not in self._opens:  # the same for every contact of a time zone in one run
            self._opens[zone] = pressure.next_send_time(now, zone, rules.window)
        opens = self._opens[zone]
        if opens is None:
            raise _Hold(HoldReason.OUTSIDE_WINDOW, "the send window never opens")
        if opens > now:
            raise _Hold(HoldReason.OUTSIDE_WINDOW, "", opens)
        contact_touches = self.ledger.contact.get(facts.contact_id, ())
        account_touches = self.ledger.account.get(facts.account_id, ())
        budget = rules.budget
        if len(contact_touches) < budget.per_contact and len(account_touches) < budget.per_account:
            return  # fewer touches than either limit, however recent: most of a segment
        check = pressure.check_budget(
            now,
            rules.budget,
            contact_touches=contact_touches,
            account_touches=account_touches,
        )
        if not check.allowed:
            raise _Hold(HoldReason.OVER_BUDGET, check.reason, check.frees_at)


def _resolve(
    steps: tuple[Step, ...], position: int | None, due: datetime
) -> tuple[int | None, datetime]:
    """The step an enrolment waits for, after edits: a wait or a removed step moves it on."""
    if position is None:
        return None, due
    current = next((step for step in steps if step.position == position), None)
    if current is not None and current.kind is not StepKind.WAIT:
        return position, due
    return advance(steps, position - 1, due)
