"""Queries of the advocacy pipeline: contacts per stored tier, what clients gave per month
(testimonials, referrals, reference calls), reference requests and calls by outcome, and consent
withdrawn per month. One grouped statement each, whatever the data size."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.models import (
    ConsentChange,
    Contact,
    ContactScore,
    PermissionChange,
    ReferenceCall,
    ReferenceRequest,
    Referral,
    Testimonial,
)
from advocacy.repository.analytics.scope import (
    account_conditions,
    month_of,
    narrows_accounts,
    period_conditions,
)
from advocacy.repository.read_models.calibration import GIVEN_CALLS

# Mail consent withdrawn: an unsubscribe (one category or all) or a withdrawn consent.
CONSENT_WITHDRAWN = ("unsubscribe", "withdraw")


def contacts_per_tier(session: Session, filters: AnalyticsFilters) -> dict[str, int]:
    """How many contacts have each stored tier now."""
    rows = session.exec(
        select(ContactScore.tier, func.count())
        .where(*account_conditions(ContactScore.account_id, filters))
        .group_by(col(ContactScore.tier))
    )
    return {tier: int(number) for tier, number in rows}


def _per_month(session: Session, moment: Any, *where: Any) -> dict[str, int]:
    month = month_of(session, moment)
    rows = session.exec(select(month, func.count()).where(*where).group_by(month))
    return {key: int(number) for key, number in rows if key}


def gifts_per_month(
    session: Session, filters: AnalyticsFilters, *, start: datetime, end: datetime | None
) -> dict[str, dict[str, int]]:
    """Per month: testimonials submitted, referrals received, reference calls agreed to."""
    testimonials = _per_month(
        session,
        Testimonial.submitted_at,
        col(Testimonial.submitted_at).is_not(None),
        *period_conditions(Testimonial.submitted_at, start, end),
        *account_conditions(Testimonial.account_id, filters),
    )
    referrals = _per_month(
        session,
        Referral.created_at,
        *period_conditions(Referral.created_at, start, end),
        *account_conditions(Referral.referrer_account_id, filters),
    )
    calls = _per_month(
        session,
        ReferenceCall.answered_at,
        col(ReferenceCall.status).in_(GIVEN_CALLS),
        col(ReferenceCall.answered_at).is_not(None),
        *period_conditions(ReferenceCall.answered_at, start, end),
        *_call_accounts(filters),
    )
    return {"testimonials": testimonials, "referrals": referrals, "references": calls}


def _call_accounts(filters: AnalyticsFilters) -> list[Any]:
    if not narrows_accounts(filters):
        return []
    kept = select(Contact.id).where(*account_conditions(Contact.account_id, filters))
    return [col(ReferenceCall.contact_id).in_(kept)]


def requests_by_status(
    session: Session, filters: AnalyticsFilters, *, start: datetime | None, end: datetime | None
) -> dict[str, int]:
    """Reference requests made in the period, by status (open, fulfilled, cancelled). A request
    names no account: only the industry and service line filters apply, to its own fields."""
    query = select(ReferenceRequest.status, func.count()).where(
        *period_conditions(ReferenceRequest.created_at, start, end)
    )
    if filters.industry is not None:
        query = query.where(ReferenceRequest.industry == filters.industry)
    if filters.service_line_id is not None:
        query = query.where(ReferenceRequest.service_line_id == filters.service_line_id)
    rows = session.exec(query.group_by(col(ReferenceRequest.status)))
    return {status: int(number) for status, number in rows}


def calls_by_status(
    session: Session, filters: AnalyticsFilters, *, start: datetime | None, end: datetime | None
) -> dict[str, int]:
    """Reference calls asked in the period, by status (asked, accepted, declined, held...)."""
    rows = session.exec(
        select(ReferenceCall.status, func.count())
        .where(
            *period_conditions(ReferenceCall.asked_at, start, end),
            *_call_accounts(filters),
        )
        .group_by(col(ReferenceCall.status))
    )
    return {status: int(number) for status, number in rows}


def withdrawals_per_month(
    session: Session, filters: AnalyticsFilters, *, start: datetime, end: datetime | None
) -> dict[str, dict[str, int]]:
    """Per month: testimonial permissions withdrawn, and mail consent withdrawn."""
    permissions = _per_month(
        session,
        PermissionChange.at,
        PermissionChange.action == "withdraw",
        *period_conditions(PermissionChange.at, start, end),
        *(
            [
                col(PermissionChange.testimonial_id).in_(
                    select(Testimonial.id).where(
                        *account_conditions(Testimonial.account_id, filters)
                    )
                )
            ]
            if narrows_accounts(filters)
            else []
        ),
    )
    mail = _per_month(
        session,
        ConsentChange.at,
        col(ConsentChange.action).in_(CONSENT_WITHDRAWN),
        *period_conditions(ConsentChange.at, start, end),
        *(
            [
                col(ConsentChange.contact_id).in_(
                    select(Contact.id).where(*account_conditions(Contact.account_id, filters))
                )
            ]
            if narrows_accounts(filters)
            else []
        ),
    )
    return {"permissions": permissions, "mail": mail}
