"""An objection to profiling (GDPR Art. 21): the contact is never scored again, and their score
and its history are deleted at once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.domain.audit import Action, client_link_actor
from advocacy.models import Account, ConsentChange, Contact, User
from advocacy.repository import audit, get_row, stored_scores
from advocacy.services.access.client_links import resolve_link
from advocacy.services.journey.accounts import check_may_edit

PROFILING = "profiling"
UNSUBSCRIBE_PURPOSE = "unsubscribe"


def record_objection(
    session: Session,
    contact: Contact,
    *,
    via: str,
    link_id: int | None,
    now: datetime,
    by: User | None = None,
) -> None:
    """Mark the contact as objecting to profiling, forget their scores, log it (flushes only)."""
    if contact.profiling_objected_at is None:
        contact.profiling_objected_at = now
        contact.profiling_objected_via = via
        contact.updated_at = now
        session.add(contact)
    session.add(
        ConsentChange(
            contact_id=contact.id,
            email=contact.email or "",
            category=PROFILING,
            action="object",
            via=via,
            link_id=link_id,
            at=now,
        )
    )
    assert contact.id is not None
    audit.record(
        session,
        Action.CONSENT_CHANGED,
        actor=audit.user_actor(by) if by is not None else client_link_actor(contact.id),
        subject=("contact", contact.id),
        details={"categories": PROFILING, "status": "object", "source": via},
        now=now,
    )
    stored_scores.forget_scores(session, contact.id)


def object_by_staff(session: Session, contact_id: int, *, by: User, now: datetime) -> Contact:
    """Record, for a contact who told staff so, that they object to profiling."""
    contact = get_row(session, Contact, contact_id)
    check_may_edit(session, get_row(session, Account, contact.account_id), by)
    record_objection(session, contact, via="staff", link_id=None, now=now, by=by)
    session.commit()
    return contact


def object_by_link(session: Session, token: str, *, now: datetime) -> bool:
    """The client objected to profiling on their preference page; False for an unknown link."""
    link = resolve_link(session, token, purpose=UNSUBSCRIBE_PURPOSE, now=now)
    if link is None or link.contact_id is None:
        return False
    contact = get_row(session, Contact, link.contact_id)
    record_objection(session, contact, via="preference_page", link_id=link.id, now=now)
    link.used_at = link.used_at or now
    session.commit()
    return True


def has_objected(session: Session, token: str, *, now: datetime) -> bool:
    """Whether the person behind this preference link already objected to profiling."""
    link = resolve_link(session, token, purpose=UNSUBSCRIBE_PURPOSE, now=now)
    if link is None or link.contact_id is None:
        return False
    contact = session.get(Contact, link.contact_id)
    return contact is not None and contact.profiling_objected_at is not None
