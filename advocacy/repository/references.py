"""Queries behind reference requests: who allowed reference calls, and what is known of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from advocacy.domain.advocacy_asks import AskPolicy
from advocacy.domain.journey import Camp, EngagementStatus
from advocacy.domain.people import ContactStatus
from advocacy.domain.references import CandidateFacts, SurveyAnswer
from advocacy.models import (
    Account,
    Contact,
    Engagement,
    EngagementServiceLine,
    JourneySignal,
    Person,
    ReferenceCall,
    ReferenceRequest,
    ServiceLine,
    Survey,
    Testimonial,
    TestimonialPermission,
    TestimonialServiceLine,
    User,
)
from advocacy.repository.asks import ask_facts

ASK_POLICY = AskPolicy()
REFERENCE_USE = "reference_calls"
# Calls that use up a reference's goodwill; an unanswered ask or a decline does not.
COUNTED_STATUSES = ("accepted", "held")
# Calls that mean "already asked for this request": no second e-mail to the same person.
PENDING_STATUSES = ("asked", "accepted", "held")
DEAD_TESTIMONIALS = ("withdrawn", "expired")
BOUGHT = (EngagementStatus.WON, EngagementStatus.ACTIVE, EngagementStatus.COMPLETED)


@dataclass(frozen=True)
class Candidate:
    """A contact who allowed reference calls, with what the ranking needs and the page shows."""

    facts: CandidateFacts
    name: str
    account_id: int
    account_name: str
    testimonial_id: int


def _allowed(session: Session, today: date, contact_id: int | None) -> dict[int, int]:
    """contact id -> the newest testimonial whose reference-call permission is live."""
    query = (
        select(Testimonial.contact_id, Testimonial.id)
        .join(TestimonialPermission, col(TestimonialPermission.testimonial_id) == Testimonial.id)
        .where(
            TestimonialPermission.use == REFERENCE_USE,
            col(TestimonialPermission.withdrawn_at).is_(None),
            or_(
                col(TestimonialPermission.expires_on).is_(None),
                col(TestimonialPermission.expires_on) >= today,
            ),
            col(Testimonial.status).not_in(DEAD_TESTIMONIALS),
        )
        .order_by(col(Testimonial.id))
    )
    if contact_id is not None:
        query = query.where(Testimonial.contact_id == contact_id)
    return {
        contact: testimonial
        for contact, testimonial in session.exec(query)
        if testimonial is not None  # a primary key: never None once read
    }


def reference_candidates(
    session: Session,
    *,
    now: datetime,
    since: datetime,
    request_id: int | None = None,
    contact_id: int | None = None,
) -> list[Candidate]:
    """Everyone who allowed reference calls (or only `contact_id`), with surveys and calls since
    `since` and whether they were already asked for `request_id`."""
    allowed = _allowed(session, now.date(), contact_id)
    if not allowed:
        return []
    ids = list(allowed)
    rows = list(
        session.exec(
            select(Contact, Person.full_name, Account)
            .join(Person, col(Person.id) == Contact.person_id)
            .join(Account, col(Account.id) == Contact.account_id)
            .where(col(Contact.id).in_(ids))
        )
    )
    account_ids = {account.id for _c, _n, account in rows}
    lines: dict[int, set[int]] = defaultdict(set)  # by account
    for account_id, line_id in session.exec(
        select(Engagement.account_id, EngagementServiceLine.service_line_id)
        .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == Engagement.id)
        .where(col(Engagement.account_id).in_(account_ids), col(Engagement.status).in_(BOUGHT))
    ):
        lines[account_id].add(line_id)
    told: dict[int, set[int]] = defaultdict(set)  # by testimonial: the lines it speaks about
    for testimonial_id, line_id in session.exec(
        select(TestimonialServiceLine.testimonial_id, TestimonialServiceLine.service_line_id).where(
            col(TestimonialServiceLine.testimonial_id).in_(set(allowed.values()))
        )
    ):
        told[testimonial_id].add(line_id)
    surveys: dict[int, list[SurveyAnswer]] = defaultdict(list)
    for survey in session.exec(
        select(Survey).where(
            col(Survey.contact_id).in_(ids),
            col(Survey.score).is_not(None),
            col(Survey.answered_at) >= since,
        )
    ):
        assert survey.score is not None and survey.answered_at is not None
        surveys[survey.contact_id].append(
            SurveyAnswer(survey.kind, survey.score, survey.answered_at)
        )
    flagged = set(
        session.exec(
            select(JourneySignal.account_id).where(
                JourneySignal.kind == "detractor",
                col(JourneySignal.resolved_at).is_(None),
                col(JourneySignal.account_id).in_(account_ids),
            )
        )
    )
    counted: dict[int, list[datetime]] = defaultdict(list)
    for call_contact, asked_at in session.exec(
        select(ReferenceCall.contact_id, ReferenceCall.asked_at).where(
            col(ReferenceCall.contact_id).in_(ids),
            col(ReferenceCall.status).in_(COUNTED_STATUSES),
            col(ReferenceCall.asked_at) >= since,
        )
    ):
        counted[call_contact].append(asked_at)
    asked: set[int] = set()
    if request_id is not None:
        asked = set(
            session.exec(
                select(ReferenceCall.contact_id).where(
                    ReferenceCall.request_id == request_id,
                    col(ReferenceCall.status).in_(PENDING_STATUSES),
                )
            )
        )
    asks = ask_facts(session, ids, now=now, policy=ASK_POLICY)
    found = []
    for contact, name, account in rows:
        assert contact.id is not None and account.id is not None
        testimonial_id = allowed[contact.id]
        facts = CandidateFacts(
            contact_id=contact.id,
            active=contact.status == ContactStatus.ACTIVE,
            language=contact.language,
            industry=account.industry,
            size_band=account.size_band,
            camp=Camp(account.camp),
            do_not_ask=account.do_not_ask,
            service_line_ids=frozenset(lines[account.id] | told[testimonial_id]),
            surveys=tuple(surveys[contact.id]),
            open_detractor_signal=account.id in flagged,
            counted_calls=tuple(counted[contact.id]),
            already_asked=contact.id in asked,
            ask=asks.get(contact.id),
        )
        found.append(Candidate(facts, name, account.id, account.name, testimonial_id))
    return found


@dataclass(frozen=True)
class RequestRow:
    request: ReferenceRequest
    requested_by: User | None
    service_line: str
    calls: int


def list_requests(session: Session, *, status: str = "", limit: int = 200) -> list[RequestRow]:
    """Reference requests, newest first, with how many people were asked."""
    query = (
        select(ReferenceRequest, User, ServiceLine.name)
        .outerjoin(User, User.id == ReferenceRequest.requested_by_id)  # type: ignore[arg-type]
        .outerjoin(ServiceLine, col(ServiceLine.id) == ReferenceRequest.service_line_id)
        .order_by(col(ReferenceRequest.created_at).desc(), col(ReferenceRequest.id).desc())
        .limit(limit)
    )
    if status:
        query = query.where(ReferenceRequest.status == status)
    found = list(session.exec(query))
    counts: dict[int, int] = defaultdict(int)
    if found:
        for request_id in session.exec(
            select(ReferenceCall.request_id).where(
                col(ReferenceCall.request_id).in_([r.id for r, _u, _l in found])
            )
        ):
            counts[request_id] += 1
    return [RequestRow(r, u, line or "", counts[r.id or 0]) for r, u, line in found]


@dataclass(frozen=True)
class CallRow:
    call: ReferenceCall
    name: str
    account_id: int
    account_name: str


def calls_of(session: Session, request_id: int) -> list[CallRow]:
    """The people asked for one request, in the order they were asked."""
    query = (
        select(ReferenceCall, Person.full_name, Account.id, Account.name)
        .join(Contact, col(Contact.id) == ReferenceCall.contact_id)
        .join(Person, col(Person.id) == Contact.person_id)
        .join(Account, col(Account.id) == Contact.account_id)
        .where(ReferenceCall.request_id == request_id)
        .order_by(col(ReferenceCall.asked_at), col(ReferenceCall.id))
    )
    return [
        CallRow(call, name, account_id, account)
        for call, name, account_id, account in session.exec(query)
        if account_id is not None  # a primary key: never None once read
    ]
