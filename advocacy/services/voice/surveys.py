"""Survey use cases: plan and send the surveys that come due, on demand, remind once, expire.

Exactly once rests on two keys: the survey's own (`Survey.key`: kind, contact, engagement,
trigger, occurrence), so planning twice finds the first row, and the outbox's idempotency key
(source survey + "invite" or "reminder"), so queueing twice writes one e-mail. A survey becomes
`sent` in the same commit that writes its e-mail (`_send` commits both), so a crash leaves
either both or neither, and the rerun finishes the job.

Like the check-in digest, the job functions commit per survey rather than once: each e-mail is
committed with its survey so a racing process sees its key at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from advocacy.db import savepoint
from advocacy.domain import surveys as rules
from advocacy.domain.errors import RuleError
from advocacy.domain.journey import EngagementStatus
from advocacy.domain.mail import Category
from advocacy.domain.outbox import Refusal as MailRefusal
from advocacy.domain.people import ContactStatus
from advocacy.domain.pressure import VerdictKind
from advocacy.domain.surveys import Refusal, SurveyKind, SurveyStatus, Trigger
from advocacy.domain.text import N_
from advocacy.models import Account, ClientLink, Contact, Engagement, Person, Survey, User
from advocacy.repository.surveys import (
    contacts_of_account,
    contacts_of_engagement,
    engagements_to_survey,
    last_sent_to,
    sent_surveys,
    survey_by_key,
)
from advocacy.services.access.client_links import issue_link
from advocacy.services.journey.accounts import check_may_edit
from advocacy.services.mail.queue import QueueResult, contact_pressure, queue_email
from advocacy.services.voice.testimonial_mail import manage_url
from advocacy.settings import Settings

SOURCE = "survey"
TEMPLATE = "survey"
MAIL_REFUSALS = {
    MailRefusal.NO_ADDRESS: Refusal.NO_ADDRESS,
    MailRefusal.NO_CONTACT: Refusal.NO_ADDRESS,
    MailRefusal.SUPPRESSED: Refusal.SUPPRESSED,
    MailRefusal.NO_CONSENT: Refusal.NO_CONSENT,
    MailRefusal.CONTACT_INACTIVE: Refusal.CONTACT_LEFT,
    MailRefusal.OVER_BUDGET: Refusal.PRESSURE,
}


@dataclass
class SurveyReport:
    """What one run did, for the job log."""

    sent: int = 0
    already_done: int = 0
    waiting: int = 0
    refused: int = 0
    reminded: int = 0
    expired: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sent} surveys sent, {self.reminded} reminders, {self.waiting} waiting for "
            f"the pressure budget, {self.refused} refused, {self.expired} expired, "
            f"{self.already_done} already done"
        )


def schedule_of(settings: Settings) -> rules.Schedule:
    return rules.Schedule(
        after_completion_days=settings.surveys_after_completion_days,
        milestone_every_days=settings.surveys_milestone_every_days,
        reminder_after_days=settings.surveys_reminder_after_days,
        per_contact_days=settings.surveys_per_contact_days,
    )


def survey_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/c/survey/{token}"


def run(session: Session, settings: Settings, *, now: datetime) -> SurveyReport:
    """The daily job: send the surveys that came due, remind once, expire the unanswered."""
    report = plan_and_send_due(session, settings, now=now)
    send_reminders(session, settings, now=now, report=report)
    return report


def plan_and_send_due(
    session: Session, settings: Settings, *, now: datetime, report: SurveyReport | None = None
) -> SurveyReport:
    """Plan the surveys engagements call for today and send them; safe to run twice."""
    report = report or SurveyReport()
    schedule = schedule_of(settings)
    today = now.date()
    since = today - timedelta(days=schedule.after_completion_days + rules.LATE_DAYS)
    for engagement in engagements_to_survey(
        session, completed_since=since, milestones=schedule.milestone_every_days > 0
    ):
        assert engagement.id is not None
        due = rules.due_for_engagement(_engagement_facts(engagement), schedule, today)
        if due is None:
            continue
        people = rules.whom_to_survey(
            map(_contact_facts, contacts_of_engagement(session, engagement.id)),
            map(_contact_facts, contacts_of_account(session, engagement.account_id)),
        )
        for person in people:
            key = rules.survey_key(due.kind, person.id, engagement.id, due.trigger, due.occurrence)
            survey = _plan(
                session,
                key=key,
                account_id=engagement.account_id,
                contact_id=person.id,
                engagement_id=engagement.id,
                kind=due.kind,
                trigger=due.trigger,
                now=now,
            )
            _tally(report, _send(session, settings, survey, now=now, final=False))
    return report


def send_on_demand(
    session: Session,
    settings: Settings,
    account_id: int,
    *,
    contact_id: int,
    kind: SurveyKind,
    by: User,
    now: datetime,
) -> Survey:
    """Send a survey an account manager asked for; a refusal is recorded on the survey."""
    account = session.get(Account, account_id)
    contact = session.get(Contact, contact_id)
    if account is None or contact is None or contact.account_id != account_id:
        raise RuleError(N_("This contact does not belong to the account."))
    check_may_edit(session, account, by)
    # Per minute: a double click finds the first survey; a deliberate second ask is throttled.
    occurrence = now.strftime("%Y-%m-%dT%H:%M")
    survey = _plan(
        session,
        key=rules.survey_key(kind, contact_id, None, Trigger.ON_DEMAND, occurrence),
        account_id=account_id,
        contact_id=contact_id,
        engagement_id=None,
        kind=kind,
        trigger=Trigger.ON_DEMAND,
        now=now,
        created_by_id=by.id,
    )
    _send(session, settings, survey, now=now, final=True)
    return survey


def send_campaign_survey(
    session: Session,
    settings: Settings,
    *,
    account_id: int,
    contact_id: int,
    occurrence: str,
    now: datetime,
) -> str:
    """Plan and send the survey a nurture campaign's ask step calls for, by the survey rules
    (throttle, pressure); commits. One survey per `occurrence`: a repeat finds it done."""
    survey = _plan(
        session,
        key=rules.survey_key(SurveyKind.NPS, contact_id, None, Trigger.ON_DEMAND, occurrence),
        account_id=account_id,
        contact_id=contact_id,
        engagement_id=None,
        kind=SurveyKind.NPS,
        trigger=Trigger.ON_DEMAND,
        now=now,
    )
    outcome = _send(session, settings, survey, now=now, final=True)
    session.commit()
    return outcome


def send_reminders(
    session: Session, settings: Settings, *, now: datetime, report: SurveyReport | None = None
) -> SurveyReport:
    """Expire surveys whose link ran out; remind, once, those unanswered for a while."""
    report = report or SurveyReport()
    for survey in sent_surveys(session):
        status = SurveyStatus(survey.status)
        if rules.has_expired(status, survey.expires_at, now):
            survey.status, survey.updated_at = SurveyStatus.EXPIRED.value, now
            session.add(survey)
            session.commit()
            report.expired += 1
        elif rules.reminder_due(
            status,
            sent_at=survey.sent_at,
            reminded_at=survey.reminded_at,
            expires_at=survey.expires_at,
            now=now,
            after_days=settings.surveys_reminder_after_days,
        ):
            report.reminded += _remind(session, settings, survey, now=now)
    _give_up_on_stale_plans(session, now=now, report=report)
    return report


def _plan(session: Session, *, key: str, now: datetime, **fields: Any) -> Survey:
    """The survey with this key: the existing one, or a new planned one (flushes only)."""
    existing = survey_by_key(session, key)
    if existing is not None:
        return existing
    values = {name: getattr(value, "value", value) for name, value in fields.items()}
    try:
        with savepoint(session):
            survey = Survey(key=key, created_at=now, updated_at=now, **values)
            session.add(survey)
            session.flush()
    except IntegrityError:
        # Another run planned the same survey between our look-up and our insert: theirs stands.
        winner = survey_by_key(session, key)
        if winner is None:
            raise
        return winner
    return survey


def _send(
    session: Session, settings: Settings, survey: Survey, *, now: datetime, final: bool
) -> str:
    """Send a planned survey, keep it planned while the pressure budget is full, or refuse it."""
    if survey.status != SurveyStatus.PLANNED:
        return "already_done"
    contact = session.get(Contact, survey.contact_id)
    assert contact is not None and survey.id is not None
    refusal = _contact_refusal(contact)
    if refusal is None and rules.throttled(
        last_sent_to(session, contact.id or 0, other_than=survey.id),
        now,
        settings.surveys_per_contact_days,
    ):
        refusal = Refusal.THROTTLE
    if refusal is None:
        verdict = contact_pressure(session, settings, contact, now=now)
        # Outside the send window is no obstacle: the outbox holds the e-mail until it opens.
        if verdict.kind is VerdictKind.REFUSED:
            refusal = Refusal.PRESSURE
            if not final and verdict.at is not None:
                return _wait(session, survey, now=now)
    if refusal is not None:
        return _refuse(session, survey, refusal, now=now)
    link, token = _new_link(session, settings, survey, contact, now=now)
    survey.status, survey.refusal = SurveyStatus.SENT.value, ""
    survey.sent_at, survey.expires_at, survey.link_id = now, link.expires_at, link.id
    survey.updated_at = now
    session.add(survey)
    result = _queue(session, settings, survey, contact, token, now=now, reminder=False)
    if result.queued:
        session.commit()
        return "sent" if result.created else "already_done"
    # Refused at queue time (a suppression the checks above do not see): the link never left.
    session.delete(link)
    survey.sent_at = survey.expires_at = survey.link_id = None
    code = MAIL_REFUSALS.get(result.refusal or MailRefusal.NO_CONSENT, Refusal.NO_CONSENT)
    if code is Refusal.PRESSURE and not final:
        return _wait(session, survey, now=now)
    return _refuse(session, survey, code, now=now)


def _wait(session: Session, survey: Survey, *, now: datetime) -> str:
    survey.status, survey.refusal, survey.updated_at = (
        SurveyStatus.PLANNED.value,
        Refusal.PRESSURE.value,
        now,
    )
    session.add(survey)
    session.commit()
    return "waiting"


def _refuse(session: Session, survey: Survey, refusal: Refusal, *, now: datetime) -> str:
    survey.status, survey.refusal, survey.updated_at = (
        SurveyStatus.REFUSED.value,
        refusal.value,
        now,
    )
    session.add(survey)
    session.commit()
    return "refused"


def _remind(session: Session, settings: Settings, survey: Survey, *, now: datetime) -> int:
    """Send the one reminder with a link of its own (the first token is only stored hashed)."""
    contact = session.get(Contact, survey.contact_id)
    assert contact is not None
    if _contact_refusal(contact) is not None:
        return 0
    if contact_pressure(session, settings, contact, now=now).kind is VerdictKind.REFUSED:
        return 0  # tried again tomorrow, while the link lasts
    link, token = _new_link(session, settings, survey, contact, now=now)
    result = _queue(session, settings, survey, contact, token, now=now, reminder=True)
    if not result.queued:
        session.delete(link)
        session.commit()
        return 0
    survey.reminded_at = survey.updated_at = now
    session.add(survey)
    session.commit()
    return 1


def _give_up_on_stale_plans(session: Session, *, now: datetime, report: SurveyReport) -> None:
    """A survey the pressure budget held back for LATE_DAYS is dropped, with its reason."""
    cutoff = now - timedelta(days=rules.LATE_DAYS)
    query = select(Survey).where(
        Survey.status == SurveyStatus.PLANNED.value, Survey.created_at <= cutoff
    )
    for survey in list(session.exec(query)):
        _refuse(session, survey, Refusal(survey.refusal or Refusal.PRESSURE.value), now=now)
        report.refused += 1


def _new_link(
    session: Session, settings: Settings, survey: Survey, contact: Contact, *, now: datetime
) -> tuple[ClientLink, str]:
    if survey.expires_at is not None:
        valid_for = survey.expires_at - now  # a reminder's link ends with the survey
    else:
        valid_for = timedelta(days=settings.client_link_days_survey)
    return issue_link(
        session,
        purpose="survey",
        email=contact.email or "",
        contact_id=contact.id,
        object_type="survey",
        object_id=survey.id,
        valid_for=valid_for,
        now=now,
    )


def _queue(
    session: Session,
    settings: Settings,
    survey: Survey,
    contact: Contact,
    token: str,
    *,
    now: datetime,
    reminder: bool,
) -> QueueResult:
    person = session.get(Person, contact.person_id)
    engagement = session.get(Engagement, survey.engagement_id) if survey.engagement_id else None
    return queue_email(
        session,
        category=Category.SURVEY,
        template=TEMPLATE,
        to=contact.email or "",
        to_name=person.full_name if person else "",
        contact_id=contact.id,
        account_id=survey.account_id,
        source=(SOURCE, survey.id),
        occurrence="reminder" if reminder else "invite",
        context={
            "kind": survey.kind,
            "reminder": reminder,
            "survey_url": survey_url(settings, token),
            "engagement_title": engagement.title if engagement else "",
            # The foot of every client e-mail brings them back to what they gave us.
            "manage_url": manage_url(session, settings, contact, now=now),
        },
        now=now,
        language=contact.language,
        settings=settings,
    )


def _contact_refusal(contact: Contact) -> Refusal | None:
    if contact.status != ContactStatus.ACTIVE:
        return Refusal.CONTACT_LEFT
    if not contact.email:
        return Refusal.NO_ADDRESS
    if not contact.consent_basis:
        return Refusal.NO_CONSENT
    return None


def _engagement_facts(engagement: Engagement) -> rules.EngagementFacts:
    completed_on = engagement.end_date
    if completed_on is None and engagement.status == EngagementStatus.COMPLETED:
        completed_on = engagement.updated_at.date()  # marked completed without an end date
    return rules.EngagementFacts(
        engagement.id or 0,
        EngagementStatus(engagement.status),
        start_date=engagement.start_date,
        completed_on=completed_on,
    )


def _contact_facts(contact: Contact) -> rules.ContactFacts:
    return rules.ContactFacts(
        id=contact.id or 0,
        status=ContactStatus(contact.status),
        email=contact.email or "",
        consent_basis=contact.consent_basis,
        influence=contact.influence,
    )


def _tally(report: SurveyReport, outcome: str) -> None:
    setattr(report, outcome, getattr(report, outcome) + 1)
