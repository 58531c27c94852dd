"""Touchpoint use cases: log an interaction on an account's journey map."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.domain.access import is_administrator
from advocacy.domain.errors import Conflict, NotFound, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import TouchpointSource, removal_refusal
from advocacy.models import Account, Touchpoint, TouchpointCreate, User
from advocacy.repository import journey
from advocacy.services.journey.accounts import check_may_edit
from advocacy.services.nurture.awareness import follow_touchpoint


def add_touchpoint_to(
    session: Session,
    account: Account,
    data: TouchpointCreate,
    *,
    by: User | None,
    now: datetime,
    source: TouchpointSource = TouchpointSource.MANUAL,
) -> Touchpoint:
    """Add a touchpoint after checking its contact and service line (helper: flushes only)."""
    assert account.id is not None
    if data.contact_id is not None and not journey.contact_ids_at(
        session, account.id, [data.contact_id]
    ):
        raise RuleError(N_("This contact does not belong to the account."))
    if data.service_line_id is not None and not journey.existing_service_line_ids(
        session, [data.service_line_id]
    ):
        raise RuleError(N_("Unknown service line."))
    if data.occurred_at > now:
        raise RuleError(N_("A touchpoint cannot be in the future; plan a check-in instead."))
    if data.external_id and journey.touchpoint_by_external_id(session, data.external_id):
        raise Conflict(N_("Another touchpoint already has this external id."))
    touchpoint = Touchpoint(
        account_id=account.id,
        contact_id=data.contact_id,
        kind=data.kind.value,
        channel=data.channel.value if data.channel else "",
        initiative=data.initiative.value,
        service_line_id=data.service_line_id,
        occurred_at=data.occurred_at,
        summary=data.summary,
        external_id=data.external_id,
        source=source.value,
        created_by_id=by.id if by else None,
        created_at=now,
    )
    session.add(touchpoint)
    session.flush()
    follow_touchpoint(session, touchpoint, now=now)  # a line introduced, or interest shown
    return touchpoint


def log_touchpoint(
    session: Session, account_id: int, data: TouchpointCreate, *, by: User, now: datetime
) -> Touchpoint:
    """Log a meeting, call, e-mail... on the account's journey map."""
    account = journey.get_account(session, account_id)
    check_may_edit(session, account, by)
    touchpoint = add_touchpoint_to(session, account, data, by=by, now=now)
    session.commit()
    return touchpoint


def removable_ids(session: Session, shown: list[Touchpoint], *, by: User) -> set[int]:
    """Those of the touchpoints shown that `by` could remove (the page offers it for these)."""
    closing = journey.touchpoints_closing_work(session, [t.id for t in shown if t.id is not None])
    return {
        t.id
        for t in shown
        if t.id is not None and _refusal(t, by, closes_work=t.id in closing) is None
    }


def touchpoint_to_remove(session: Session, account_id: int, touchpoint_id: int) -> Touchpoint:
    """The touchpoint of this account (NotFound when it is not one of its touchpoints)."""
    touchpoint = session.get(Touchpoint, touchpoint_id)
    if touchpoint is None or touchpoint.account_id != account_id:
        raise NotFound(f"touchpoint {touchpoint_id} of account {account_id}")
    return touchpoint


def removal_refused(session: Session, touchpoint: Touchpoint, *, by: User) -> str | None:
    """Why `by` may not remove this touchpoint, or None (the confirmation page says which)."""
    refused = _refusal_of(session, touchpoint, by)
    return refused.message if refused is not None else None


def _refusal_of(session: Session, touchpoint: Touchpoint, by: User) -> RuleError | None:
    assert touchpoint.id is not None
    closing = journey.touchpoints_closing_work(session, [touchpoint.id])
    return _refusal(touchpoint, by, closes_work=touchpoint.id in closing)


def remove_touchpoint(
    session: Session, account_id: int, touchpoint_id: int, *, by: User
) -> Touchpoint:
    """Take back a touchpoint logged by mistake (its author or an administrator)."""
    account = journey.get_account(session, account_id)
    check_may_edit(session, account, by)
    touchpoint = touchpoint_to_remove(session, account_id, touchpoint_id)
    refused = _refusal_of(session, touchpoint, by)
    if refused is not None:
        raise refused
    session.delete(touchpoint)
    session.commit()
    return touchpoint


def _refusal(touchpoint: Touchpoint, by: User, *, closes_work: bool) -> RuleError | None:
    assert by.id is not None
    return removal_refusal(
        source=touchpoint.source,
        closes_work=closes_work,
        logged_by_id=touchpoint.created_by_id,
        user_id=by.id,
        is_admin=is_administrator(Role(by.role)),
    )
