"""Query helpers for accounts, people, engagements and touchpoints. Add and flush, never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.errors import NotFound
from advocacy.domain.people import ContactStatus
from advocacy.models import (
    Account,
    AccountTeamMember,
    CheckIn,
    Contact,
    ContactRole,
    Engagement,
    EngagementContact,
    EngagementServiceLine,
    JourneySignal,
    Person,
    ServiceLine,
    ServiceLineIndustry,
    Survey,
    Touchpoint,
)
from advocacy.repository import get_row, present_ids

__all__ = ["NotFound"]


def get_account(session: Session, account_id: int) -> Account:
    return get_row(session, Account, account_id)


def get_contact(session: Session, contact_id: int) -> Contact:
    return get_row(session, Contact, contact_id)


def get_engagement(session: Session, engagement_id: int) -> Engagement:
    return get_row(session, Engagement, engagement_id)


def get_person(session: Session, person_id: int) -> Person:
    return get_row(session, Person, person_id)


def contacts_of_person(session: Session, person_id: int) -> list[Contact]:
    """Every position of one person, at every employer they had, in order."""
    query = select(Contact).where(Contact.person_id == person_id).order_by(col(Contact.id))
    return list(session.exec(query))


def account_by_external_id(session: Session, external_id: str) -> Account | None:
    return session.exec(select(Account).where(Account.external_id == external_id)).first()


def contact_by_external_id(session: Session, external_id: str) -> Contact | None:
    return session.exec(select(Contact).where(Contact.external_id == external_id)).first()


def engagement_by_external_id(session: Session, external_id: str) -> Engagement | None:
    return session.exec(select(Engagement).where(Engagement.external_id == external_id)).first()


def touchpoint_by_external_id(session: Session, external_id: str) -> Touchpoint | None:
    return session.exec(select(Touchpoint).where(Touchpoint.external_id == external_id)).first()


def touchpoints_closing_work(session: Session, touchpoint_ids: list[int]) -> set[int]:
    """Those of `touchpoint_ids` that a check-in or a survey points to (their record)."""
    if not touchpoint_ids:
        return set()
    found: set[int] = set()
    for column in (col(CheckIn.touchpoint_id), col(Survey.touchpoint_id)):
        found.update(present_ids(session.exec(select(column).where(column.in_(touchpoint_ids)))))
    return found


def get_service_line(session: Session, line_id: int) -> ServiceLine:
    return get_row(session, ServiceLine, line_id)


def service_line_by_name(session: Session, name: str) -> ServiceLine | None:
    query = select(ServiceLine).where(func.lower(ServiceLine.name) == name.strip().lower())
    return session.exec(query).first()


def list_service_lines(session: Session, *, active_only: bool = False) -> list[ServiceLine]:
    query = select(ServiceLine).order_by(col(ServiceLine.name))
    if active_only:
        query = query.where(ServiceLine.active)
    return list(session.exec(query))


def relevance_by_industry(
    session: Session, industries: Iterable[str] | None = None
) -> dict[str, dict[int, int]]:
    """Industry -> {line id: relevance 1-5}, for these industries (None: all); unrated ones absent."""
    query = select(
        ServiceLineIndustry.industry,
        ServiceLineIndustry.service_line_id,
        ServiceLineIndustry.relevance,
    )
    if industries is not None:
        wanted = sorted({industry for industry in industries if industry})
        if not wanted:
            return {}
        query = query.where(col(ServiceLineIndustry.industry).in_(wanted))
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for industry, line_id, relevance in session.exec(query):
        found[industry][line_id] = relevance
    return dict(found)


def account_by_name(session: Session, name: str) -> Account | None:
    """The account whose name matches, ignoring case and surrounding spaces."""
    query = select(Account).where(func.lower(Account.name) == name.strip().lower())
    return session.exec(query.order_by(col(Account.id))).first()


def team_user_ids(session: Session, account_id: int) -> set[int]:
    query = select(AccountTeamMember.user_id).where(AccountTeamMember.account_id == account_id)
    return set(session.exec(query))


def roles_of(session: Session, contact_ids: list[int]) -> dict[int, set[str]]:
    """Buying-group roles per contact id."""
    roles: dict[int, set[str]] = {contact_id: set() for contact_id in contact_ids}
    if contact_ids:
        query = select(ContactRole).where(col(ContactRole.contact_id).in_(contact_ids))
        for row in session.exec(query):
            roles[row.contact_id].add(row.role)
    return roles


def set_roles(session: Session, contact_id: int, roles: set[str]) -> None:
    current = {
        row.role: row
        for row in session.exec(select(ContactRole).where(ContactRole.contact_id == contact_id))
    }
    for role in set(current) - roles:
        session.delete(current[role])
    for role in sorted(roles - set(current)):
        session.add(ContactRole(contact_id=contact_id, role=role))


def engagements_of(session: Session, account_id: int) -> list[Engagement]:
    query = select(Engagement).where(Engagement.account_id == account_id)
    return list(session.exec(query.order_by(col(Engagement.start_date).desc(), col(Engagement.id))))


def service_line_ids_of(session: Session, engagement_id: int) -> list[int]:
    query = select(EngagementServiceLine.service_line_id).where(
        EngagementServiceLine.engagement_id == engagement_id
    )
    return sorted(session.exec(query))


def contact_ids_of(session: Session, engagement_id: int) -> list[int]:
    query = select(EngagementContact.contact_id).where(
        EngagementContact.engagement_id == engagement_id
    )
    return sorted(session.exec(query))


def set_engagement_links(
    session: Session, engagement_id: int, service_line_ids: list[int], contact_ids: list[int]
) -> None:
    for row in session.exec(
        select(EngagementServiceLine).where(EngagementServiceLine.engagement_id == engagement_id)
    ):
        session.delete(row)
    for link in session.exec(
        select(EngagementContact).where(EngagementContact.engagement_id == engagement_id)
    ):
        session.delete(link)
    session.flush()
    for line_id in sorted(set(service_line_ids)):
        session.add(EngagementServiceLine(engagement_id=engagement_id, service_line_id=line_id))
    for contact_id in sorted(set(contact_ids)):
        session.add(EngagementContact(engagement_id=engagement_id, contact_id=contact_id))


def existing_service_line_ids(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.exec(select(ServiceLine.id).where(col(ServiceLine.id).in_(ids))))  # type: ignore[arg-type]


def contact_ids_at(
    session: Session, account_id: int, ids: list[int], *, active_only: bool = False
) -> set[int]:
    """Those of `ids` that are contacts of the account (and still active there, if asked)."""
    if not ids:
        return set()
    query = select(Contact.id).where(Contact.account_id == account_id, col(Contact.id).in_(ids))
    if active_only:
        query = query.where(Contact.status == ContactStatus.ACTIVE.value)
    return set(session.exec(query))  # type: ignore[arg-type]


def open_signal(session: Session, account_id: int, kind: str) -> JourneySignal | None:
    query = select(JourneySignal).where(
        JourneySignal.account_id == account_id,
        JourneySignal.kind == kind,
        col(JourneySignal.resolved_at).is_(None),
    )
    return session.exec(query).first()


def resolve_signals(session: Session, account_id: int, kind: str, *, now: datetime) -> None:
    query = select(JourneySignal).where(
        JourneySignal.account_id == account_id,
        JourneySignal.kind == kind,
        col(JourneySignal.resolved_at).is_(None),
    )
    for signal in session.exec(query):
        signal.resolved_at = now
        session.add(signal)


def between_accounts_with_last_end(session: Session) -> list[tuple[Account, date | None]]:
    """Accounts between engagements, each with the latest end date of its engagements."""
    last_end = (
        select(Engagement.account_id, func.max(Engagement.end_date).label("last_end"))
        .group_by(col(Engagement.account_id))
        .subquery()
    )
    query = (
        select(Account, last_end.c.last_end)
        .join(last_end, last_end.c.account_id == Account.id, isouter=True)
        .where(Account.stage == "between")
        .order_by(col(Account.id))
    )
    return [(account, end) for account, end in session.exec(query)]


def touchpoint_moments(session: Session, account_id: int) -> list[tuple[datetime, str, str]]:
    """When, on whose initiative and of what kind each of the account's touchpoints happened:
    three columns of every row, enough for the journey picture whatever the account's age."""
    query = select(Touchpoint.occurred_at, Touchpoint.initiative, Touchpoint.kind).where(
        Touchpoint.account_id == account_id
    )
    return [(at, initiative, kind) for at, initiative, kind in session.exec(query)]
