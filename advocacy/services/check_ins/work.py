"""An account manager's work on a check-in: complete it, snooze it, hand it over, or skip it.

Completing logs a touchpoint on the account's timeline, so the journey map and the next cadence
both see the conversation. Every change is checked against the same rule as account edits: the
owner, the account's team, or an administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col

from advocacy.domain.access import may_own_accounts
from advocacy.domain.cadence import (
    CheckInError,
    CheckInKind,
    CheckInOutcome,
    CheckInStatus,
    check_every_days,
    check_next_on,
    check_open,
    check_snooze,
    next_date_after,
)
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import Channel, Initiative, TouchpointKind
from advocacy.models import Account, CheckIn, TouchpointCreate, User
from advocacy.repository import get_row, journey
from advocacy.services.journey.accounts import check_may_edit
from advocacy.services.journey.touchpoints import add_touchpoint_to

# The touchpoint a completed check-in becomes, by channel: a conversation of that kind.
_KIND_BY_CHANNEL = {
    Channel.IN_PERSON: TouchpointKind.MEETING,
    Channel.VIDEO: TouchpointKind.MEETING,
    Channel.PHONE: TouchpointKind.CALL,
    Channel.EMAIL: TouchpointKind.EMAIL,
    Channel.EVENT: TouchpointKind.EVENT,
}
CHECK_IN_CHANNELS = tuple(_KIND_BY_CHANNEL)


@dataclass(frozen=True)
class Completion:
    """What the account manager reports after the conversation."""

    outcome: CheckInOutcome
    channel: Channel
    notes: str = ""
    next_step: str = ""
    contact_id: int | None = None
    next_on: date | None = None  # sooner or later than the rule; None: the rule decides


def _open_check_in(session: Session, check_in_id: int, by: User) -> tuple[CheckIn, Account]:
    check_in = get_row(session, CheckIn, check_in_id)
    account = journey.get_account(session, check_in.account_id)
    check_may_edit(session, account, by)
    check_open(CheckInStatus(check_in.status))
    return check_in, account


def _close(check_in: CheckIn, status: CheckInStatus, *, by: User, now: datetime) -> None:
    check_in.status = status.value
    check_in.open_for_account_id = None  # frees the guard: the next check-in may be generated
    check_in.closed_at = now
    check_in.closed_by_id = by.id
    check_in.updated_at = now


def complete_check_in(
    session: Session, check_in_id: int, done: Completion, *, by: User, now: datetime
) -> CheckIn:
    """Close a check-in with its outcome and log the conversation on the account's timeline."""
    check_in, account = _open_check_in(session, check_in_id, by)
    next_on = check_next_on(done.next_on, today=now.date())
    if done.channel not in _KIND_BY_CHANNEL:
        raise CheckInError(N_("Choose how the conversation took place."))
    if done.contact_id is not None and not journey.contact_ids_at(
        session, account.id or 0, [done.contact_id], active_only=True
    ):
        # Someone who left or retired is no longer who the firm talks to at this account.
        raise CheckInError(N_("Choose an active contact of this account."))
    summary = " — ".join(part for part in (done.notes.strip(), done.next_step.strip()) if part)
    touchpoint = add_touchpoint_to(
        session,
        account,
        TouchpointCreate(
            kind=_KIND_BY_CHANNEL[done.channel],
            initiative=Initiative.FIRM,
            channel=done.channel,
            contact_id=done.contact_id if done.contact_id is not None else check_in.contact_id,
            occurred_at=now,
            summary=summary[:5000] or f"Check-in: {done.outcome.value}",
        ),
        by=by,
        now=now,
    )
    check_in.outcome = done.outcome.value
    check_in.notes = done.notes.strip()[:5000]
    check_in.next_step = done.next_step.strip()[:500]
    check_in.touchpoint_id = touchpoint.id
    if done.contact_id is not None:
        check_in.contact_id = done.contact_id
    _close(check_in, CheckInStatus.DONE, by=by, now=now)
    account.next_check_in_on = next_date_after(done.outcome, next_on, today=now.date())
    session.commit()
    return check_in


def snooze_check_in(
    session: Session, check_in_id: int, until: date, *, by: User, now: datetime
) -> CheckIn:
    """Move an open check-in to a later day."""
    check_in, _account = _open_check_in(session, check_in_id, by)
    check_in.due_on = check_snooze(until, today=now.date())
    check_in.updated_at = now
    session.commit()
    return check_in


def reassign_check_in(
    session: Session, check_in_id: int, user_id: int, *, by: User, now: datetime
) -> CheckIn:
    """Give an open check-in to another active account manager or administrator."""
    check_in, _account = _open_check_in(session, check_in_id, by)
    to = session.get(User, user_id)
    if to is None or not to.active or not may_own_accounts(Role(to.role)):
        raise CheckInError(N_("A check-in goes to an active account manager or administrator."))
    check_in.owner_id = user_id
    check_in.updated_at = now
    session.commit()
    return check_in


def skip_check_in(
    session: Session, check_in_id: int, reason: str, *, by: User, now: datetime
) -> CheckIn:
    """Close a check-in without a conversation; the reason is kept and the rhythm restarts today."""
    check_in, _account = _open_check_in(session, check_in_id, by)
    reason = " ".join(reason.split())
    if not reason:
        raise CheckInError(N_("Say why this check-in is skipped."))
    check_in.skip_reason = reason[:500]
    _close(check_in, CheckInStatus.SKIPPED, by=by, now=now)
    session.commit()
    return check_in


def set_account_cadence(
    session: Session,
    account_id: int,
    *,
    every_days: int | None,
    paused_until: date | None,
    by: User,
    now: datetime,
) -> Account:
    """Set an account's own check-in rhythm and pause (None: follow the stage's rhythm)."""
    account = journey.get_account(session, account_id)
    check_may_edit(session, account, by)
    account.check_in_every_days = check_every_days(every_days)
    if paused_until is not None and paused_until <= now.date():
        raise CheckInError(N_("A pause ends on a day after today."))
    account.check_ins_paused_until = paused_until
    account.updated_at = now
    if paused_until is not None:
        # An open routine check-in due during the pause moves to its end, so nothing nags meanwhile.
        session.execute(
            update(CheckIn)
            .where(
                col(CheckIn.account_id) == account_id,
                col(CheckIn.status) == CheckInStatus.OPEN.value,
                col(CheckIn.kind) != CheckInKind.REPAIR.value,
                col(CheckIn.due_on) < paused_until,
            )
            .values(due_on=paused_until, updated_at=now)
        )
    session.commit()
    return account
