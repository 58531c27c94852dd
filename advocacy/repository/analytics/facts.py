"""Facts every analytics question reads: accounts with their cohort, engagements with their lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlmodel import Session, col

from advocacy.domain.analytics.scope import AccountFacts, EngagementFacts, cohort_year
from advocacy.domain.journey import EngagementStatus
from advocacy.models import Account, Engagement, EngagementServiceLine

# Looked up by value: calling the enum class per row is a measurable part of a large firm's read.
_STATUSES = {status.value: status for status in EngagementStatus}


def engagement_facts(session: Session) -> list[EngagementFacts]:
    """Every engagement with its service lines, in two queries."""
    lines: dict[int, set[int]] = {}
    link_query = select(
        col(EngagementServiceLine.engagement_id), col(EngagementServiceLine.service_line_id)
    )
    # Core rows through the connection: the ORM's result handling costs more than these
    # plain column reads themselves on a large firm.
    rows = session.connection()
    for engagement_id, line_id in rows.execute(link_query).all():
        lines.setdefault(engagement_id, set()).add(line_id)
    query = select(
        col(Engagement.id),
        col(Engagement.account_id),
        col(Engagement.status),
        raw_timestamp(col(Engagement.created_at)),
        raw_timestamp(col(Engagement.updated_at)),
        col(Engagement.start_date),
    ).order_by(col(Engagement.id))
    empty: frozenset[int] = frozenset()
    return [
        EngagementFacts(
            engagement_id or 0,
            account_id,
            _STATUSES[status],
            _utc_day(created_at),
            _utc_day(updated_at),
            start_date,
            frozenset(found) if (found := lines.get(engagement_id or 0)) else empty,
        )
        for engagement_id, account_id, status, created_at, updated_at, start_date in rows.execute(
            query
        ).all()
    ]


def _utc_day(value: str | datetime) -> date:
    """The UTC day of a stored timestamp read as `raw_timestamp` does."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return utc_time(value).date()


def raw_timestamp(column: Any) -> Any:
    """A UTC timestamp column read as the driver gives it, without the column type's conversion
    of every value (a large firm's reads have tens of thousands): see `utc_time`."""
    return type_coerce(column, String)


def utc_time(value: str | datetime) -> datetime:
    """An aware UTC datetime from a `raw_timestamp` value: SQLite gives the stored text
    ("2024-03-01 10:00:00.123456", in UTC), PostgreSQL an aware datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def account_facts(session: Session, engagements: list[EngagementFacts]) -> dict[int, AccountFacts]:
    """Every account by id, with its cohort and the lines it bought (from `engagements`)."""
    by_account: dict[int, list[EngagementFacts]] = {}
    for engagement in engagements:
        by_account.setdefault(engagement.account_id, []).append(engagement)
    query = select(col(Account.id), col(Account.owner_id), col(Account.industry))
    facts = {}
    for account_id, owner_id, industry in session.connection().execute(query).all():
        own = by_account.get(account_id or 0, [])
        bought = frozenset(line for e in own if e.hired for line in e.line_ids)
        facts[account_id or 0] = AccountFacts(
            account_id or 0, owner_id, industry, cohort_year(own), bought
        )
    return facts
