"""Touchpoint use cases: log an interaction on an account's journey map."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy import repository_journey as repo
from advocacy.domain.text import N_, RuleError
from advocacy.domain.touchpoints import TouchpointSource
from advocacy.models import Account, Touchpoint, TouchpointCreate, User
from advocacy.services.journey import check_may_edit


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
    if data.contact_id is not None and not repo.contact_ids_at(
        session, account.id, [data.contact_id]
    ):
        raise RuleError(N_("This contact does not belong to the account."))
    if data.service_line_id is not None and not repo.existing_service_line_ids(
        session, [data.service_line_id]
    ):
        raise RuleError(N_("Unknown service line."))
    if data.occurred_at > now:
        raise RuleError(N_("A touchpoint cannot be in the future; plan a check-in instead."))
    if data.external_id and repo.touchpoint_by_external_id(session, data.external_id):
        raise RuleError(N_("Another touchpoint already has this external id."))
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
    return touchpoint


def log_touchpoint(
    session: Session, account_id: int, data: TouchpointCreate, *, by: User, now: datetime
) -> Touchpoint:
    """Log a meeting, call, e-mail... on the account's journey map."""
    account = repo.get_account(session, account_id)
    check_may_edit(session, account, by)
    touchpoint = add_touchpoint_to(session, account, data, by=by, now=now)
    session.commit()
    return touchpoint
