"""Client surveys: NPS after an engagement, CSAT at milestones of long ones, and what answers mean.

Surveys exist to close the loop, not to collect numbers: a detractor is a repair task for the
account owner, a promoter is an invitation to advocate, and every score is evidence for how a
former client remembers us. The rules here decide who is due a survey and when, how often one
person may be asked, when one reminder goes, and how a score is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.journey import EngagementStatus
from advocacy.domain.people import ContactStatus
from advocacy.domain.text import N_


class SurveyKind(StrEnum):
    NPS = "nps"  # 0-10: how likely to recommend us, and why
    CSAT = "csat"  # 1-5: how satisfied with the work so far


class Trigger(StrEnum):
    COMPLETED = "completed"  # some days after an engagement is completed
    MILESTONE = "milestone"  # every so many days while a long engagement runs
    ON_DEMAND = "on_demand"  # an account manager asked for it from the account page


class SurveyStatus(StrEnum):
    PLANNED = "planned"  # due, not sent yet (the pressure budget is full for now)
    SENT = "sent"
    ANSWERED = "answered"
    EXPIRED = "expired"  # the link ran out without an answer
    REFUSED = "refused"  # may not be sent (consent, throttle...): `refusal` says why


class Sentiment(StrEnum):
    PROMOTER = "promoter"  # NPS 9-10
    PASSIVE = "passive"  # NPS 7-8
    DETRACTOR = "detractor"  # NPS 0-6, CSAT 1-2
    SATISFIED = "satisfied"  # CSAT 4-5
    NEUTRAL = "neutral"  # CSAT 3


class Refusal(StrEnum):
    """Why a survey was not sent; short codes, stored on the survey, labelled on the pages."""

    NO_ADDRESS = "no_address"
    CONTACT_LEFT = "contact_left"
    NO_CONSENT = "no_consent"
    SUPPRESSED = "suppressed"
    THROTTLE = "throttle"
    PRESSURE = "pressure"


# The scales, lowest to highest score.
SCALES: Final = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}
COMMENT_MAX: Final = 2000
# A survey about work that ended long ago tells little and surprises the client: past this many
# days after it fell due, a survey that could not go is dropped rather than sent late.
LATE_DAYS: Final = 30
# CSAT read on the 0-10 evidence scale of `journey.camp_from_evidence`: a CSAT detractor (1-2)
# lands among the NPS detractors, a 4 among the passives, a 5 among the promoters.
CSAT_AS_EVIDENCE: Final = {1: 0, 2: 3, 3: 7, 4: 8, 5: 10}


class AnswerRefused(RuleError):
    """An answer the survey cannot take; the message says why."""


@dataclass(frozen=True)
class Schedule:
    """The survey settings, as the rules need them."""

    after_completion_days: int
    milestone_every_days: int  # 0: no milestone surveys
    reminder_after_days: int
    per_contact_days: int


@dataclass(frozen=True)
class EngagementFacts:
    id: int
    status: EngagementStatus
    start_date: date | None = None
    # The day the work ended: its end date, else the day it was marked completed.
    completed_on: date | None = None


@dataclass(frozen=True)
class DueSurvey:
    engagement_id: int
    kind: SurveyKind
    trigger: Trigger
    occurrence: str  # which completion or milestone: part of the survey's key


@dataclass(frozen=True)
class ContactFacts:
    id: int
    status: ContactStatus
    email: str
    consent_basis: str
    influence: int = 3

    @property
    def reachable(self) -> bool:
        """Active, with an address and a reason we may write to them."""
        return self.status is ContactStatus.ACTIVE and bool(self.email and self.consent_basis)


def survey_key(
    kind: SurveyKind, contact_id: int, engagement_id: int | None, trigger: Trigger, occurrence: str
) -> str:
    """The survey's unique key: planning the same survey twice finds the first one."""
    return f"{kind.value}:{contact_id}:{engagement_id or '-'}:{trigger.value}:{occurrence}"[:200]


def due_for_engagement(
    engagement: EngagementFacts, schedule: Schedule, today: date
) -> DueSurvey | None:
    """The survey an engagement calls for today, if any.

    NPS once the engagement has been completed for `after_completion_days`; CSAT at each
    milestone of a running engagement. Either only until LATE_DAYS after it fell due.
    """
    late = timedelta(days=LATE_DAYS)
    if engagement.status is EngagementStatus.COMPLETED and engagement.completed_on is not None:
        due_on = engagement.completed_on + timedelta(days=schedule.after_completion_days)
        if due_on <= today <= due_on + late:
            return DueSurvey(
                engagement.id,
                SurveyKind.NPS,
                Trigger.COMPLETED,
                engagement.completed_on.isoformat(),
            )
        return None
    every = schedule.milestone_every_days
    if engagement.status is EngagementStatus.ACTIVE and every > 0 and engagement.start_date:
        milestone = (today - engagement.start_date).days // every
        if milestone < 1:
            return None
        due_on = engagement.start_date + timedelta(days=milestone * every)
        if today <= due_on + late:
            return DueSurvey(engagement.id, SurveyKind.CSAT, Trigger.MILESTONE, f"m{milestone}")
    return None


def whom_to_survey(
    engagement_contacts: Iterable[ContactFacts], account_contacts: Iterable[ContactFacts]
) -> list[ContactFacts]:
    """The engagement's reachable people; when none, the account's most influential active contact.

    The fallback is not filtered on consent: asking, and recording the refusal, shows the account
    manager why nobody was surveyed.
    """
    chosen = [contact for contact in engagement_contacts if contact.reachable]
    if chosen:
        return sorted(chosen, key=lambda contact: contact.id)
    active = [c for c in account_contacts if c.status is ContactStatus.ACTIVE]
    if not active:
        return []
    return [
        min(active, key=lambda contact: (-contact.influence, not contact.reachable, contact.id))
    ]


def throttled(last_sent_at: datetime | None, now: datetime, per_contact_days: int) -> bool:
    """Whether this contact had a survey too recently to get another one."""
    return last_sent_at is not None and now - last_sent_at < timedelta(days=per_contact_days)


def reminder_due(
    status: SurveyStatus,
    *,
    sent_at: datetime | None,
    reminded_at: datetime | None,
    expires_at: datetime | None,
    now: datetime,
    after_days: int,
) -> bool:
    """One reminder, after `after_days` without an answer, while the link still works."""
    if status is not SurveyStatus.SENT or sent_at is None or reminded_at is not None:
        return False
    if expires_at is not None and expires_at <= now:
        return False
    return now - sent_at >= timedelta(days=after_days)


def has_expired(status: SurveyStatus, expires_at: datetime | None, now: datetime) -> bool:
    """A sent survey whose link ran out without an answer."""
    return status is SurveyStatus.SENT and expires_at is not None and expires_at <= now


def check_answer(kind: SurveyKind, score: int | None, comment: str) -> tuple[int, str]:
    """The score and comment to keep, or AnswerRefused saying what is wrong."""
    low, high = SCALES[kind]
    if score is None or not low <= score <= high:
        raise AnswerRefused(N_("Choose a score from %(low)d to %(high)d."), low=low, high=high)
    comment = comment.strip()
    if "\x00" in comment:
        raise AnswerRefused(N_("The comment contains characters we cannot keep."))
    if len(comment) > COMMENT_MAX:
        raise AnswerRefused(
            N_("Keep the comment under %(max)d characters, please."), max=COMMENT_MAX
        )
    return score, comment


def sentiment(kind: SurveyKind, score: int) -> Sentiment:
    """How a score reads: NPS promoter/passive/detractor, CSAT satisfied/neutral/detractor."""
    if kind is SurveyKind.NPS:
        if score >= 9:
            return Sentiment.PROMOTER
        return Sentiment.PASSIVE if score >= 7 else Sentiment.DETRACTOR
    if score >= 4:
        return Sentiment.SATISFIED
    return Sentiment.NEUTRAL if score == 3 else Sentiment.DETRACTOR


def evidence_score(kind: SurveyKind, score: int) -> int:
    """The score on the 0-10 scale the former-client camp is judged on."""
    return score if kind is SurveyKind.NPS else CSAT_AS_EVIDENCE[score]


def invites_advocacy(kind: SurveyKind, score: int) -> bool:
    """A promoter is invited, on the thank-you page, to write a testimonial or introduce someone."""
    return sentiment(kind, score) is Sentiment.PROMOTER
