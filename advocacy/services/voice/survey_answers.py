"""A client answers a survey through its link, and the loop closes.

The answer becomes a touchpoint the client started; for a former client it is evidence for the
camp; a detractor opens a repair task for the account owner and alerts them at once; a promoter
is offered, on the thank-you page, a one-click way to write a testimonial or introduce someone
(never when the account is in the bad camp or must not be asked).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session

from advocacy.domain import surveys as rules
from advocacy.domain.advocacy_asks import AskKind
from advocacy.domain.errors import RuleError
from advocacy.domain.journey import Camp, Stage, camp_from_evidence
from advocacy.domain.mail import Category
from advocacy.domain.surveys import Sentiment, SurveyKind, SurveyStatus
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import Channel, Initiative, TouchpointKind, TouchpointSource
from advocacy.models import (
    Account,
    ClientLink,
    Contact,
    JourneySignal,
    Person,
    Survey,
    TouchpointCreate,
    User,
)
from advocacy.models.fields import saved_id
from advocacy.repository.surveys import answered_of_account
from advocacy.services.access.client_links import create_link, resolve_link
from advocacy.services.check_ins.generation import rules_of
from advocacy.services.journey.accounts import apply_camp
from advocacy.services.journey.touchpoints import add_touchpoint_to
from advocacy.services.mail.queue import queue_email
from advocacy.services.scoring import recompute
from advocacy.services.voice.asks import verdict_for
from advocacy.services.voice.repair import open_repair_conversation
from advocacy.services.webhooks import events as webhook_events
from advocacy.settings import LANGUAGES, Settings

DETRACTOR_SIGNAL = "detractor"
DETRACTOR_TEMPLATE = "survey_detractor"


class SurveyClosed(RuleError):
    """The link takes no answer; `language` is the contact's, to say so in (empty: unknown)."""

    def __init__(self, message: str, language: str = "") -> None:
        super().__init__(message)
        self.language = language


class LinkGone(SurveyClosed):
    """Unknown, expired or withdrawn link: the client gets the friendly page."""


class AlreadyAnswered(SurveyClosed):
    """The survey has its answer; the client is thanked again, nothing changes."""


@dataclass(frozen=True)
class OpenSurvey:
    """A survey as its link shows it: which question, in which language."""

    survey: Survey
    link: ClientLink
    language: str
    account_name: str


@dataclass(frozen=True)
class Answered:
    survey: Survey
    language: str
    # Paths of the promoter's invitations (empty when not offered).
    testimonial_path: str = ""
    referral_path: str = ""
    # Why a promoter was not invited (a catalogue message for staff; the client never sees it).
    refusal: str = ""


def open_survey(session: Session, token: str, *, now: datetime) -> OpenSurvey:
    """The survey behind `token`, or LinkGone / AlreadyAnswered (with the language to say it in)."""
    link, survey = _resolve(session, token, now=now)
    contact = session.get(Contact, survey.contact_id)
    language = contact.language if contact and contact.language in LANGUAGES else ""
    if link.used_at is not None or survey.status == SurveyStatus.ANSWERED:
        raise AlreadyAnswered(N_("This survey has its answer already."), language=language)
    if survey.status != SurveyStatus.SENT:
        raise LinkGone(N_("This survey is closed."), language=language)
    account = session.get(Account, survey.account_id)
    return OpenSurvey(survey, link, language, account.name if account else "")


def answer_survey(
    session: Session,
    token: str,
    score: int | None,
    comment: str,
    *,
    settings: Settings,
    now: datetime,
) -> Answered:
    """Record the client's answer once and close the loop (touchpoint, camp, repair, invitation)."""
    opened = open_survey(session, token, now=now)
    survey = opened.survey
    kind = SurveyKind(survey.kind)
    score, comment = rules.check_answer(kind, score, comment)
    link = opened.link
    account = session.get(Account, survey.account_id)
    contact = session.get(Contact, survey.contact_id)
    assert account is not None and contact is not None and survey.id is not None
    survey.score, survey.comment = score, comment
    survey.status, survey.answered_at, survey.updated_at = SurveyStatus.ANSWERED.value, now, now
    link.used_at = now  # a submitted form consumes its link
    touchpoint = add_touchpoint_to(
        session,
        account,
        TouchpointCreate(
            kind=TouchpointKind.SURVEY,
            initiative=Initiative.CLIENT,
            channel=Channel.WEB,
            contact_id=contact.id,
            occurred_at=now,
            summary=_summary(kind, score),
            external_id=f"survey:{survey.id}",
        ),
        by=None,
        now=now,
        source=TouchpointSource.SYSTEM,
    )
    survey.touchpoint_id = touchpoint.id
    session.add_all([survey, link])
    session.flush()
    if account.stage == Stage.FORMER:
        _camp_from_answers(session, account, now=now)
    feeling = rules.sentiment(kind, score)
    answered = Answered(survey, opened.language)
    if feeling is Sentiment.DETRACTOR:
        _open_repair(session, settings, survey, account, contact, now=now)
    elif feeling is Sentiment.PROMOTER:
        # The one advocacy rule decides, as for an e-mailed ask: an earlier low score, an open
        # repair at the account or a withdrawn testimonial leave the thank-you page plain.
        verdict = verdict_for(session, contact.id or 0, AskKind.PROMOTER_FOLLOW_UP, now=now)
        answered = replace(answered, refusal=verdict.message)
        if verdict.allowed:
            answered = _invite(session, settings, survey, contact, opened.language, now=now)
    recompute.rescore(session, [saved_id(contact)], now=now, rules=recompute.rules_of(settings))
    webhook_events.survey_answered(
        session, survey, detractor=feeling is Sentiment.DETRACTOR, now=now
    )
    session.commit()
    return answered


def _resolve(session: Session, token: str, *, now: datetime) -> tuple[ClientLink, Survey]:
    link = resolve_link(session, token, purpose="survey", now=now)
    survey = session.get(Survey, link.object_id) if link and link.object_id else None
    if link is None or survey is None or link.object_type != "survey":
        raise LinkGone(N_("This link does not work any more."))
    return link, survey


def _summary(kind: SurveyKind, score: int) -> str:
    high = rules.SCALES[kind][1]
    return f"{kind.value.upper()} {score}/{high} ({rules.sentiment(kind, score).value})"


def _camp_from_answers(session: Session, account: Account, *, now: datetime) -> None:
    """A former client's camp follows the evidence of its answers (newest weighs most)."""
    assert account.id is not None
    answers = answered_of_account(session, account.id)
    evidence = [rules.evidence_score(SurveyKind(s.kind), s.score or 0) for s in answers]
    camp = camp_from_evidence(evidence)
    if camp is Camp.UNKNOWN or camp.value == account.camp:
        return  # mixed evidence does not overrule what someone decided
    latest = answers[-1]
    reason = (
        f"survey evidence: {len(evidence)} answers, latest "
        f"{SurveyKind(latest.kind).value.upper()} {latest.score}"
    )
    apply_camp(session, account, camp, reason=reason, now=now)


def _invite(
    session: Session,
    settings: Settings,
    survey: Survey,
    contact: Contact,
    language: str,
    *,
    now: datetime,
) -> Answered:
    tokens = {
        purpose: create_link(
            session,
            purpose=purpose,
            email=contact.email or "",
            contact_id=contact.id,
            object_type="survey",
            object_id=survey.id,
            valid_for=timedelta(days=days),
            now=now,
        )
        for purpose, days in (
            ("testimonial", settings.client_link_days_testimonial),
            ("referral", settings.client_link_days_referral),
        )
    }
    return Answered(
        survey,
        language,
        testimonial_path=f"/c/testimonial/new/{tokens['testimonial']}",
        referral_path=f"/c/referral/new/{tokens['referral']}",
    )


def _open_repair(
    session: Session,
    settings: Settings,
    survey: Survey,
    account: Account,
    contact: Contact,
    *,
    now: datetime,
) -> None:
    """A repair task on the owner's home page, and an e-mail so they hear of it today."""
    kind = SurveyKind(survey.kind)
    session.add(
        JourneySignal(
            kind=DETRACTOR_SIGNAL,
            account_id=account.id or 0,
            contact_id=contact.id,
            owner_id=account.owner_id,
            message=f"Detractor: {_summary(kind, survey.score or 0)}"[:500],
            created_at=now,
        )
    )
    session.flush()
    open_repair_conversation(
        session, account, contact_id=contact.id, rules=rules_of(settings), now=now
    )
    owner = session.get(User, account.owner_id) if account.owner_id else None
    if owner is None or not owner.active or not owner.email:
        return
    person = session.get(Person, contact.person_id)
    language = owner.language if owner.language in LANGUAGES else settings.default_language
    queue_email(
        session,
        category=Category.TRANSACTIONAL,
        template=DETRACTOR_TEMPLATE,
        to=owner.email,
        to_name=owner.name,
        user_id=owner.id,
        account_id=account.id,
        source=("survey", survey.id),
        occurrence="detractor",
        context={
            "account_name": account.name,
            "contact_name": person.full_name if person else "",
            "kind": kind.value,
            "score": survey.score,
            "high": rules.SCALES[kind][1],
            "comment": survey.comment,
            "link": f"{settings.base_url}/accounts/{account.id}#surveys",
        },
        now=now,
        language=language,
        settings=settings,
    )
