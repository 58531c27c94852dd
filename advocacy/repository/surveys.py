"""Query helpers for surveys: engagements due one, whom to ask, what was sent. Never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from advocacy.domain.journey import EngagementStatus
from advocacy.domain.surveys import SurveyStatus
from advocacy.models import Contact, Engagement, EngagementContact, Person, Survey


def engagements_to_survey(
    session: Session, *, completed_since: date, milestones: bool
) -> list[Engagement]:
    """Engagements completed on or after `completed_since` and, with `milestones`, running ones."""
    completed = and_(
        col(Engagement.status) == EngagementStatus.COMPLETED.value,
        or_(
            col(Engagement.end_date) >= completed_since,
            and_(
                col(Engagement.end_date).is_(None),
                col(Engagement.updated_at)
                >= datetime.combine(completed_since, time.min, tzinfo=UTC),
            ),
        ),
    )
    running = and_(
        col(Engagement.status) == EngagementStatus.ACTIVE.value,
        col(Engagement.start_date).is_not(None),
    )
    where = or_(completed, running) if milestones else completed
    return list(session.exec(select(Engagement).where(where).order_by(col(Engagement.id))))


def contacts_of_engagement(session: Session, engagement_id: int) -> list[Contact]:
    query = (
        select(Contact)
        .join(EngagementContact, col(EngagementContact.contact_id) == col(Contact.id))
        .where(EngagementContact.engagement_id == engagement_id)
        .order_by(col(Contact.id))
    )
    return list(session.exec(query))


def contacts_of_account(session: Session, account_id: int) -> list[Contact]:
    query = select(Contact).where(Contact.account_id == account_id).order_by(col(Contact.id))
    return list(session.exec(query))


def survey_by_key(session: Session, key: str) -> Survey | None:
    return session.exec(select(Survey).where(Survey.key == key)).first()


def last_sent_to(session: Session, contact_id: int, *, other_than: int | None) -> datetime | None:
    """When this contact was last sent a survey (any survey but `other_than`)."""
    query = (
        select(Survey.sent_at)
        .where(Survey.contact_id == contact_id, col(Survey.sent_at).is_not(None))
        .order_by(col(Survey.sent_at).desc())
    )
    if other_than is not None:
        query = query.where(Survey.id != other_than)
    return session.exec(query).first()


def sent_surveys(session: Session) -> list[Survey]:
    """Surveys out with the client and not answered: candidates for a reminder or expiry."""
    query = select(Survey).where(Survey.status == SurveyStatus.SENT.value).order_by(col(Survey.id))
    return list(session.exec(query))


def answered_of_account(session: Session, account_id: int) -> list[Survey]:
    """The account's answered surveys, oldest answer first (the newest weighs most as evidence)."""
    query = (
        select(Survey)
        .where(Survey.account_id == account_id, Survey.status == SurveyStatus.ANSWERED.value)
        .order_by(col(Survey.answered_at), col(Survey.id))
    )
    return list(session.exec(query))


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    contact_name: str


def surveys_of_account(session: Session, account_id: int, limit: int = 50) -> list[SurveyRow]:
    """The account's latest surveys with the name of whom each was for, newest first."""
    query = (
        select(Survey, Person.full_name)
        .join(Contact, col(Contact.id) == col(Survey.contact_id))
        .join(Person, col(Person.id) == col(Contact.person_id))
        .where(Survey.account_id == account_id)
        .order_by(col(Survey.created_at).desc(), col(Survey.id).desc())
        .limit(limit)
    )
    return [SurveyRow(survey, name) for survey, name in session.exec(query)]
