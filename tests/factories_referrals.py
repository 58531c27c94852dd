"""Factories for referrals and reference calls: testimonials with a reference-call permission,
answered surveys, requests and calls, as real rows (the testimonial flows are written elsewhere)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from advocacy.models import (
    Contact,
    ReferenceCall,
    ReferenceRequest,
    Survey,
    Testimonial,
    TestimonialPermission,
    User,
)
from tests.conftest import NOW


def make_reference_permission(
    session: Session,
    contact: Contact,
    *,
    use: str = "reference_calls",
    status: str = "approved",
    expires_on: date | None = None,
    withdrawn_at: datetime | None = None,
) -> Testimonial:
    """A committed testimonial of `contact` with one permission (reference calls by default)."""
    testimonial = Testimonial(
        account_id=contact.account_id,
        contact_id=contact.id or 0,
        origin="client",
        status=status,
        body="Working with them was a pleasure.",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(testimonial)
    session.flush()
    session.add(
        TestimonialPermission(
            testimonial_id=testimonial.id or 0,
            use=use,
            expires_on=expires_on,
            granted_at=NOW,
            withdrawn_at=withdrawn_at,
        )
    )
    session.commit()
    return testimonial


def make_survey(
    session: Session, contact: Contact, *, kind: str = "nps", score: int, answered_at: datetime
) -> Survey:
    """A committed, answered survey of `contact`."""
    survey = Survey(
        key=f"test:{kind}:{contact.id}:{answered_at.isoformat()}",
        account_id=contact.account_id,
        contact_id=contact.id or 0,
        kind=kind,
        trigger="on_demand",
        status="answered",
        score=score,
        created_at=answered_at,
        updated_at=answered_at,
        answered_at=answered_at,
    )
    session.add(survey)
    session.commit()
    return survey


def make_reference_request(session: Session, by: User, **fields: Any) -> ReferenceRequest:
    """A committed open reference request made by `by`."""
    request = ReferenceRequest(
        requested_by_id=by.id or 0,
        prospect_name=fields.pop("prospect_name", "Prospect Ltd"),
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )
    session.add(request)
    session.commit()
    return request


def make_reference_call(
    session: Session,
    request: ReferenceRequest,
    contact: Contact,
    *,
    status: str,
    asked_at: datetime,
) -> ReferenceCall:
    """A committed call of `contact` for `request` (accepted and held ones count toward the cap)."""
    call = ReferenceCall(
        request_id=request.id or 0,
        contact_id=contact.id or 0,
        status=status,
        asked_at=asked_at,
    )
    session.add(call)
    session.commit()
    return call
