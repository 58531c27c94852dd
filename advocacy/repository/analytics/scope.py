"""What every analytics query shares: the accounts the filters keep, the period's bounds, and
calendar months computed inside the database (so grouping happens there, not in Python).

The account filters (owner, industry, service line, cohort) become one `IN (SELECT ...)` on an
account id column; the period becomes a half-open range on the event's own timestamp.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, extract, func, literal
from sqlmodel import Session, col, select

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.models import Account, Engagement, EngagementServiceLine


def narrows_accounts(filters: AnalyticsFilters) -> bool:
    """True when one of the account filters is set (the period is not one)."""
    return any(
        value is not None
        for value in (
            filters.owner_id,
            filters.industry,
            filters.service_line_id,
            filters.cohort_year,
        )
    )


def kept_accounts(filters: AnalyticsFilters) -> Any:
    """The ids of the accounts the filters keep, as a subquery for `IN`."""
    query = select(Account.id)
    if filters.owner_id is not None:
        query = query.where(Account.owner_id == filters.owner_id)
    if filters.industry is not None:
        query = query.where(Account.industry == filters.industry)
    if filters.service_line_id is not None:
        bought = (
            select(Engagement.account_id)
            .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == Engagement.id)
            .where(EngagementServiceLine.service_line_id == filters.service_line_id)
        )
        query = query.where(col(Account.id).in_(bought))
    if filters.cohort_year is not None:
        # The cohort is the year of the account's earliest dated engagement.
        cohort = (
            select(Engagement.account_id)
            .where(col(Engagement.start_date).is_not(None))
            .group_by(col(Engagement.account_id))
            .having(extract("year", func.min(Engagement.start_date)) == filters.cohort_year)
        )
        query = query.where(col(Account.id).in_(cohort))
    return query


def account_conditions(column: Any, filters: AnalyticsFilters) -> list[ColumnElement[bool]]:
    """`column` (an account id) belongs to the accounts the filters keep; nothing when unfiltered."""
    if not narrows_accounts(filters):
        return []
    return [col(column).in_(kept_accounts(filters))]


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(), UTC)


def period_conditions(
    column: Any, start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    """`start <= column < end`, each bound only when given."""
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(col(column) >= start)
    if end is not None:
        conditions.append(col(column) < end)
    return conditions


def period_bounds(filters: AnalyticsFilters) -> tuple[datetime | None, datetime | None]:
    """The filters' period as a half-open UTC range (the end day is included)."""
    start = start_of(filters.period_start) if filters.period_start else None
    end = start_of(filters.period_end + timedelta(days=1)) if filters.period_end else None
    return start, end


def month_of(session: Session, column: Any) -> ColumnElement[str]:
    """The UTC calendar month of a timestamp column, as text `YYYY-MM`, on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), literal("YYYY-MM"))
    return func.strftime(literal("%Y-%m"), column)


def month_of_day(session: Session, column: Any) -> ColumnElement[str]:
    """The calendar month of a date column, as text `YYYY-MM`, on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, literal("YYYY-MM"))
    return func.strftime(literal("%Y-%m"), column)


def days_after(session: Session, moment: Any, day: Any) -> ColumnElement[Any]:
    """Whole calendar days from the date `day` to the UTC day of the timestamp `moment`."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", moment)) - day
    return func.julianday(func.date(moment)) - func.julianday(day)


def days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Days (with their fraction) from timestamp `earlier` to timestamp `later`."""
    if session.get_bind().dialect.name == "postgresql":
        return extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)
