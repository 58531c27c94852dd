"""What the campaign pages show besides the engine's own reads: the figures of the list, who the
preview names, the enrolments of one campaign and the campaigns of one contact.

Every function sends one statement (or two) whatever the number of campaigns or contacts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from advocacy.domain.campaigns import EnrolmentStatus, StepOutcome
from advocacy.domain.paging import Pager, pager
from advocacy.models import (
    Account,
    AccountTeamMember,
    Campaign,
    Contact,
    ContentItem,
    Enrolment,
    Person,
    StepRecord,
    User,
)


@dataclass(frozen=True)
class CampaignFigures:
    """One line of the campaign list."""

    in_campaign: int = 0  # enrolments still active
    enrolled: int = 0  # every enrolment ever
    sends: int = 0  # e-mails queued by its steps
    last_run: datetime | None = None  # the last time a run did something for it


def campaign_figures(session: Session, campaign_ids: Iterable[int]) -> dict[int, CampaignFigures]:
    """The list's figures of these campaigns (two grouped statements)."""
    wanted = sorted(set(campaign_ids))
    if not wanted:
        return {}
    enrolled: dict[int, tuple[int, int, datetime | None]] = {
        campaign_id: (int(active or 0), int(total), last)
        for campaign_id, active, total, last in session.exec(
            select(
                Enrolment.campaign_id,
                func.sum(case((col(Enrolment.status) == EnrolmentStatus.ACTIVE.value, 1), else_=0)),
                func.count(),
                func.max(Enrolment.enrolled_at),
            )
            .where(col(Enrolment.campaign_id).in_(wanted))
            .group_by(col(Enrolment.campaign_id))
        )
    }
    done: dict[int, tuple[int, datetime | None]] = {
        campaign_id: (int(sends or 0), last)
        for campaign_id, sends, last in session.exec(
            select(
                StepRecord.campaign_id,
                func.count(col(StepRecord.outbox_message_id)),
                func.max(StepRecord.at),
            )
            .where(
                col(StepRecord.campaign_id).in_(wanted),
                StepRecord.outcome == StepOutcome.DONE.value,
            )
            .group_by(col(StepRecord.campaign_id))
        )
    }
    figures: dict[int, CampaignFigures] = {}
    for campaign_id in wanted:
        active, total, enrolled_last = enrolled.get(campaign_id, (0, 0, None))
        sends, done_last = done.get(campaign_id, (0, None))
        moments = [moment for moment in (enrolled_last, done_last) if moment is not None]
        figures[campaign_id] = CampaignFigures(active, total, sends, max(moments, default=None))
    return figures


@dataclass(frozen=True)
class Named:
    """A contact as the preview names them."""

    contact_name: str
    account_id: int
    account_name: str


def names_of(session: Session, contact_ids: Iterable[int]) -> dict[int, Named]:
    """Contact and account names of these contacts (one statement)."""
    wanted = sorted(set(contact_ids))
    if not wanted:
        return {}
    return {
        contact_id: Named(full_name, account_id, account_name)
        for contact_id, full_name, account_id, account_name in session.exec(
            select(Contact.id, Person.full_name, Account.id, Account.name)
            .join(Person, col(Person.id) == col(Contact.person_id))
            .join(Account, col(Account.id) == col(Contact.account_id))
            .where(col(Contact.id).in_(wanted))
        )
        if contact_id is not None and account_id is not None
    }


@dataclass(frozen=True)
class EnrolmentRow:
    """One contact in one campaign, as the campaign page lists them."""

    contact_id: int
    contact_name: str
    account_id: int
    account_name: str
    occurrence: int
    status: str
    enrolled_at: datetime
    next_position: int | None
    next_due_at: datetime | None
    stop_reason: str | None
    stopped_at: datetime | None
    removed_by: str | None


def _name_of(user: Any) -> Any:
    """A user's name, or their address when they have none (NULL when there is no user)."""
    return func.coalesce(func.nullif(user.c.name, ""), user.c.email)


@dataclass(frozen=True)
class EnrolmentPage:
    rows: list[EnrolmentRow]
    total: int
    pager: Pager


def _mine(user_id: int) -> Any:
    return select(Account.id).where(
        (col(Account.owner_id) == user_id)
        | col(Account.id).in_(
            select(AccountTeamMember.account_id).where(AccountTeamMember.user_id == user_id)
        )
    )


def enrolments(
    session: Session,
    campaign_id: int,
    *,
    page: int,
    size: int,
    only_for_user: int | None = None,
) -> EnrolmentPage:
    """The campaign's enrolments, latest first; an account manager's only for their accounts."""
    where: list[Any] = [Enrolment.campaign_id == campaign_id]
    if only_for_user is not None:
        where.append(col(Enrolment.account_id).in_(_mine(only_for_user)))
    total = session.exec(select(func.count()).select_from(Enrolment).where(*where)).one()
    shown = pager(total, page, size)
    remover = User.__table__.alias("remover")  # type: ignore[attr-defined]
    query = (
        select(Enrolment, Person.full_name, Account.name, _name_of(remover))
        .join(Contact, col(Contact.id) == col(Enrolment.contact_id))
        .join(Person, col(Person.id) == col(Contact.person_id))
        .join(Account, col(Account.id) == col(Enrolment.account_id))
        .outerjoin(remover, remover.c.id == col(Enrolment.removed_by_id))
        .where(*where)
        .order_by(col(Enrolment.enrolled_at).desc(), col(Enrolment.id).desc())
        .offset(shown.offset)
        .limit(size)
    )
    rows = [
        EnrolmentRow(
            contact_id=enrolment.contact_id,
            contact_name=full_name,
            account_id=enrolment.account_id,
            account_name=account_name,
            occurrence=enrolment.occurrence,
            status=enrolment.status,
            enrolled_at=enrolment.enrolled_at,
            next_position=enrolment.next_position,
            next_due_at=enrolment.next_due_at,
            stop_reason=enrolment.stop_reason,
            stopped_at=enrolment.stopped_at,
            removed_by=removed_by,
        )
        for enrolment, full_name, account_name, removed_by in session.exec(query)
    ]
    return EnrolmentPage(rows, total, shown)


@dataclass(frozen=True)
class ContactCampaign:
    """One campaign a contact is or was in, for the contact page."""

    campaign_id: int
    campaign_name: str
    campaign_status: str
    status: str
    enrolled_at: datetime
    stop_reason: str | None
    stopped_at: datetime | None
    removed_by: str | None


def campaigns_of_contact(session: Session, contact_id: int) -> list[ContactCampaign]:
    """The contact's latest enrolment in each campaign, newest first (one statement)."""
    remover = User.__table__.alias("remover")  # type: ignore[attr-defined]
    found: dict[int, ContactCampaign] = {}
    for enrolment, name, status, removed_by in session.exec(
        select(Enrolment, Campaign.name, Campaign.status, _name_of(remover))
        .join(Campaign, col(Campaign.id) == col(Enrolment.campaign_id))
        .outerjoin(remover, remover.c.id == col(Enrolment.removed_by_id))
        .where(Enrolment.contact_id == contact_id)
        .order_by(col(Enrolment.campaign_id), col(Enrolment.occurrence))
    ):
        found[enrolment.campaign_id] = ContactCampaign(
            campaign_id=enrolment.campaign_id,
            campaign_name=name,
            campaign_status=status,
            status=enrolment.status,
            enrolled_at=enrolment.enrolled_at,
            stop_reason=enrolment.stop_reason,
            stopped_at=enrolment.stopped_at,
            removed_by=removed_by,
        )
    return sorted(found.values(), key=lambda row: row.enrolled_at, reverse=True)


@dataclass(frozen=True)
class ContentChoice:
    id: int
    title: str
    language: str
    archived: bool


def content_choices(session: Session, keep: Iterable[int] = ()) -> list[ContentChoice]:
    """Items an e-mail step may send: those in use, and any the campaign already names."""
    kept = sorted(set(keep))
    where: Any = col(ContentItem.archived).is_(False)
    if kept:
        where = where | col(ContentItem.id).in_(kept)
    return [
        ContentChoice(item.id or 0, item.title, item.language, item.archived)
        for item in session.exec(
            select(ContentItem).where(where).order_by(col(ContentItem.title), col(ContentItem.id))
        )
    ]


@dataclass(frozen=True)
class SentBecause:
    """The campaign step that sent an e-mail, and the reason stored with it."""

    campaign_id: int
    campaign_name: str
    position: int
    service_line_id: int | None
    reason_json: str


def sent_because(session: Session, message_id: int) -> SentBecause | None:
    """Which campaign step sent this outbox message, and why (one statement; None if none did)."""
    row = session.exec(
        select(StepRecord, Campaign.name)
        .join(Campaign, col(Campaign.id) == col(StepRecord.campaign_id))
        .where(StepRecord.outbox_message_id == message_id)
        .limit(1)
    ).first()
    if row is None:
        return None
    record, name = row
    return SentBecause(
        record.campaign_id, name, record.position, record.service_line_id, record.reason_json
    )
