"""Query helpers for mail: suppressions and a contact's e-mail history. Add and flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from advocacy.domain.consent import allowed_categories
from advocacy.domain.erasure import fingerprint
from advocacy.models import ClientLink, ConsentChange, OutboxMessage, Suppression


def suppressed_categories(session: Session, email: str) -> set[str]:
    """Categories (and "all"/"bounce" markers) this address is suppressed for."""
    # An erased person's address is kept only as its fingerprint (domain/erasure.py).
    addresses = [email.lower(), fingerprint(email)]
    rows = session.exec(select(Suppression).where(col(Suppression.email).in_(addresses)))
    found: set[str] = set()
    for row in rows:
        found.add(row.category)
        if row.reason == "bounce":
            found.add("bounce")
    return found


def suppression_rows(session: Session, email: str) -> dict[str, Suppression]:
    """This address's suppression rows by category ("all" included)."""
    rows = session.exec(select(Suppression).where(Suppression.email == email.lower()))
    return {row.category: row for row in rows}


@dataclass(frozen=True)
class ContactMessage:
    """One line of a contact's e-mail history."""

    id: int
    subject: str
    category: str
    status: str
    delivery: str
    queued_at: datetime
    sent_at: datetime | None


CONTACT_HISTORY_SHOWN = 50


def messages_for_contact(
    session: Session, contact_id: int, *, limit: int = CONTACT_HISTORY_SHOWN
) -> list[ContactMessage]:
    """The newest e-mails to one contact, for the contact page's e-mail history."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.contact_id == contact_id)
        .order_by(col(OutboxMessage.queued_at).desc(), col(OutboxMessage.id).desc())
        .limit(limit)
    )
    return [
        ContactMessage(
            id=m.id or 0,
            subject=m.subject,
            category=m.category,
            status=m.status,
            delivery=m.delivery,
            queued_at=m.queued_at,
            sent_at=m.sent_at,
        )
        for m in session.exec(query)
    ]


@dataclass(frozen=True)
class ConsentLine:
    """One change of what an address may receive: what, when, and through which link or whom."""

    at: datetime
    category: str
    action: str
    via: str
    link_id: int | None
    link_purpose: str
    detail: str


@dataclass(frozen=True)
class ContactConsent:
    """What a contact's address may receive now, its suppressions, and how that came to be."""

    blocks: list[Suppression]
    allowed: frozenset[str]
    history: list[ConsentLine]


def consent_for_contact(
    session: Session, contact_id: int, email: str | None, *, limit: int = CONTACT_HISTORY_SHOWN
) -> ContactConsent:
    """The contact's e-mail consent as it stands, from the suppressions every withdrawal writes,
    and the newest changes to it (made for this contact, or for its address by staff)."""
    address = (email or "").lower()
    rows = suppression_rows(session, address) if address else {}
    blocks = sorted(rows.values(), key=lambda row: (row.created_at, row.category))
    allowed = allowed_categories({c: r.reason for c, r in rows.items()})
    wanted = col(ConsentChange.contact_id) == contact_id
    if address:
        wanted = or_(wanted, col(ConsentChange.email) == address)
    query = (
        select(ConsentChange, ClientLink.purpose)
        .join(ClientLink, col(ClientLink.id) == ConsentChange.link_id, isouter=True)
        .where(wanted)
        .order_by(col(ConsentChange.at).desc(), col(ConsentChange.id).desc())
        .limit(limit)
    )
    history = [
        ConsentLine(
            at=change.at,
            category=change.category,
            action=change.action,
            via=change.via,
            link_id=change.link_id,
            link_purpose=purpose or "",
            detail=change.detail,
        )
        for change, purpose in session.exec(query)
    ]
    return ContactConsent(blocks, frozenset(c.value for c in allowed), history)
