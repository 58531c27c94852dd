"""The e-mails of the testimonial work: the ask, the approval and re-approval links, the thanks with
the "manage my contributions" link, and a fresh manage link for someone whose link ran out.

Every e-mail here carries a manage link in its footer (`manage_url`), so a client can always
change their mind from the last message they got.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from advocacy.domain.advocacy_asks import AskKind, Refusal
from advocacy.domain.mail import Category
from advocacy.domain.text import N_
from advocacy.models import Account, Contact, Testimonial
from advocacy.repository import testimonials
from advocacy.services.access.client_links import create_link
from advocacy.services.mail.queue import QueueResult, queue_email
from advocacy.services.voice.asks import check_may_ask as check_ask_rule
from advocacy.services.voice.testimonial_consent import MANAGE_PURPOSE, NEW_PURPOSE, REVIEW_OBJECT
from advocacy.settings import Settings

NO_ADDRESS = N_("This contact has no e-mail address.")


def check_may_ask(
    session: Session, contact: Contact, *, now: datetime, interview: bool = False
) -> None:
    """Ask the one advocacy rule; RuleError says why this contact may not be asked.

    Words taken down in an interview are already given: the rest between two asks does not apply.
    """
    ignore = frozenset({Refusal.RECENTLY_ASKED}) if interview else frozenset()
    check_ask_rule(session, contact.id or 0, AskKind.TESTIMONIAL, now=now, ignore=ignore)


def manage_url(session: Session, settings: Settings, contact: Contact, *, now: datetime) -> str:
    """A fresh "manage my contributions" link for `contact` (helper: flushes only)."""
    token = create_link(
        session,
        purpose=MANAGE_PURPOSE,
        email=contact.email or "",
        contact_id=contact.id,
        valid_for=timedelta(days=settings.client_link_days_manage),
        now=now,
    )
    return f"{settings.base_url}/c/manage/{token}"


def _send(
    session: Session,
    settings: Settings,
    contact: Contact,
    *,
    category: Category,
    template: str,
    source: tuple[str, int | None],
    occurrence: str,
    now: datetime,
    **context: object,
) -> QueueResult:
    name = testimonials.name_of_contact(session, contact)
    return queue_email(
        session,
        category=category,
        template=template,
        to=contact.email or "",
        to_name=name,
        contact_id=contact.id,
        account_id=contact.account_id,
        source=source,
        occurrence=occurrence,
        context={"manage_url": manage_url(session, settings, contact, now=now), **context},
        now=now,
        settings=settings,
    )


def queue_ask(
    session: Session, settings: Settings, account: Account, contact: Contact, *, now: datetime
) -> QueueResult:
    """E-mail a link to write a testimonial (flushes only: the caller commits)."""
    check_may_ask(session, contact, now=now)
    token = create_link(
        session,
        purpose=NEW_PURPOSE,
        email=contact.email or "",
        contact_id=contact.id,
        valid_for=timedelta(days=settings.client_link_days_testimonial),
        now=now,
    )
    return _send(
        session,
        settings,
        contact,
        category=Category.ADVOCACY_ASK,
        template="testimonial_ask",
        source=("testimonial_ask", contact.id),
        occurrence=now.date().isoformat(),
        now=now,
        link=f"{settings.base_url}/c/testimonial/new/{token}",
        company=account.name,
    )


def queue_review(
    session: Session,
    settings: Settings,
    testimonial: Testimonial,
    contact: Contact,
    *,
    now: datetime,
) -> QueueResult:
    """E-mail the link where the client approves staff's text or the firm's edit."""
    token = create_link(
        session,
        purpose=NEW_PURPOSE,
        email=contact.email or "",
        contact_id=contact.id,
        object_type=REVIEW_OBJECT,
        object_id=testimonial.id,
        valid_for=timedelta(days=settings.client_link_days_testimonial),
        now=now,
    )
    return _send(
        session,
        settings,
        contact,
        category=Category.ADVOCACY_ASK,
        template="testimonial_review",
        source=("testimonial", testimonial.id),
        occurrence=f"{testimonial.status}:{now.isoformat()}",
        now=now,
        link=f"{settings.base_url}/c/testimonial/review/{token}",
        reapproval=testimonial.status == "awaiting_reapproval",
    )


def queue_thanks(
    session: Session, settings: Settings, testimonial: Testimonial, *, now: datetime
) -> QueueResult | None:
    """Confirm to the client what they agreed to, with their manage link (a reply to their own
    action: transactional). Its own use case, after the client's: commits the e-mail."""
    contact = session.get(Contact, testimonial.contact_id)
    if contact is None or not contact.email:
        return None
    result = _send(
        session,
        settings,
        contact,
        category=Category.TRANSACTIONAL,
        template="testimonial_thanks",
        source=("testimonial", testimonial.id),
        occurrence=f"thanks:{now.isoformat()}",
        now=now,
    )
    session.commit()
    return result


def renew_manage_link(session: Session, settings: Settings, email: str, *, now: datetime) -> int:
    """Send a fresh manage link to every active contact with this address; how many were sent.

    The caller answers the same sentence whatever this returns, so the form reveals nobody.
    At most one such e-mail per contact per hour, whatever the number of requests.
    """
    address = email.strip().lower()
    if not address or len(address) > 254 or "@" not in address:
        return 0
    sent = 0
    for contact in testimonials.active_contacts_with_email(session, address):
        result = _send(
            session,
            settings,
            contact,
            category=Category.TRANSACTIONAL,
            template="manage_link",
            source=("manage_link", contact.id),
            occurrence=now.strftime("%Y-%m-%dT%H"),
            now=now,
        )
        sent += int(result.created)
    session.commit()  # the links of refused or repeated requests are kept unused: harmless
    return sent
