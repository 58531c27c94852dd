"""Query helpers for the JSON API: filtered, paginated lists and the data their items need.

Pages are ordered by id: a cursor is the last id seen, so a page never repeats or skips a row
when rows are added meanwhile (offset pages may, which is why `next` prefers cursors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from advocacy.models import (
    Account,
    CheckIn,
    Contact,
    ContentItem,
    Engagement,
    EngagementContact,
    EngagementServiceLine,
    Person,
    Referral,
    ServiceLine,
    Survey,
    Touchpoint,
)
from advocacy.repository import content

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """Which slice of a list to read: after an id (cursor) or from an offset (page)."""

    limit: int
    after_id: int | None = None
    offset: int = 0


def _page(
    session: Session, query: SelectOfScalar[T], id_column: Any, window: Window
) -> tuple[list[T], bool]:
    """The rows of the window, and whether more follow."""
    if window.after_id is not None:
        query = query.where(id_column > window.after_id)
    query = query.order_by(id_column).offset(window.offset).limit(window.limit + 1)
    rows = list(session.exec(query))
    return rows[: window.limit], len(rows) > window.limit


def list_accounts(
    session: Session,
    window: Window,
    *,
    stage: str | None = None,
    owner_id: int | None = None,
    industry: str | None = None,
    camp: str | None = None,
    name_contains: str | None = None,
    updated_since: datetime | None = None,
) -> tuple[list[Account], bool]:
    query = select(Account)
    if stage is not None:
        query = query.where(Account.stage == stage)
    if owner_id is not None:
        query = query.where(Account.owner_id == owner_id)
    if industry is not None:
        query = query.where(func.lower(Account.industry) == industry.strip().lower())
    if camp is not None:
        query = query.where(Account.camp == camp)
    if name_contains is not None:
        pattern = name_contains.strip().lower()
        query = query.where(func.lower(Account.name).contains(pattern, autoescape=True))
    if updated_since is not None:
        query = query.where(col(Account.updated_at) >= updated_since)
    return _page(session, query, col(Account.id), window)


def list_contacts(
    session: Session,
    window: Window,
    *,
    account_id: int | None = None,
    status: str | None = None,
    email: str | None = None,
    updated_since: datetime | None = None,
) -> tuple[list[Contact], bool]:
    query = select(Contact)
    if account_id is not None:
        query = query.where(Contact.account_id == account_id)
    if status is not None:
        query = query.where(Contact.status == status)
    if email is not None:
        query = query.where(Contact.email == email.strip().lower())
    if updated_since is not None:
        query = query.where(col(Contact.updated_at) >= updated_since)
    return _page(session, query, col(Contact.id), window)


def list_engagements(
    session: Session,
    window: Window,
    *,
    account_id: int | None = None,
    status: str | None = None,
    updated_since: datetime | None = None,
) -> tuple[list[Engagement], bool]:
    query = select(Engagement)
    if account_id is not None:
        query = query.where(Engagement.account_id == account_id)
    if status is not None:
        query = query.where(Engagement.status == status)
    if updated_since is not None:
        query = query.where(col(Engagement.updated_at) >= updated_since)
    return _page(session, query, col(Engagement.id), window)


def list_touchpoints(
    session: Session,
    window: Window,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    kind: str | None = None,
    initiative: str | None = None,
    since: datetime | None = None,
) -> tuple[list[Touchpoint], bool]:
    query = select(Touchpoint)
    if account_id is not None:
        query = query.where(Touchpoint.account_id == account_id)
    if contact_id is not None:
        query = query.where(Touchpoint.contact_id == contact_id)
    if kind is not None:
        query = query.where(Touchpoint.kind == kind)
    if initiative is not None:
        query = query.where(Touchpoint.initiative == initiative)
    if since is not None:
        query = query.where(col(Touchpoint.occurred_at) >= since)
    return _page(session, query, col(Touchpoint.id), window)


def list_service_lines(
    session: Session, window: Window, *, active: bool | None = None
) -> tuple[list[ServiceLine], bool]:
    query = select(ServiceLine)
    if active is not None:
        query = query.where(ServiceLine.active == active)
    return _page(session, query, col(ServiceLine.id), window)


def list_content(
    session: Session, window: Window, wanted: content.ContentFilter
) -> tuple[list[ContentItem], bool]:
    return _page(session, content.filtered(session, wanted), col(ContentItem.id), window)


def list_check_ins(
    session: Session,
    window: Window,
    *,
    owner_id: int | None = None,
    account_id: int | None = None,
    status: str | None = None,
    due_before: date | None = None,
) -> tuple[list[CheckIn], bool]:
    query = select(CheckIn)
    if owner_id is not None:
        query = query.where(CheckIn.owner_id == owner_id)
    if account_id is not None:
        query = query.where(CheckIn.account_id == account_id)
    if status is not None:
        query = query.where(CheckIn.status == status)
    if due_before is not None:
        query = query.where(col(CheckIn.due_on) <= due_before)
    return _page(session, query, col(CheckIn.id), window)


def list_referrals(
    session: Session,
    window: Window,
    *,
    status: str | None = None,
    owner_id: int | None = None,
) -> tuple[list[Referral], bool]:
    query = select(Referral)
    if status is not None:
        query = query.where(Referral.status == status)
    if owner_id is not None:
        query = query.where(Referral.owner_id == owner_id)
    return _page(session, query, col(Referral.id), window)


def list_survey_answers(
    session: Session,
    window: Window,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    kind: str | None = None,
    since: datetime | None = None,
) -> tuple[list[Survey], bool]:
    """Answered surveys only: a survey without a score is the firm's plan, not the client's word."""
    query = select(Survey).where(
        col(Survey.score).is_not(None), col(Survey.answered_at).is_not(None)
    )
    if account_id is not None:
        query = query.where(Survey.account_id == account_id)
    if contact_id is not None:
        query = query.where(Survey.contact_id == contact_id)
    if kind is not None:
        query = query.where(Survey.kind == kind)
    if since is not None:
        query = query.where(col(Survey.answered_at) >= since)
    return _page(session, query, col(Survey.id), window)


def get_touchpoint(session: Session, touchpoint_id: int) -> Touchpoint | None:
    return session.get(Touchpoint, touchpoint_id)


def person_names(session: Session, person_ids: list[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    query = select(Person.id, Person.full_name).where(col(Person.id).in_(set(person_ids)))
    return {person_id: name for person_id, name in session.exec(query) if person_id is not None}


def engagement_links(
    session: Session, engagement_ids: list[int]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Service line ids and contact ids per engagement id."""
    lines: dict[int, list[int]] = {engagement_id: [] for engagement_id in engagement_ids}
    people: dict[int, list[int]] = {engagement_id: [] for engagement_id in engagement_ids}
    if engagement_ids:
        ids = set(engagement_ids)
        for engagement_id, line_id in session.exec(
            select(EngagementServiceLine.engagement_id, EngagementServiceLine.service_line_id)
            .where(col(EngagementServiceLine.engagement_id).in_(ids))
            .order_by(col(EngagementServiceLine.service_line_id))
        ):
            lines[engagement_id].append(line_id)
        for engagement_id, contact_id in session.exec(
            select(EngagementContact.engagement_id, EngagementContact.contact_id)
            .where(col(EngagementContact.engagement_id).in_(ids))
            .order_by(col(EngagementContact.contact_id))
        ):
            people[engagement_id].append(contact_id)
    return lines, people
