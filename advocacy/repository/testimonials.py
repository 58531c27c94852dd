"""Query helpers for testimonials, their permissions and consent history. Add/flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol

from sqlmodel import Session, col, select

from advocacy.domain.testimonials import Permission, Use
from advocacy.models import (
    Account,
    Contact,
    PermissionChange,
    Person,
    ServiceLine,
    Testimonial,
    TestimonialPermission,
    TestimonialServiceLine,
)
from advocacy.repository import get_row

LIST_LIMIT = 200


@dataclass(frozen=True)
class TestimonialRow:
    testimonial: Testimonial
    account_name: str
    contact_name: str


@dataclass(frozen=True)
class TestimonialDetail:
    testimonial: Testimonial
    account: Account
    contact: Contact
    contact_name: str
    permissions: list[TestimonialPermission]
    changes: list[PermissionChange]
    service_lines: list[ServiceLine]


def get_testimonial(session: Session, testimonial_id: int) -> Testimonial:
    return get_row(session, Testimonial, testimonial_id)


def permissions_of(session: Session, testimonial_id: int) -> list[TestimonialPermission]:
    query = (
        select(TestimonialPermission)
        .where(TestimonialPermission.testimonial_id == testimonial_id)
        .order_by(col(TestimonialPermission.id))
    )
    return list(session.exec(query))


class StoredPermission(Protocol):
    """What `as_permissions` reads of a stored permission: the model or a row of its columns."""

    @property
    def use(self) -> str: ...
    @property
    def expires_on(self) -> date | None: ...
    @property
    def withdrawn_at(self) -> datetime | None: ...


class PermissionRow(NamedTuple):
    """A stored permission's columns, read as plain values (lists read hundreds at a time)."""

    use: str
    expires_on: date | None
    withdrawn_at: datetime | None


def as_permissions(rows: Iterable[StoredPermission]) -> list[Permission]:
    """Stored rows as the domain's values. The expiry job ends a row after its last day: such a
    row is expired, not withdrawn by the client."""
    return [
        Permission(
            Use(r.use),
            r.expires_on,
            withdrawn=r.withdrawn_at is not None
            and not (r.expires_on is not None and r.withdrawn_at.date() > r.expires_on),
        )
        for r in rows
    ]


def changes_of(session: Session, testimonial_id: int) -> list[PermissionChange]:
    query = (
        select(PermissionChange)
        .where(PermissionChange.testimonial_id == testimonial_id)
        .order_by(col(PermissionChange.at).desc(), col(PermissionChange.id).desc())
    )
    return list(session.exec(query))


def service_line_ids_of(session: Session, testimonial_id: int) -> list[int]:
    query = select(TestimonialServiceLine.service_line_id).where(
        TestimonialServiceLine.testimonial_id == testimonial_id
    )
    return list(session.exec(query))


def set_service_lines(session: Session, testimonial_id: int, wanted: set[int]) -> None:
    rows = session.exec(
        select(TestimonialServiceLine).where(
            TestimonialServiceLine.testimonial_id == testimonial_id
        )
    ).all()
    for row in rows:
        if row.service_line_id not in wanted:
            session.delete(row)
    for line_id in wanted - {row.service_line_id for row in rows}:
        session.add(TestimonialServiceLine(testimonial_id=testimonial_id, service_line_id=line_id))
    session.flush()


def name_of_contact(session: Session, contact: Contact) -> str:
    person = session.get(Person, contact.person_id)
    return person.full_name if person else ""


def list_testimonials(session: Session, status: str = "") -> list[TestimonialRow]:
    query = (
        select(Testimonial, Account.name, Person.full_name)
        .join(Account, col(Account.id) == Testimonial.account_id)
        .join(Contact, col(Contact.id) == Testimonial.contact_id)
        .join(Person, col(Person.id) == Contact.person_id)
        .order_by(col(Testimonial.updated_at).desc(), col(Testimonial.id).desc())
        .limit(LIST_LIMIT)
    )
    if status:
        query = query.where(Testimonial.status == status)
    return [TestimonialRow(t, account, person) for t, account, person in session.exec(query)]


def testimonial_detail(session: Session, testimonial_id: int) -> TestimonialDetail:
    testimonial = get_testimonial(session, testimonial_id)
    account = get_row(session, Account, testimonial.account_id)
    contact = get_row(session, Contact, testimonial.contact_id)
    lines = session.exec(
        select(ServiceLine)
        .join(TestimonialServiceLine, col(TestimonialServiceLine.service_line_id) == ServiceLine.id)
        .where(TestimonialServiceLine.testimonial_id == testimonial_id)
        .order_by(ServiceLine.name)
    ).all()
    return TestimonialDetail(
        testimonial=testimonial,
        account=account,
        contact=contact,
        contact_name=name_of_contact(session, contact),
        permissions=permissions_of(session, testimonial_id),
        changes=changes_of(session, testimonial_id),
        service_lines=list(lines),
    )


def testimonials_of_contact(session: Session, contact_id: int) -> list[Testimonial]:
    """What one person gave us, newest first, drafts awaiting them included."""
    query = (
        select(Testimonial)
        .where(Testimonial.contact_id == contact_id)
        .order_by(col(Testimonial.created_at).desc(), col(Testimonial.id).desc())
    )
    return list(session.exec(query))


def testimonials_of_account(session: Session, account_id: int) -> list[Testimonial]:
    query = (
        select(Testimonial)
        .where(Testimonial.account_id == account_id)
        .order_by(col(Testimonial.created_at).desc())
    )
    return list(session.exec(query))


def open_testimonials_with_expiry(session: Session) -> list[Testimonial]:
    """Testimonials the daily expiry job must look at: open, with a dated permission."""
    query = (
        select(Testimonial)
        .where(col(Testimonial.status).not_in(["withdrawn", "expired"]))
        .where(
            col(Testimonial.id).in_(
                select(TestimonialPermission.testimonial_id).where(
                    col(TestimonialPermission.expires_on).is_not(None),
                    col(TestimonialPermission.withdrawn_at).is_(None),
                )
            )
        )
    )
    return list(session.exec(query))


def testimonial_by_logo(session: Session, name: str) -> Testimonial | None:
    return session.exec(select(Testimonial).where(Testimonial.logo_path == name)).first()


def active_contacts_with_email(session: Session, email: str) -> list[Contact]:
    query = select(Contact).where(Contact.email == email.lower(), Contact.status == "active")
    return list(session.exec(query))
