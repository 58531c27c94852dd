"""Reference-request use cases: a colleague asks, the product proposes, a client accepts or not.

The cap protects the firm's best clients from being worn out: it is checked when candidates are
proposed, and again inside the asking transaction (with the contact's row locked on PostgreSQL),
so two colleagues asking at the same moment cannot push someone over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from advocacy.domain.advocacy_asks import MESSAGES as ASK_MESSAGES
from advocacy.domain.errors import RuleError
from advocacy.domain.mail import Category
from advocacy.domain.references import (
    Cap,
    Excluded,
    Exclusion,
    Proposal,
    Wanted,
    exclusions,
    rank_candidates,
)
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import Channel, Initiative, TouchpointKind, TouchpointSource
from advocacy.models import (
    ClientLink,
    Contact,
    ReferenceCall,
    ReferenceRequest,
    ServiceLine,
    TouchpointCreate,
    User,
)
from advocacy.models.accounts import SIZE_BANDS
from advocacy.repository import get_row, journey, references
from advocacy.services.access.client_links import issue_link, resolve_link
from advocacy.services.journey.touchpoints import add_touchpoint_to
from advocacy.services.mail.queue import queue_email
from advocacy.services.webhooks import events as webhook_events
from advocacy.settings import LANGUAGES, Settings

PURPOSE = "reference"
RECENT_SURVEY = timedelta(days=365)
LIMITS = {"prospect_name": 200, "industry": 80, "notes": 2000}
REASON_MAX = 500
OUTCOME_MAX = 2000


def cap_of(settings: Settings) -> Cap:
    return Cap(settings.references_max_calls_per_contact, settings.references_cap_days)


@dataclass(frozen=True)
class ReferenceNeed:
    """What a colleague knows of the prospect who wants to speak with a client."""

    prospect_name: str
    industry: str = ""
    service_line_id: int | None = None
    size_band: str = ""
    language: str = ""
    deadline: date | None = None
    notes: str = ""


def create_reference_request(
    session: Session, need: ReferenceNeed, *, by: User, now: datetime
) -> ReferenceRequest:
    """Record a colleague's request for a reference, after checking what they typed."""
    texts = {name: getattr(need, name).strip() for name in LIMITS}
    if not texts["prospect_name"]:
        raise RuleError(N_("Name the prospect."))
    for name, limit in LIMITS.items():
        if len(texts[name]) > limit:
            raise RuleError(N_("A field is too long (%(limit)d characters at most)."), limit=limit)
    if need.size_band not in SIZE_BANDS:
        raise RuleError(N_("Unknown size band."))
    if need.language and need.language not in LANGUAGES:
        raise RuleError(N_("Unknown language."))
    if need.service_line_id is not None and session.get(ServiceLine, need.service_line_id) is None:
        raise RuleError(N_("Unknown service line."))
    if need.deadline is not None and need.deadline < now.date():
        raise RuleError(N_("The deadline is in the past."))
    request = ReferenceRequest(
        requested_by_id=by.id or 0,
        prospect_name=texts["prospect_name"],
        industry=texts["industry"],
        service_line_id=need.service_line_id,
        size_band=need.size_band,
        language=need.language,
        deadline=need.deadline,
        notes=texts["notes"],
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.commit()
    return request


def _wanted(request: ReferenceRequest) -> Wanted:
    return Wanted(request.industry, request.service_line_id, request.size_band, request.language)


def _since(settings: Settings, now: datetime) -> datetime:
    return min(cap_of(settings).since(now), now - RECENT_SURVEY)


@dataclass(frozen=True)
class Shown:
    """One person on the request page: who they are and why they are (not) proposed."""

    contact_id: int
    name: str
    account_id: int
    account_name: str
    proposal: Proposal | None = None
    excluded: Excluded | None = None


@dataclass
class Candidates:
    proposed: list[Shown] = field(default_factory=list)
    excluded: list[Shown] = field(default_factory=list)


def candidates_for(
    session: Session, settings: Settings, request_id: int, *, now: datetime
) -> Candidates:
    """The people who may be asked for this request, best fit first, and the others with why."""
    request = get_row(session, ReferenceRequest, request_id)
    found = references.reference_candidates(
        session, now=now, since=_since(settings, now), request_id=request_id
    )
    by_id = {c.facts.contact_id: c for c in found}
    ranking = rank_candidates(
        [c.facts for c in found], _wanted(request), cap_of(settings), now=now, recent=RECENT_SURVEY
    )

    def shown(contact_id: int, **verdict: object) -> Shown:
        c = by_id[contact_id]
        return Shown(contact_id, c.name, c.account_id, c.account_name, **verdict)  # type: ignore[arg-type]

    return Candidates(
        [shown(p.contact_id, proposal=p) for p in ranking.proposed],
        [shown(e.contact_id, excluded=e) for e in ranking.excluded],
    )


# The advocacy rule's own reasons, then the two that belong to reference calls only.
EXCLUSION_MESSAGES = {
    **{Exclusion(refusal.value): message for refusal, message in ASK_MESSAGES.items()},
    Exclusion.OVER_CAP: N_("This person has given as many reference calls as the cap allows."),
    Exclusion.ALREADY_ASKED: N_("This person was already asked for this request."),
}


def reference_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/c/reference/{token}"


def ask_for_reference(
    session: Session,
    settings: Settings,
    request_id: int,
    contact_id: int,
    *,
    by: User,
    now: datetime,
) -> ReferenceCall:
    """Ask one proposed contact, by e-mail, to take the call; refused for anyone not proposable."""
    request = get_row(session, ReferenceRequest, request_id)
    if request.status != "open":
        raise RuleError(N_("This request is closed."))
    # Lock the contact so a colleague's simultaneous ask waits and then sees this call.
    contact = session.exec(
        select(Contact).where(Contact.id == contact_id).with_for_update()
    ).first()
    if contact is None:
        raise RuleError(N_("This person did not allow reference calls."))
    found = references.reference_candidates(
        session,
        now=now,
        since=_since(settings, now),
        request_id=request_id,
        contact_id=contact_id,
    )
    if not found:
        raise RuleError(N_("This person did not allow reference calls."))
    (candidate,) = found
    reasons = exclusions(candidate.facts, cap_of(settings), now=now)
    if reasons:
        raise RuleError(EXCLUSION_MESSAGES[reasons[0]])
    if not contact.email:
        raise RuleError(N_("Only an active contact with an e-mail address can be asked."))
    call = ReferenceCall(
        request_id=request_id,
        contact_id=contact_id,
        testimonial_id=candidate.testimonial_id,
        created_by_id=by.id,
        asked_at=now,
    )
    session.add(call)
    session.flush()
    link, token = issue_link(
        session,
        purpose=PURPOSE,
        email=contact.email,
        contact_id=contact_id,
        object_type="reference_call",
        object_id=call.id,
        valid_for=timedelta(days=settings.client_link_days_reference),
        now=now,
    )
    call.link_id = link.id
    session.add(call)
    result = queue_email(
        session,
        category=Category.REFERENCE_REQUEST,
        template="reference_request",
        to=contact.email,
        to_name=candidate.name,
        contact_id=contact_id,
        user_id=by.id,
        source=("reference_call", call.id),
        context={
            "link": reference_url(settings, token),
            "deadline": request.deadline.isoformat() if request.deadline else "",
            "sender_name": by.name or "",
        },
        now=now,
        settings=settings,
    )
    if not result.queued:
        session.rollback()  # no e-mail, no call: nothing counts toward the cap
        raise RuleError(N_("The e-mail may not be sent: %(why)s."), why=result.refusal or "")
    session.commit()
    return call


@dataclass(frozen=True)
class CallInvitation:
    """What the client sees on their reference link."""

    call: ReferenceCall
    link: ClientLink
    request: ReferenceRequest
    contact: Contact
    name: str
    service_line: str


def invitation_for(session: Session, token: str, *, now: datetime) -> CallInvitation | None:
    """The call behind a live, unanswered reference link; None for anything else."""
    link = resolve_link(session, token, purpose=PURPOSE, now=now, unused=True, lock=True)
    if link is None or not link.object_id:
        return None
    call = session.get(ReferenceCall, link.object_id)
    if call is None or call.status != "asked" or call.contact_id != link.contact_id:
        return None
    request = get_row(session, ReferenceRequest, call.request_id)
    contact = journey.get_contact(session, call.contact_id)
    line = session.get(ServiceLine, request.service_line_id) if request.service_line_id else None
    name = journey.get_person(session, contact.person_id).full_name
    return CallInvitation(call, link, request, contact, name, line.name if line else "")


def answer_reference(
    session: Session, token: str, *, accept: bool, reason: str = "", now: datetime
) -> ReferenceCall | None:
    """The client accepts or declines (with an optional reason); the link is then used up."""
    invitation = invitation_for(session, token, now=now)
    if invitation is None:
        return None
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise RuleError(N_("The reason is too long (500 characters at most)."))
    call = invitation.call
    call.status = "accepted" if accept else "declined"
    call.decline_reason = "" if accept else reason
    call.answered_at = now
    invitation.link.used_at = now
    session.add_all([call, invitation.link])
    webhook_events.reference_request_answered(session, call, now=now)
    session.commit()
    return call


def record_call_held(
    session: Session,
    call_id: int,
    *,
    held_on: date,
    outcome: str,
    by: User,
    now: datetime,
) -> ReferenceCall:
    """Log that an accepted call took place and how it went, on the client's timeline too."""
    call = get_row(session, ReferenceCall, call_id)
    if call.status != "accepted":
        raise RuleError(N_("Only an accepted call can be recorded as held."))
    if held_on > now.date():
        raise RuleError(N_("A call cannot be held in the future."))
    outcome = outcome.strip()
    if len(outcome) > OUTCOME_MAX:
        raise RuleError(N_("The outcome is too long (2000 characters at most)."))
    request = get_row(session, ReferenceRequest, call.request_id)
    contact = journey.get_contact(session, call.contact_id)
    account = journey.get_account(session, contact.account_id)
    summary = f"Reference call with {request.prospect_name}" + (f": {outcome}" if outcome else "")
    add_touchpoint_to(
        session,
        account,
        TouchpointCreate(
            kind=TouchpointKind.CALL,
            initiative=Initiative.FIRM,
            channel=Channel.PHONE,
            contact_id=contact.id,
            service_line_id=request.service_line_id,
            occurred_at=min(datetime.combine(held_on, now.timetz()), now),
            summary=summary[:5000],
        ),
        by=by,
        now=now,
        source=TouchpointSource.SYSTEM,
    )
    call.status, call.held_on, call.outcome = "held", held_on, outcome
    request.status, request.updated_at = "fulfilled", now
    session.add_all([call, request])
    session.commit()
    return call
