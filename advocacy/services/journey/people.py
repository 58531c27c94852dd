"""People use cases: add and edit contacts, and follow people who leave, move or retire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from advocacy.domain.audit import Action
from advocacy.domain.errors import Conflict
from advocacy.domain.mail import ALL
from advocacy.domain.people import ContactStatus, plan_departure
from advocacy.domain.text import N_
from advocacy.domain.webhooks import EventType
from advocacy.models import (
    Account,
    AccountCreate,
    ConsentChange,
    Contact,
    ContactCreate,
    ContactUpdate,
    JourneySignal,
    Person,
    User,
)
from advocacy.models.fields import saved_id
from advocacy.repository import audit, journey
from advocacy.services.journey.accounts import add_account, check_may_edit
from advocacy.services.scoring import recompute
from advocacy.services.webhooks import events as webhook_events


def add_contact_to(
    session: Session,
    account: Account,
    data: ContactCreate,
    *,
    now: datetime,
    person: Person | None = None,
) -> Contact:
    """Add a contact (and their person, unless given) to `account` (helper: flushes only)."""
    if data.external_id and journey.contact_by_external_id(session, data.external_id):
        raise Conflict(N_("Another contact already has this external id."))
    if person is None:
        person = Person(full_name=data.full_name, created_at=now)
        session.add(person)
        session.flush()
    contact = Contact.model_validate(
        data.model_dump(exclude={"full_name", "roles"}),
        update={
            "person_id": person.id,
            "account_id": account.id,
            "created_at": now,
            "updated_at": now,
            "seniority": data.seniority.value,
            "consent_at": now if data.consent_basis else None,
        },
    )
    session.add(contact)
    session.flush()
    assert contact.id is not None
    journey.set_roles(session, contact.id, {role.value for role in data.roles})
    if data.consent_basis:
        _record_consent(session, contact, by=None, now=now)
    return contact


def _record_consent(session: Session, contact: Contact, *, by: User | None, now: datetime) -> None:
    """Append who set which basis for mailing this contact, and when (consent is data)."""
    if not contact.email:
        return
    basis = contact.consent_basis
    session.add(
        ConsentChange(
            contact_id=contact.id,
            email=contact.email,
            category=ALL,
            action="consent" if basis else "withdraw",
            via="staff",
            detail=(f"{basis}: {contact.consent_source}" if basis else "basis removed")[:500]
            + (f" (by user {by.id})" if by else ""),
            at=now,
        )
    )
    if by is not None:  # a change of basis on a known contact (a new one's is in its history)
        audit.record(
            session,
            Action.CONSENT_CHANGED,
            actor=audit.user_actor(by),
            subject=("contact", contact.id),
            details={"categories": ALL, "status": "consent" if basis else "withdraw"},
            now=now,
        )


def add_contact(
    session: Session, account_id: int, data: ContactCreate, *, by: User, now: datetime
) -> Contact:
    """Add a person's position at an account."""
    account = journey.get_account(session, account_id)
    check_may_edit(session, account, by)
    contact = add_contact_to(session, account, data, now=now)
    session.commit()
    return contact


def update_contact(
    session: Session, contact_id: int, data: ContactUpdate, *, by: User, now: datetime
) -> Contact:
    """Change a contact's details and roles; the person's name follows them everywhere."""
    contact = journey.get_contact(session, contact_id)
    check_may_edit(session, journey.get_account(session, contact.account_id), by)
    changes = data.model_dump(exclude_unset=True)
    roles = changes.pop("roles", None)
    full_name = changes.pop("full_name", None)
    basis_changed = "consent_basis" in changes and changes["consent_basis"] != contact.consent_basis
    for name, value in changes.items():
        setattr(contact, name, value.value if hasattr(value, "value") else value)
    if full_name:
        person = journey.get_person(session, contact.person_id)
        person.full_name = full_name
        session.add(person)
    if roles is not None:
        journey.set_roles(session, contact_id, {str(role) for role in roles})
    if basis_changed:
        contact.consent_at = now if contact.consent_basis else None
        _record_consent(session, contact, by=by, now=now)
    contact.updated_at = now
    session.add(contact)
    session.commit()
    return contact


@dataclass(frozen=True)
class DepartureResult:
    contact: Contact
    new_contact: Contact | None
    new_account: Account | None
    new_account_created: bool


def record_departure(
    session: Session,
    contact_id: int,
    *,
    retired: bool,
    on: date,
    new_employer: str | None,
    new_title: str = "",
    by: User,
    now: datetime,
) -> DepartureResult:
    """Mark a contact as left or retired; follow a mover to their new company.

    A move creates the person's contact at the new account (a new prospect when the company is
    unknown) and raises two signals for the old account's owner: the opportunity at the new
    company, and the seat to re-staff at the old one. Retirement keeps the person as alumni.
    """
    contact = journey.get_contact(session, contact_id)
    old_account = journey.get_account(session, contact.account_id)
    check_may_edit(session, old_account, by)
    departure = plan_departure(
        ContactStatus(contact.status),
        retired=retired,
        on=on,
        new_employer=new_employer,
        today=now.date(),
    )
    person = journey.get_person(session, contact.person_id)
    contact.status, contact.ended_on, contact.updated_at = departure.status.value, on, now
    if retired:
        person.retired_on = on
    session.add_all([contact, person])
    session.add(
        JourneySignal(
            kind="restaff",
            account_id=saved_id(old_account),
            contact_id=contact.id,
            owner_id=old_account.owner_id,
            created_at=now,
            message=f"Re-staff the relationship: who replaces {person.full_name}?",
        )
    )
    new_contact = new_account = None
    created = False
    if departure.new_employer:
        new_account = journey.account_by_name(session, departure.new_employer)
        if new_account is None:
            created = True
            new_account = add_account(
                session,
                AccountCreate(name=departure.new_employer, owner_id=old_account.owner_id),
                by=by,
                now=now,
                source="moved_contact",
            )
        new_contact = add_contact_to(
            session,
            new_account,
            ContactCreate(
                full_name=person.full_name,
                title=new_title,
                language=contact.language,
                timezone=contact.timezone,
                started_on=on,
            ),
            now=now,
            person=person,
        )
        contact.moved_to_contact_id = new_contact.id
        session.add(
            JourneySignal(
                kind="champion_moved",
                account_id=saved_id(new_account),
                contact_id=new_contact.id,
                related_account_id=old_account.id,
                owner_id=old_account.owner_id,
                created_at=now,
                message=f"{person.full_name} moved from {old_account.name} to {new_account.name}",
            )
        )
    recompute.rescore(session, [saved_id(contact)], now=now)
    webhook_events.contact_left(
        session,
        contact,
        EventType.CONTACT_RETIRED if retired else EventType.CONTACT_MOVED,
        new_company=new_account.name if new_account else "",
        now=now,
    )
    session.commit()
    return DepartureResult(contact, new_contact, new_account, created)
