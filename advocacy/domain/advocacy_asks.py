"""The one "may we ask this person?" rule: whether a contact (or an account) may be asked for
advocacy now, and if not, why.

Every surface that asks or proposes someone (testimonial and referral asks, the promoter's
invitations on the survey thank-you page, reference matching, the library's reference-ready list,
and later nurture and scoring) asks `may_ask`, so no surface can ask someone another refuses.
The facts come in as plain values, gathered in bulk by the caller; `now` and the periods come in
as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.journey import Camp
from advocacy.domain.mail import Category, suppressed_for
from advocacy.domain.people import ContactStatus
from advocacy.domain.surveys import Sentiment, SurveyKind, sentiment
from advocacy.domain.text import N_


class AskKind(StrEnum):
    """What the firm would ask for."""

    TESTIMONIAL = "testimonial"
    REFERRAL = "referral"
    REFERENCE_CALL = "reference_call"
    PROMOTER_FOLLOW_UP = "promoter_follow_up"  # the invitations on the survey thank-you page


class Refusal(StrEnum):
    """Why someone may not be asked now. Codes shared with the reference exclusions."""

    BAD_CAMP = "bad_camp"
    DO_NOT_ASK = "do_not_ask"
    DETRACTOR_SIGNAL = "detractor_signal"
    REPAIR_OPEN = "repair_open"
    DETRACTOR_SURVEY = "detractor_survey"
    NOT_CURRENT = "inactive"
    NO_ADDRESS = "no_address"
    SUPPRESSED = "suppressed"
    OBJECTED = "objected"
    RECENTLY_ASKED = "recently_asked"


MESSAGES: Final[Mapping[Refusal, str]] = {
    Refusal.BAD_CAMP: N_("This account is in the bad camp: it is never asked for advocacy."),
    Refusal.DO_NOT_ASK: N_("This account is marked do-not-ask: it is never asked for advocacy."),
    Refusal.DETRACTOR_SIGNAL: N_("This account has an open detractor signal: repair it first."),
    Refusal.REPAIR_OPEN: N_("A repair conversation with this account is still open."),
    Refusal.DETRACTOR_SURVEY: N_("This person gave a low survey score lately."),
    Refusal.NOT_CURRENT: N_("This person has left the account."),
    Refusal.NO_ADDRESS: N_("This contact has no e-mail address."),
    Refusal.SUPPRESSED: N_("This person asked not to receive such requests."),
    Refusal.OBJECTED: N_("This person withdrew a testimonial lately."),
    Refusal.RECENTLY_ASKED: N_("This person was asked for advocacy recently: give them a rest."),
}

# Asks that go by e-mail need an address and follow the mail category's suppressions.
CATEGORY: Final[Mapping[AskKind, Category]] = {
    AskKind.TESTIMONIAL: Category.ADVOCACY_ASK,
    AskKind.REFERRAL: Category.ADVOCACY_ASK,
    AskKind.REFERENCE_CALL: Category.REFERENCE_REQUEST,
    AskKind.PROMOTER_FOLLOW_UP: Category.ADVOCACY_ASK,
}
EMAILED: Final = frozenset({AskKind.TESTIMONIAL, AskKind.REFERRAL, AskKind.REFERENCE_CALL})
# Someone who left or retired speaks no more for the account: every ask so far needs a current role.
NEEDS_CURRENT_ROLE: Final = frozenset(AskKind)
# Reference calls have their own cap per contact (domain.references); the other asks share a rest.
RESTED: Final = frozenset({AskKind.TESTIMONIAL, AskKind.REFERRAL})


@dataclass(frozen=True)
class AskPolicy:
    """The periods of the rule, in days."""

    detractor_days: int = 90  # a low score this recent still counts (a quarter)
    objection_days: int = 180  # a withdrawal this recent still counts
    rest_days: int = 14  # no second e-mailed ask within this many days


@dataclass(frozen=True)
class Answer:
    """One survey answer of the contact."""

    kind: SurveyKind
    score: int
    answered_at: datetime


@dataclass(frozen=True)
class AskFacts:
    """What is known of one contact (or, with `contact_id` None, of an account) for the rule."""

    account_id: int
    camp: Camp
    do_not_ask: bool
    open_detractor_signal: bool = False
    open_repair: bool = False
    contact_id: int | None = None
    status: ContactStatus = ContactStatus.ACTIVE
    has_address: bool = True
    suppressed: frozenset[str] = frozenset()  # categories and markers of the address
    answers: tuple[Answer, ...] = ()
    # When the contact took back words they gave (a withdrawn testimonial). A declined reference
    # call is not an objection: "too busy this month" says nothing about next month.
    objections: tuple[datetime, ...] = ()
    asked: tuple[datetime, ...] = ()  # advocacy asks e-mailed to this contact


@dataclass(frozen=True)
class AskVerdict:
    """Every reason the ask is refused; none means it may go."""

    reasons: tuple[Refusal, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def reason(self) -> Refusal | None:
        return self.reasons[0] if self.reasons else None

    @property
    def message(self) -> str:
        """The first reason for people (a catalogue message), empty when allowed."""
        return MESSAGES[self.reasons[0]] if self.reasons else ""

    def check(self) -> None:
        """Raise RuleError with the first reason when refused."""
        if self.reasons:
            raise RuleError(self.message)


def is_detractor(answer: Answer) -> bool:
    return sentiment(answer.kind, answer.score) is Sentiment.DETRACTOR


def _within(moments: tuple[datetime, ...], now: datetime, days: int) -> bool:
    if not moments:  # most contacts: the score asks this of every one of them nightly
        return False
    since = now - timedelta(days=days)
    return any(since <= at <= now for at in moments)


def may_ask(
    facts: AskFacts, kind: AskKind, now: datetime, policy: AskPolicy = AskPolicy()
) -> AskVerdict:
    """Whether this contact or account may be asked for `kind` now, with every reason if not."""
    reasons: list[Refusal] = []
    has_left = facts.status is not ContactStatus.ACTIVE
    if facts.contact_id is not None and kind in NEEDS_CURRENT_ROLE and has_left:
        reasons.append(Refusal.NOT_CURRENT)
    if facts.camp is Camp.BAD:
        reasons.append(Refusal.BAD_CAMP)
    elif facts.do_not_ask:
        reasons.append(Refusal.DO_NOT_ASK)
    if facts.open_detractor_signal:
        reasons.append(Refusal.DETRACTOR_SIGNAL)
    if facts.open_repair:
        reasons.append(Refusal.REPAIR_OPEN)
    if facts.contact_id is None:
        return AskVerdict(tuple(reasons))
    detractor_at = tuple(a.answered_at for a in facts.answers if is_detractor(a))
    if detractor_at and _within(detractor_at, now, policy.detractor_days):
        reasons.append(Refusal.DETRACTOR_SURVEY)
    if kind in EMAILED and not facts.has_address:
        reasons.append(Refusal.NO_ADDRESS)
    if facts.suppressed and suppressed_for(CATEGORY[kind], set(facts.suppressed)):
        reasons.append(Refusal.SUPPRESSED)
    if _within(facts.objections, now, policy.objection_days):
        reasons.append(Refusal.OBJECTED)
    if kind in RESTED and _within(facts.asked, now, policy.rest_days):
        reasons.append(Refusal.RECENTLY_ASKED)
    return AskVerdict(tuple(reasons))
