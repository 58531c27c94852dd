"""Read models for the contact page and the home page's journey signals. Queries only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from advocacy.models import (
    Account,
    Contact,
    Engagement,
    EngagementContact,
    JourneySignal,
    Person,
    Referral,
    Touchpoint,
)
from advocacy.repository import journey
from advocacy.repository.read_models.accounts import (
    TOUCHPOINTS_SHOWN,
    TouchpointRow,
    names_of_people,
)


@dataclass(frozen=True)
class Position:
    """One of a person's positions: a contact at an account."""

    contact: Contact
    account: Account


@dataclass
class ContactHistory:
    """Everything the contact page shows: the person across employers, and what we did with them."""

    contact: Contact
    person: Person
    account: Account
    roles: list[str]
    positions: list[Position]
    touchpoints: list[TouchpointRow]
    engagements: list[tuple[Engagement, Account]]
    touchpoint_total: int = 0  # all of them; `touchpoints` holds the latest TOUCHPOINTS_SHOWN


def contact_history(session: Session, contact_id: int) -> ContactHistory:
    """A contact with the person's other positions, touchpoints and engagements (or NotFound)."""
    contact = journey.get_contact(session, contact_id)
    person = journey.get_person(session, contact.person_id)
    positions = [
        Position(c, a)
        for c, a in session.exec(
            select(Contact, Account)
            .join(Account, col(Account.id) == Contact.account_id)
            .where(Contact.person_id == person.id)
            .order_by(col(Contact.created_at), col(Contact.id))
        )
    ]
    ids = [p.contact.id for p in positions]
    accounts = {p.contact.id: p.account.name for p in positions}
    touchpoints = [
        TouchpointRow(t, person.full_name, accounts.get(t.contact_id, ""))
        for t in session.exec(
            select(Touchpoint)
            .where(col(Touchpoint.contact_id).in_(ids))
            .order_by(col(Touchpoint.occurred_at).desc(), col(Touchpoint.id).desc())
            .limit(TOUCHPOINTS_SHOWN)
        )
    ]
    total = session.exec(
        select(func.count()).select_from(Touchpoint).where(col(Touchpoint.contact_id).in_(ids))
    ).one()
    engagements = [
        (e, a)
        for e, a in session.exec(
            select(Engagement, Account)
            .join(Account, col(Account.id) == Engagement.account_id)
            .join(EngagementContact, col(EngagementContact.engagement_id) == Engagement.id)
            .where(col(EngagementContact.contact_id).in_(ids))
            .order_by(col(Engagement.start_date).desc(), col(Engagement.id).desc())
            .distinct()
        )
    ]
    roles = sorted(journey.roles_of(session, [contact_id]).get(contact_id, set()))
    account = next(p.account for p in positions if p.contact.id == contact.id)
    return ContactHistory(
        contact, person, account, roles, positions, touchpoints, engagements, total
    )


@dataclass(frozen=True)
class SignalRow:
    signal: JourneySignal
    account_name: str
    related_account_name: str
    person_name: str
    referrer_name: str = ""  # a new referral: the client who made the introduction


def _referrers(session: Session, prospect_contact_ids: set[int]) -> dict[int, str]:
    """Prospect contact id -> the name of the client who introduced them."""
    if not prospect_contact_ids:
        return {}
    query = select(Referral.prospect_contact_id, Referral.referrer_contact_id).where(
        col(Referral.prospect_contact_id).in_(prospect_contact_ids)
    )
    pairs = {prospect: referrer for prospect, referrer in session.exec(query) if prospect}
    names = names_of_people(session, set(pairs.values()))
    return {prospect: names.get(referrer, "") for prospect, referrer in pairs.items()}


def open_signals_for(session: Session, owner_id: int) -> list[SignalRow]:
    """The journey signals a user owns and has not dealt with yet, newest first."""
    query = (
        select(JourneySignal, Account.name)
        .join(Account, col(Account.id) == JourneySignal.account_id)
        .where(JourneySignal.owner_id == owner_id, col(JourneySignal.resolved_at).is_(None))
        .order_by(col(JourneySignal.created_at).desc(), col(JourneySignal.id).desc())
    )
    found = list(session.exec(query))
    related_ids = {s.related_account_id for s, _ in found if s.related_account_id}
    related = (
        {
            account_id: name
            for account_id, name in session.exec(
                select(Account.id, Account.name).where(col(Account.id).in_(related_ids))
            )
        }
        if related_ids
        else {}
    )
    names = names_of_people(session, {s.contact_id for s, _ in found if s.contact_id})
    referrers = _referrers(
        session, {s.contact_id for s, _ in found if s.kind == "referral" and s.contact_id}
    )
    return [
        SignalRow(
            signal,
            name,
            related.get(signal.related_account_id or 0, ""),
            names.get(signal.contact_id or 0, ""),
            referrers.get(signal.contact_id or 0, ""),
        )
        for signal, name in found
    ]
