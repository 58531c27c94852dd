"""Referral use cases: ask a client for an introduction, receive it, work the pipeline, say thanks.

An introduction becomes a prospect account (or a new contact at a company we know) attributed to
the client who made it, a referral owned by that client's account manager, a signal on their home
page and a notice by e-mail. No reward is ever computed: many professions forbid paying for
referrals, so the firm thanks the referrer and logs that it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlmodel import Session

from advocacy.domain.access import may_own_accounts, may_work_on_referral
from advocacy.domain.advocacy_asks import AskKind
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.mail import Category
from advocacy.domain.referrals import (
    WINNING_ENGAGEMENTS,
    IntroPreference,
    ReferralStatus,
    check_status_change,
    status_after_live_engagement,
)
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import Initiative, TouchpointKind, TouchpointSource
from advocacy.domain.webhooks import EventType
from advocacy.models import (
    Account,
    AccountCreate,
    ClientLink,
    Contact,
    ContactCreate,
    JourneySignal,
    Referral,
    TouchpointCreate,
    User,
)
from advocacy.models.fields import saved_id
from advocacy.repository import get_row, journey, referrals
from advocacy.services.access.client_links import create_link, resolve_link
from advocacy.services.journey.accounts import add_account, check_may_edit
from advocacy.services.journey.people import add_contact_to
from advocacy.services.journey.touchpoints import add_touchpoint_to
from advocacy.services.mail.queue import QueueResult, queue_email
from advocacy.services.scoring import recompute
from advocacy.services.voice.asks import check_may_ask
from advocacy.services.webhooks import events as webhook_events
from advocacy.settings import Settings

PURPOSE = "referral"
THANK_YOU_NOTE_MAX = 500


def referral_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/c/referral/new/{token}"


def create_referral_link(
    session: Session, settings: Settings, contact: Contact, *, now: datetime
) -> str:
    """A link through which `contact` introduces someone; returns its URL (helper: flushes)."""
    token = create_link(
        session,
        purpose=PURPOSE,
        email=contact.email or "",
        contact_id=contact.id,
        object_type="account",
        object_id=contact.account_id,
        valid_for=timedelta(days=settings.client_link_days_referral),
        now=now,
    )
    return referral_url(settings, token)


def queue_referral_ask(
    session: Session,
    settings: Settings,
    contact: Contact,
    *,
    sender_name: str,
    user_id: int | None,
    now: datetime,
) -> QueueResult:
    """Queue the e-mail asking a contact the rule allows to introduce someone (flushes only)."""
    assert contact.email is not None  # the rule refuses a contact without an address
    name = journey.get_person(session, contact.person_id).full_name
    url = create_referral_link(session, settings, contact, now=now)
    return queue_email(
        session,
        category=Category.ADVOCACY_ASK,
        template="referral_ask",
        to=contact.email,
        to_name=name,
        contact_id=contact.id,
        account_id=contact.account_id,
        user_id=user_id,
        source=("referral_ask", contact.id),
        occurrence=now.date().isoformat(),  # asking twice the same day sends one e-mail
        context={"link": url, "sender_name": sender_name or settings.firm_name},
        now=now,
        settings=settings,
    )


def ask_for_introduction(
    session: Session,
    settings: Settings,
    account_id: int,
    contact_id: int,
    *,
    by: User,
    now: datetime,
) -> QueueResult:
    """E-mail a client a link to introduce someone to the firm (never to a do-not-ask account)."""
    account = journey.get_account(session, account_id)
    check_may_edit(session, account, by)
    contact = session.get(Contact, contact_id)
    if contact is None or contact.account_id != account_id:
        raise RuleError(N_("This contact does not belong to the account."))
    check_may_ask(session, contact_id, AskKind.REFERRAL, now=now)
    result = queue_referral_ask(
        session, settings, contact, sender_name=by.name, user_id=by.id, now=now
    )
    if not result.queued:
        session.rollback()  # the link would lead nowhere: forget it
        raise RuleError(N_("The e-mail may not be sent: %(why)s."), why=result.refusal or "")
    session.commit()
    return result


@dataclass(frozen=True)
class Referrer:
    """Who a referral link belongs to."""

    link: ClientLink
    contact: Contact
    account: Account
    name: str


def referrer_for(session: Session, token: str, *, now: datetime) -> Referrer | None:
    """The client behind a live, unused referral link; None for anything else."""
    link = resolve_link(session, token, purpose=PURPOSE, now=now, unused=True, lock=True)
    if link is None or link.contact_id is None:
        return None
    contact = session.get(Contact, link.contact_id)
    if contact is None:
        return None
    account = journey.get_account(session, contact.account_id)
    return Referrer(
        link, contact, account, journey.get_person(session, contact.person_id).full_name
    )


@dataclass(frozen=True)
class Introduction:
    """What the client told us about the person they introduce."""

    name: str
    company: str
    email: str = ""
    note: str = ""
    intro_preference: IntroPreference = IntroPreference.EMAIL


def _prospect(
    session: Session, intro: Introduction, *, owner_id: int | None, now: datetime
) -> tuple[Account, Contact]:
    """The account and contact of the person introduced: a known company keeps its stage."""
    try:
        data = ContactCreate(full_name=intro.name, email=intro.email or None)
    except ValidationError:
        raise RuleError(N_("Check the name and the e-mail address.")) from None
    account = journey.account_by_name(session, intro.company)
    if account is None:
        account = add_account(
            session,
            AccountCreate(name=intro.company.strip(), owner_id=owner_id),
            by=None,
            now=now,
            source="referral",
        )
    elif data.email:
        known = referrals.contact_at_account_by_email(session, account.id or 0, data.email)
        if known is not None:
            return account, known
    return account, add_contact_to(session, account, data, now=now)


def introduce(
    session: Session, settings: Settings, token: str, intro: Introduction, *, now: datetime
) -> Referral | None:
    """Record an introduction made through a referral link (None: the link is not live)."""
    referrer = referrer_for(session, token, now=now)
    if referrer is None:
        return None
    if not intro.name.strip() or not intro.company.strip():
        raise RuleError(N_("Give the person's name and company."))
    owner = session.get(User, referrer.account.owner_id) if referrer.account.owner_id else None
    if owner is not None and (not owner.active or not may_own_accounts(Role(owner.role))):
        owner = None  # a departed owner cannot take the prospect: it waits for an admin
    owner_id = owner.id if owner else None
    account, contact = _prospect(session, intro, owner_id=owner_id, now=now)
    referral = Referral(
        referrer_contact_id=referrer.contact.id or 0,
        referrer_account_id=referrer.account.id or 0,
        name=intro.name.strip(),
        email=contact.email or "",
        company=intro.company.strip(),
        note=intro.note.strip(),
        intro_preference=intro.intro_preference.value,
        owner_id=owner_id,
        prospect_account_id=account.id,
        prospect_contact_id=contact.id,
        link_id=referrer.link.id,
        created_at=now,
        updated_at=now,
    )
    referrer.link.used_at = now  # a submitted form consumes its link
    session.add_all([referral, referrer.link])
    message = f"New referral from {referrer.name} ({referrer.account.name}): {referral.name}"
    session.add(
        JourneySignal(
            kind="referral",
            account_id=account.id or 0,
            contact_id=contact.id,
            related_account_id=referrer.account.id,
            owner_id=owner_id,
            message=message[:500],
            created_at=now,
        )
    )
    add_touchpoint_to(
        session,
        referrer.account,
        TouchpointCreate(
            kind=TouchpointKind.REFERRAL,
            initiative=Initiative.CLIENT,
            contact_id=referrer.contact.id,
            occurred_at=now,
            summary=f"Introduced {referral.name} ({referral.company})",
        ),
        by=None,
        now=now,
        source=TouchpointSource.SYSTEM,
    )
    session.flush()
    if owner is not None:
        # The notice is committed with the referral below: one transaction for both.
        queue_email(
            session,
            category=Category.TRANSACTIONAL,
            template="staff_notice",
            to=owner.email,
            to_name=owner.name,
            user_id=owner.id,
            source=("referral", referral.id),
            context={
                "title": f"New referral from {referrer.name}",
                "message": message,
                "link": f"{settings.base_url}/referrals/{referral.id}",
            },
            now=now,
            language=owner.language or None,
            settings=settings,
        )
    recompute.rescore(
        session, [saved_id(referrer.contact)], now=now, rules=recompute.rules_of(settings)
    )
    webhook_events.referral_changed(session, referral, EventType.REFERRAL_RECEIVED, now=now)
    session.commit()
    return referral


def _workable(session: Session, referral_id: int, by: User) -> Referral:
    referral = get_row(session, Referral, referral_id)
    assert by.id is not None
    if not may_work_on_referral(Role(by.role), by.id, owner_id=referral.owner_id):
        raise NotAllowed(N_("Only the referral's owner or an administrator may change it."))
    return referral


def change_referral_status(
    session: Session,
    referral_id: int,
    new: ReferralStatus,
    *,
    lost_reason: str = "",
    by: User,
    now: datetime,
) -> Referral:
    """Move a referral along its pipeline; a lost one says why."""
    referral = _workable(session, referral_id, by)
    referral.lost_reason = check_status_change(
        ReferralStatus(referral.status), new, lost_reason=lost_reason
    )
    referral.status, referral.updated_at = new.value, now
    session.add(referral)
    if new is ReferralStatus.WON:
        webhook_events.referral_changed(session, referral, EventType.REFERRAL_WON, now=now)
    session.commit()
    return referral


def reassign_referral(
    session: Session, referral_id: int, owner_id: int, *, by: User, now: datetime
) -> Referral:
    """Hand a referral to another account manager (or an administrator)."""
    referral = _workable(session, referral_id, by)
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or not may_own_accounts(Role(owner.role)):
        raise RuleError(N_("The owner must be an active account manager or administrator."))
    referral.owner_id, referral.updated_at = owner_id, now
    session.add(referral)
    session.commit()
    return referral


def log_thank_you(
    session: Session,
    settings: Settings,
    referral_id: int,
    *,
    note: str,
    send_email: bool,
    by: User,
    now: datetime,
) -> QueueResult | None:
    """Log that the referrer was thanked, and optionally e-mail them the thank-you."""
    referral = _workable(session, referral_id, by)
    note = note.strip()
    if len(note) > THANK_YOU_NOTE_MAX:
        raise RuleError(N_("The note is too long (500 characters at most)."))
    referral.thanked_at, referral.thank_you_note, referral.updated_at = now, note, now
    session.add(referral)
    result = None
    contact = session.get(Contact, referral.referrer_contact_id)
    if send_email:
        if contact is None or not contact.email:
            raise RuleError(N_("The referrer has no e-mail address: log the thank-you only."))
        # A thank-you answers what the client did: it is not a request, so not advocacy_ask.
        result = queue_email(
            session,
            category=Category.TRANSACTIONAL,
            template="referral_thanks",
            to=contact.email,
            to_name=journey.get_person(session, contact.person_id).full_name,
            contact_id=contact.id,
            account_id=referral.referrer_account_id,
            user_id=by.id,
            source=("referral_thanks", referral.id),
            context={"note": note, "name": referral.name, "sender_name": by.name or ""},
            now=now,
            settings=settings,
        )
    session.commit()
    return result


def follow_prospect_engagements(session: Session, account: Account, *, now: datetime) -> None:
    """Win the referrals that brought in `account` once one of its engagements is live (helper)."""
    if account.id is None:
        return
    # Most accounts came from no referral: that cheap look-up goes first (imports call this a lot).
    waiting = referrals.open_referrals_of_prospect(session, account.id)
    engagements = journey.engagements_of(session, account.id)
    if not waiting or not any(e.status in WINNING_ENGAGEMENTS for e in engagements):
        return
    for referral in waiting:
        new = status_after_live_engagement(ReferralStatus(referral.status))
        if new is not None:
            referral.status, referral.lost_reason, referral.updated_at = new.value, "", now
            session.add(referral)
