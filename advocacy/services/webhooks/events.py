"""The facts of each event, gathered by the use case that makes the change, before its commit.

Each function writes the event's deliveries (one per endpoint that wants it) with
`repository.webhooks.record_event`; the use case's own commit then commits them with the change.
The facts hold everything an internal endpoint may see; the domain cuts them to each endpoint's
scope. Testimonial quotes are put in only as their live permissions disclose them to a
published audience, so a publish endpoint never learns more than the client allowed.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.domain import testimonials as rules
from advocacy.domain.disclosure import Audience, Author, attribution, disclose
from advocacy.domain.webhooks import EventType
from advocacy.models import (
    Account,
    Contact,
    Person,
    ReferenceCall,
    Referral,
    Survey,
    Testimonial,
)
from advocacy.repository import webhooks
from advocacy.repository.testimonials import as_permissions, permissions_of


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _person(session: Session, contact_id: int | None) -> dict[str, object]:
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is None:
        return {}
    person = session.get(Person, contact.person_id)
    return {
        "contact_id": contact.id,
        "contact_name": person.full_name if person else "",
        "contact_email": contact.email,
    }


def _account(session: Session, account_id: int | None) -> dict[str, object]:
    account = session.get(Account, account_id) if account_id else None
    if account is None:
        return {}
    return {"account_id": account.id, "account_name": account.name}


def testimonial_changed(
    session: Session, testimonial: Testimonial, event: EventType, *, now: datetime
) -> None:
    """A testimonial was published or withdrawn, or its client changed what may be done with it."""
    if not webhooks.wanted(session, event):
        return
    session.flush()
    uses = rules.usable_uses(
        testimonial.status, as_permissions(permissions_of(session, testimonial.id or 0)), now.date()
    )
    disclosure = disclose(testimonial.status, uses, Audience.API_PUBLIC)
    author = Author(
        testimonial.display_name,
        testimonial.display_title,
        testimonial.display_company,
        testimonial.industry,
    )
    facts: dict[str, object] = {
        "testimonial_id": testimonial.id,
        "status": testimonial.status,
        # What a website may show now: nothing at all once withdrawn or no public use is left.
        "shown": disclosure.shown,
        "quote": rules.plain_quote(testimonial.body) if disclosure.shown else "",
        "attribution": attribution(disclosure, author),
        "logo": disclosure.logo,
        "uses": sorted(use.value for use in uses),
        "published_at": _when(testimonial.published_at),
        "withdrawn_at": _when(testimonial.withdrawn_at),
        **_account(session, testimonial.account_id),
        **_person(session, testimonial.contact_id),
    }
    webhooks.record_event(session, event, facts, now=now)


def referral_changed(
    session: Session, referral: Referral, event: EventType, *, now: datetime
) -> None:
    """A referral came in through a client's link, or was won."""
    if not webhooks.wanted(session, event):
        return
    session.flush()
    facts: dict[str, object] = {
        "referral_id": referral.id,
        "status": referral.status,
        "prospect_name": referral.name,
        "prospect_email": referral.email,
        "prospect_company": referral.company,
        "prospect_account_id": referral.prospect_account_id,
        "referrer_contact_id": referral.referrer_contact_id,
        "referrer_account_id": referral.referrer_account_id,
        "owner_id": referral.owner_id,
        "created_at": _when(referral.created_at),
    }
    webhooks.record_event(session, event, facts, now=now)


def reference_request_answered(session: Session, call: ReferenceCall, *, now: datetime) -> None:
    """A client said yes or no to a reference call (the reason they gave stays inside)."""
    if not webhooks.wanted(session, EventType.REFERENCE_REQUEST_ANSWERED):
        return
    session.flush()
    facts: dict[str, object] = {
        "reference_request_id": call.request_id,
        "reference_call_id": call.id,
        "accepted": call.status == "accepted",
        "answered_at": _when(call.answered_at),
        **_person(session, call.contact_id),
    }
    webhooks.record_event(session, EventType.REFERENCE_REQUEST_ANSWERED, facts, now=now)


def survey_answered(session: Session, survey: Survey, *, detractor: bool, now: datetime) -> None:
    """A client answered a survey; a detractor's answer says so."""
    if not webhooks.wanted(session, EventType.SURVEY_ANSWERED):
        return
    session.flush()
    facts: dict[str, object] = {
        "survey_id": survey.id,
        "kind": survey.kind,
        "score": survey.score,
        "detractor": detractor,
        "answered_at": _when(survey.answered_at),
        **_account(session, survey.account_id),
        **_person(session, survey.contact_id),
    }
    webhooks.record_event(session, EventType.SURVEY_ANSWERED, facts, now=now)


def contact_left(
    session: Session,
    contact: Contact,
    event: EventType,
    *,
    new_company: str = "",
    now: datetime,
) -> None:
    """A contact moved to another company or retired."""
    if not webhooks.wanted(session, event):
        return
    session.flush()
    facts: dict[str, object] = {
        "status": contact.status,
        "new_company": new_company,
        **_account(session, contact.account_id),
        **_person(session, contact.id),
    }
    webhooks.record_event(session, event, facts, now=now)


def account_stage_changed(
    session: Session, account: Account, *, old_stage: str, now: datetime
) -> None:
    """An account moved along the journey."""
    if not webhooks.wanted(session, EventType.ACCOUNT_STAGE_CHANGED):
        return
    session.flush()
    facts: dict[str, object] = {
        "old_stage": old_stage,
        "new_stage": account.stage,
        **_account(session, account.id),
    }
    webhooks.record_event(session, EventType.ACCOUNT_STAGE_CHANGED, facts, now=now)
