"""Queries of the client voice question: answers counted per score (by month, owner and service
line), detractors' answers with the day their repair conversation was held, and promoters asked
and giving. One grouped statement each, whatever the number of answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, col, select

from advocacy.domain.analytics.client_voice import detractor_ceiling, promoter_floor
from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.cadence import CheckInKind, CheckInStatus
from advocacy.domain.surveys import SurveyKind, SurveyStatus
from advocacy.models import (
    Account,
    CheckIn,
    EngagementServiceLine,
    OutboxMessage,
    ReferenceCall,
    Referral,
    ServiceLine,
    Survey,
    Testimonial,
)
from advocacy.repository.analytics.scope import account_conditions, month_of, period_conditions
from advocacy.repository.asks import ASK_TEMPLATES, NOT_DELIVERED
from advocacy.repository.read_models.calibration import GIVEN_CALLS


def _answered(filters: AnalyticsFilters, start: datetime, end: datetime | None) -> list[Any]:
    return [
        Survey.status == SurveyStatus.ANSWERED.value,
        col(Survey.score).is_not(None),
        *period_conditions(Survey.answered_at, start, end),
        *account_conditions(Survey.account_id, filters),
    ]


def _reads_as(ceiling: bool) -> Any:
    """Answers that read as detractors (ceiling) or promoters, on either scale."""
    if ceiling:
        return or_(
            *(
                and_(col(Survey.kind) == kind.value, col(Survey.score) <= detractor_ceiling(kind))
                for kind in SurveyKind
            )
        )
    floors = {kind: promoter_floor(kind) for kind in SurveyKind}
    return or_(
        *(
            and_(col(Survey.kind) == kind.value, col(Survey.score) >= floor)
            for kind, floor in floors.items()
            if floor is not None
        )
    )


def scores_by_month(
    session: Session, filters: AnalyticsFilters, *, start: datetime, end: datetime | None
) -> list[tuple[str, str, int, int]]:
    """(kind, month answered, score, answers)."""
    month = month_of(session, Survey.answered_at)
    rows = session.exec(
        select(Survey.kind, month, Survey.score, func.count())
        .where(*_answered(filters, start, end))
        .group_by(col(Survey.kind), month, col(Survey.score))
    )
    return [(kind, found, int(score or 0), int(n)) for kind, found, score, n in rows]


def scores_by_owner(
    session: Session, filters: AnalyticsFilters, *, start: datetime, end: datetime | None
) -> list[tuple[str, int | None, int, int]]:
    """(kind, the account's owner, score, answers)."""
    rows = session.exec(
        select(Survey.kind, Account.owner_id, Survey.score, func.count())
        .join(Account, col(Account.id) == Survey.account_id)
        .where(*_answered(filters, start, end))
        .group_by(col(Survey.kind), col(Account.owner_id), col(Survey.score))
    )
    return [(kind, owner, int(score or 0), int(n)) for kind, owner, score, n in rows]


def scores_by_line(
    session: Session, filters: AnalyticsFilters, *, start: datetime, end: datetime | None
) -> list[tuple[str, int, int, int]]:
    """(kind, service line of the surveyed engagement, score, answers); an answer about an
    engagement of two lines counts for both, one about no engagement for none."""
    rows = session.exec(
        select(Survey.kind, EngagementServiceLine.service_line_id, Survey.score, func.count())
        .join(
            EngagementServiceLine,
            col(EngagementServiceLine.engagement_id) == Survey.engagement_id,
        )
        .where(*_answered(filters, start, end))
        .group_by(col(Survey.kind), col(EngagementServiceLine.service_line_id), col(Survey.score))
    )
    return [(kind, line, int(score or 0), int(n)) for kind, line, score, n in rows]


def detractor_repairs(
    session: Session, filters: AnalyticsFilters, *, start: datetime, end: datetime | None
) -> list[tuple[datetime, datetime | None]]:
    """Per detractor answer: when it came, and when the account's first repair conversation
    held at or after it was closed (None: not yet)."""
    repaired = (
        select(func.min(CheckIn.closed_at))
        .where(
            col(CheckIn.account_id) == Survey.account_id,
            CheckIn.kind == CheckInKind.REPAIR.value,
            CheckIn.status == CheckInStatus.DONE.value,
            col(CheckIn.closed_at) >= Survey.answered_at,
        )
        .correlate(Survey)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Survey.answered_at, repaired).where(
            *_answered(filters, start, end), _reads_as(ceiling=True)
        )
    )
    return [(answered, held) for answered, held in rows if answered is not None]


def promoters_asked(
    session: Session, filters: AnalyticsFilters, *, start: datetime, end: datetime | None
) -> tuple[int, int, int]:
    """(promoters, asked after their first promoter answer, asked who then gave something)."""
    promoters = (
        select(
            col(Survey.contact_id).label("contact_id"),
            func.min(Survey.answered_at).label("first_at"),
        )
        .where(*_answered(filters, start, end), _reads_as(ceiling=False))
        .group_by(col(Survey.contact_id))
        .subquery()
    )
    who, since = promoters.c.contact_id, promoters.c.first_at
    mailed = exists().where(
        col(OutboxMessage.contact_id) == who,
        col(OutboxMessage.template).in_(ASK_TEMPLATES),
        col(OutboxMessage.status).not_in(NOT_DELIVERED),
        col(OutboxMessage.queued_at) >= since,
    )
    called = exists().where(
        col(ReferenceCall.contact_id) == who, col(ReferenceCall.asked_at) >= since
    )
    wrote = exists().where(
        col(Testimonial.contact_id) == who, col(Testimonial.submitted_at) >= since
    )
    referred = exists().where(
        col(Referral.referrer_contact_id) == who, col(Referral.created_at) >= since
    )
    spoke = exists().where(
        col(ReferenceCall.contact_id) == who,
        col(ReferenceCall.status).in_(GIVEN_CALLS),
        col(ReferenceCall.asked_at) >= since,
    )
    asked = or_(mailed, called)
    gave = and_(asked, or_(wrote, referred, spoke))
    row = session.exec(
        select(
            func.count(),
            func.sum(case((asked, 1), else_=0)),
            func.sum(case((gave, 1), else_=0)),
        ).select_from(promoters)
    ).one()
    return int(row[0]), int(row[1] or 0), int(row[2] or 0)


def line_names(session: Session, line_ids: list[int]) -> dict[int, str]:
    """The name of each of these service lines."""
    if not line_ids:
        return {}
    rows = session.exec(
        select(ServiceLine.id, ServiceLine.name).where(col(ServiceLine.id).in_(line_ids))
    )
    return {line_id: name for line_id, name in rows if line_id is not None}
