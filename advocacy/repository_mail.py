"""Query helpers for mail: suppressions and a contact's e-mail history. Add and flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from advocacy.models import OutboxMessage, Suppression


def suppressed_categories(session: Session, email: str) -> set[str]:
    """Categories (and "all"/"bounce" markers) this address is suppressed for."""
    rows = session.exec(select(Suppression).where(Suppression.email == email.lower()))
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
