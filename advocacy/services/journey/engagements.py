"""Engagement use cases: record and update work with an account; the journey follows."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.domain import journey
from advocacy.domain.errors import Conflict, RuleError
from advocacy.domain.journey import EngagementFacts, EngagementStatus, Stage
from advocacy.domain.text import N_
from advocacy.models import Account, Engagement, EngagementCreate, EngagementUpdate, User
from advocacy.repository.journey import (
    contact_ids_at,
    contact_ids_of,
    engagement_by_external_id,
    engagements_of,
    existing_service_line_ids,
    get_account,
    get_engagement,
    service_line_ids_of,
    set_engagement_links,
)
from advocacy.services.journey.accounts import check_may_edit, record_move
from advocacy.services.nurture.awareness import follow_sold_engagements
from advocacy.services.voice.referrals import follow_prospect_engagements


def _check_links(
    session: Session, account_id: int, service_line_ids: list[int], contact_ids: list[int]
) -> None:
    if set(service_line_ids) - existing_service_line_ids(session, service_line_ids):
        raise RuleError(N_("Unknown service line."))
    if set(contact_ids) - contact_ids_at(session, account_id, contact_ids):
        raise RuleError(N_("Only contacts of this account can be involved in its engagements."))


def follow_engagements(
    session: Session, account: Account, *, by: User | None, now: datetime
) -> None:
    """Move the account to the stage its engagements call for (helper: no commit)."""
    assert account.id is not None
    session.flush()
    facts = [
        EngagementFacts(e.id or 0, EngagementStatus(e.status), e.end_date)
        for e in engagements_of(session, account.id)
    ]
    implied = journey.stage_implied_by_engagements(Stage(account.stage), facts)
    if implied is not None:
        stage, rule = implied
        reason = (
            N_("an engagement was won or started")
            if stage is Stage.ACTIVE
            else (N_("the last engagement ended"))
        )
        record_move(session, account, stage, reason=reason, by=by, now=now, rule=rule)
    follow_prospect_engagements(session, account, now=now)  # a referred prospect won: attribution
    follow_sold_engagements(session, account.id, now=now)  # what they bought, they know us for


def add_engagement_to(
    session: Session, account: Account, data: EngagementCreate, *, by: User | None, now: datetime
) -> Engagement:
    """Add an engagement and follow its effect on the journey (helper: no commit)."""
    assert account.id is not None
    _check_links(session, account.id, data.service_line_ids, data.contact_ids)
    if data.external_id and engagement_by_external_id(session, data.external_id):
        raise Conflict(N_("Another engagement already has this external id."))
    engagement = Engagement.model_validate(
        data.model_dump(exclude={"service_line_ids", "contact_ids"}),
        update={
            "account_id": account.id,
            "status": data.status.value,
            "created_at": now,
            "updated_at": now,
        },
    )
    session.add(engagement)
    session.flush()
    assert engagement.id is not None
    set_engagement_links(session, engagement.id, data.service_line_ids, data.contact_ids)
    follow_engagements(session, account, by=by, now=now)
    return engagement


def record_engagement(
    session: Session, account_id: int, data: EngagementCreate, *, by: User, now: datetime
) -> Engagement:
    """Record work proposed, sold or delivered; winning it makes the account active."""
    account = get_account(session, account_id)
    check_may_edit(session, account, by)
    engagement = add_engagement_to(session, account, data, by=by, now=now)
    session.commit()
    return engagement


def update_engagement(
    session: Session, engagement_id: int, data: EngagementUpdate, *, by: User, now: datetime
) -> Engagement:
    """Change an engagement; completing the last live one moves the account between engagements."""
    engagement = get_engagement(session, engagement_id)
    account = get_account(session, engagement.account_id)
    check_may_edit(session, account, by)
    changes = data.model_dump(exclude_unset=True)
    line_ids = changes.pop("service_line_ids", None)
    contact_ids = changes.pop("contact_ids", None)
    changes = {
        name: value.value if isinstance(value, EngagementStatus) else value
        for name, value in changes.items()
    }
    # Check the rules that span fields (dates in order, a revisit date when deferred) on the
    # merged result before touching the row, so a refusal leaves nothing half-changed.
    EngagementCreate.model_validate({**engagement.model_dump(), **changes})
    for name, value in changes.items():
        setattr(engagement, name, value)
    if line_ids is not None or contact_ids is not None:
        assert engagement.id is not None
        lines = line_ids if line_ids is not None else service_line_ids_of(session, engagement.id)
        people = contact_ids if contact_ids is not None else contact_ids_of(session, engagement.id)
        _check_links(session, account.id or 0, lines, people)
        set_engagement_links(session, engagement.id, lines, people)
    engagement.updated_at = now
    session.add(engagement)
    follow_engagements(session, account, by=by, now=now)
    session.commit()
    return engagement
