"""An objection to direct marketing (GDPR Art. 21(2)), recorded by staff for a person who told
them so: no nurture, no advocacy asks and no score, at every employer the person had, at once.

It goes through the same storage as the client's own choices, so every surface that already
honours those honours this one too: each address of the person is suppressed for all
client-facing mail as the client's own unsubscribe (nurture planning and the "may we ask" rule
read the suppressions; only the client can lift it, from their preference page), and, as the
objection covers the profiling done for marketing, each of their contacts objects to profiling
(never scored again, scores and history deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.domain import consent as rules
from advocacy.domain.erasure import ERASED_NAME
from advocacy.domain.errors import RuleError
from advocacy.domain.mail import ALL
from advocacy.domain.text import N_
from advocacy.models import Account, Contact, User
from advocacy.repository import get_row
from advocacy.repository.journey import contacts_of_person, get_person
from advocacy.services.journey.accounts import check_may_edit
from advocacy.services.mail.consent import apply_blocks, blocks_of, record_consent
from advocacy.services.scoring.objection import record_objection

STAFF = "staff"


@dataclass(frozen=True)
class MarketingObjection:
    """What recording the objection changed."""

    contacts: int  # positions of the person, all of them now objecting
    addresses: int  # e-mail addresses now suppressed for all client-facing mail


def object_to_marketing_by_staff(
    session: Session, contact_id: int, *, by: User, now: datetime
) -> MarketingObjection:
    """Record that the person behind `contact_id` objects to direct marketing, everywhere."""
    contact = get_row(session, Contact, contact_id)
    check_may_edit(session, get_row(session, Account, contact.account_id), by)
    if get_person(session, contact.person_id).full_name == ERASED_NAME:
        raise RuleError(N_("This person has already been erased."))
    positions = contacts_of_person(session, contact.person_id)
    addresses: dict[str, int | None] = {}
    for position in positions:
        record_objection(session, position, via=STAFF, link_id=None, now=now, by=by)
        if position.email:
            addresses.setdefault(position.email.lower(), position.id)
    for email, owner_id in sorted(addresses.items()):
        blocks = blocks_of(session, email)
        apply_blocks(
            session,
            email,
            # The client's own withdrawal, relayed: staff cannot lift it, the client can.
            rules.withdraw(blocks, ALL, rules.Reason.UNSUBSCRIBE),
            source=f"staff {by.email}: objection to direct marketing",
            now=now,
        )
        record_consent(
            session,
            email=email,
            category=ALL,
            action="unsubscribe",
            via=STAFF,
            now=now,
            contact_id=owner_id,
            detail=f"objection to direct marketing recorded by {by.email}",
            by=by,
        )
    session.commit()
    return MarketingObjection(contacts=len(positions), addresses=len(addresses))
