"""Queries of the typecasting question: how many accounts know how many of their relevant lines,
and since when each known pair has been known. Grouped in the database: a few dozen rows per
industry come back, whatever the number of accounts.

"Relevant" is `domain.awareness.relevant_lines` written in SQL: an active line rated at or above
the threshold for the account's industry, or any active line when nobody rated that industry
(the rated industries are read first, a handful of names).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, true
from sqlmodel import Session, col, select

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.awareness import KNOWN
from advocacy.models import Account, AccountLineAwareness, ServiceLine, ServiceLineIndustry
from advocacy.repository.analytics.scope import account_conditions, month_of


def accounts_per_industry(session: Session, filters: AnalyticsFilters) -> dict[str, int]:
    """How many accounts the filters keep, per industry."""
    rows = session.exec(
        select(Account.industry, func.count())
        .where(*account_conditions(Account.id, filters))
        .group_by(col(Account.industry))
    )
    return {industry: int(number) for industry, number in rows}


def rated_industries(session: Session) -> list[str]:
    """Industries with at least one relevance rating (the others find every active line relevant)."""
    return list(session.exec(select(ServiceLineIndustry.industry).distinct()))


def _known_relevant(query: Any, threshold: int, rated: list[str]) -> Any:
    """`query` over awareness records joined to their accounts, kept to the known records of
    active lines relevant to the account's industry."""
    line = col(AccountLineAwareness.service_line_id)
    return (
        query.join(
            ServiceLine, and_(col(ServiceLine.id) == line, col(ServiceLine.active).is_(True))
        )
        .outerjoin(
            ServiceLineIndustry,
            and_(
                col(ServiceLineIndustry.service_line_id) == line,
                col(ServiceLineIndustry.industry) == Account.industry,
            ),
        )
        .where(
            col(AccountLineAwareness.state).in_([state.value for state in KNOWN]),
            or_(
                col(ServiceLineIndustry.relevance) >= threshold,
                col(Account.industry).not_in(rated) if rated else true(),
            ),
        )
    )


def accounts_by_known_count(
    session: Session, filters: AnalyticsFilters, *, threshold: int, rated: list[str]
) -> list[tuple[str, int, int]]:
    """(industry, k, accounts): how many accounts know exactly k of their relevant lines (k ≥ 1)."""
    per_account = (
        _known_relevant(
            select(
                col(AccountLineAwareness.account_id).label("account_id"),
                col(Account.industry).label("industry"),
                func.count().label("known"),
            ).join(Account, col(Account.id) == AccountLineAwareness.account_id),
            threshold,
            rated,
        )
        .where(*account_conditions(Account.id, filters))
        .group_by(col(AccountLineAwareness.account_id), col(Account.industry))
        .subquery()
    )
    rows = session.exec(
        select(per_account.c.industry, per_account.c.known, func.count()).group_by(
            per_account.c.industry, per_account.c.known
        )
    )
    return [(industry, int(known), int(number)) for industry, known, number in rows]


def known_pairs_by_month(
    session: Session, filters: AnalyticsFilters, *, threshold: int, rated: list[str]
) -> list[tuple[str, int, str | None, int]]:
    """(industry, line, month known since, pairs): known relevant (account, line) pairs by the
    month of their earliest dated evidence (bought or engaged; None when the record has no date)."""
    engaged, bought = col(AccountLineAwareness.engaged_at), col(AccountLineAwareness.bought_at)
    since = case(
        (engaged.is_(None), bought),
        (bought.is_(None), engaged),
        (engaged < bought, engaged),
        else_=bought,
    )
    month = month_of(session, since)
    rows = session.exec(
        _known_relevant(
            select(
                Account.industry, AccountLineAwareness.service_line_id, month, func.count()
            ).join(Account, col(Account.id) == AccountLineAwareness.account_id),
            threshold,
            rated,
        )
        .where(*account_conditions(Account.id, filters))
        .group_by(col(Account.industry), col(AccountLineAwareness.service_line_id), month)
    )
    return [(industry, int(line), found, int(number)) for industry, line, found, number in rows]


def line_names(session: Session) -> dict[int, str]:
    """The name of every active service line."""
    rows = session.exec(
        select(ServiceLine.id, ServiceLine.name).where(col(ServiceLine.active).is_(True))
    )
    return {line_id: name for line_id, name in rows if line_id is not None}
