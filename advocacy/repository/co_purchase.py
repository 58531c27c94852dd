"""What the firm's clients bought, per account with its industry: the co-purchase evidence.

One query for the whole firm: the next-service-line ranking needs every client's purchases to say
what is often bought together (domain/co_purchase.py), whichever clients are being ranked.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from advocacy.domain.co_purchase import BUYING_STATUSES
from advocacy.models import Account, Engagement, EngagementServiceLine


def purchases(session: Session) -> dict[int, tuple[str, frozenset[int]]]:
    """Account id -> (its industry, the lines it bought); accounts that bought nothing are absent."""
    query = (
        select(Account.id, Account.industry, EngagementServiceLine.service_line_id)
        .join(Engagement, col(Engagement.account_id) == col(Account.id))
        .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == col(Engagement.id))
        .where(col(Engagement.status).in_(sorted(status.value for status in BUYING_STATUSES)))
    )
    industries: dict[int, str] = {}
    lines: dict[int, set[int]] = defaultdict(set)
    for account_id, industry, line_id in session.exec(query):
        if account_id is None:  # a primary key: never None once read
            continue
        industries[account_id] = industry or ""
        lines[account_id].add(line_id)
    return {
        account_id: (industry, frozenset(lines[account_id]))
        for account_id, industry in industries.items()
    }
