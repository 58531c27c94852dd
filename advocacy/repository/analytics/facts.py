"""Facts every analytics question reads: accounts with their cohort, engagements with their lines."""

from __future__ import annotations

from sqlalchemy import select
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
    for engagement_id, line_id in session.execute(link_query):
        lines.setdefault(engagement_id, set()).add(line_id)
    query = select(
        col(Engagement.id),
        col(Engagement.account_id),
        col(Engagement.status),
        col(Engagement.created_at),
        col(Engagement.updated_at),
        col(Engagement.start_date),
    ).order_by(col(Engagement.id))
    return [
        EngagementFacts(
            engagement_id or 0,
            account_id,
            _STATUSES[status],
            created_at.date(),
            updated_at.date(),
            start_date,
            frozenset(lines.get(engagement_id or 0, ())),
        )
        for engagement_id, account_id, status, created_at, updated_at, start_date in session.execute(
            query
        )
    ]


def account_facts(session: Session, engagements: list[EngagementFacts]) -> dict[int, AccountFacts]:
    """Every account by id, with its cohort and the lines it bought (from `engagements`)."""
    by_account: dict[int, list[EngagementFacts]] = {}
    for engagement in engagements:
        by_account.setdefault(engagement.account_id, []).append(engagement)
    query = select(col(Account.id), col(Account.owner_id), col(Account.industry))
    facts = {}
    for account_id, owner_id, industry in session.execute(query):
        own = by_account.get(account_id or 0, [])
        bought = frozenset(line for e in own if e.hired for line in e.line_ids)
        facts[account_id or 0] = AccountFacts(
            account_id or 0, owner_id, industry, cohort_year(own), bought
        )
    return facts
