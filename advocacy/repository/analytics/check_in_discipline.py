"""Check-in punctuality counted in the database: per owner and per month of closing, how many
check-ins were done on time, late or skipped, and how many open ones are overdue (the team view's
rule, `domain.cadence.discipline`, as grouped counts). Three statements whatever the data size."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_
from sqlmodel import Session, col, select

from advocacy.domain.analytics.check_in_discipline import Tally
from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.cadence import ON_TIME_GRACE_DAYS, CheckInStatus
from advocacy.models import CheckIn, User
from advocacy.repository.analytics.scope import (
    account_conditions,
    days_after,
    month_of,
    period_conditions,
)

ON_TIME, LATE, SKIPPED, OVERDUE, OPEN = "on_time", "late", "skipped", "overdue", "open"


def _outcome(session: Session, today: date) -> Any:
    """What one check-in counts as: on time, late, skipped, overdue or (open, not yet due) open."""
    late_by = days_after(session, CheckIn.closed_at, CheckIn.due_on)
    return case(
        (col(CheckIn.status) == CheckInStatus.SKIPPED.value, literal(SKIPPED)),
        (
            col(CheckIn.status) == CheckInStatus.OPEN.value,
            case((col(CheckIn.due_on) < today, literal(OVERDUE)), else_=literal(OPEN)),
        ),
        (late_by <= ON_TIME_GRACE_DAYS, literal(ON_TIME)),
        else_=literal(LATE),
    )


def by_owner(
    session: Session,
    filters: AnalyticsFilters,
    *,
    start: datetime,
    end: datetime | None,
    today: date,
) -> list[Tally]:
    """Per check-in owner: closed within [start, end) by outcome, and open ones as of today."""
    outcome = _outcome(session, today)
    closed_in_period = and_(
        col(CheckIn.status) != CheckInStatus.OPEN.value,
        *period_conditions(CheckIn.closed_at, start, end),
    )
    rows = session.exec(
        select(CheckIn.owner_id, outcome, func.count())
        .where(
            or_(col(CheckIn.status) == CheckInStatus.OPEN.value, closed_in_period),
            *account_conditions(CheckIn.account_id, filters),
        )
        .group_by(col(CheckIn.owner_id), outcome)
    )
    return [Tally(owner_id, kind, number) for owner_id, kind, number in rows]


def by_month(
    session: Session,
    filters: AnalyticsFilters,
    *,
    start: datetime,
    end: datetime | None,
    today: date,
) -> list[Tally]:
    """Per month of closing (`YYYY-MM`): check-ins closed within [start, end) by outcome."""
    outcome = _outcome(session, today)
    month = month_of(session, CheckIn.closed_at)
    rows = session.exec(
        select(month, outcome, func.count())
        .where(
            col(CheckIn.status) != CheckInStatus.OPEN.value,
            *period_conditions(CheckIn.closed_at, start, end),
            *account_conditions(CheckIn.account_id, filters),
        )
        .group_by(month, outcome)
    )
    return [Tally(key, kind, number) for key, kind, number in rows]


def owner_names(session: Session, owner_ids: list[int]) -> dict[int, str]:
    """The name (or e-mail) of each owner."""
    if not owner_ids:
        return {}
    rows = session.exec(select(User.id, User.name, User.email).where(col(User.id).in_(owner_ids)))
    return {user_id: name or email for user_id, name, email in rows if user_id is not None}
