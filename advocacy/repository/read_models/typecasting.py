"""Read models of what clients know the firm for: one account's awareness (the account page and
the API) and the firm-wide matrix of accounts by service line. Queries only: nothing here writes.

A handful of queries per page whatever the number of accounts: the page's accounts, their
records, the catalogue and the relevance ratings of the industries shown, and the index summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.awareness import (
    KNOWN,
    Awareness,
    LineAwareness,
    relevant_lines,
    typecasting_index,
)
from advocacy.domain.paging import pager
from advocacy.models import Account, AccountLineAwareness, ServiceLine, User
from advocacy.repository import awareness, journey
from advocacy.repository.read_models.accounts import AccountFilter, narrowed, user_label

MATRIX_PAGE_SIZE: Final = 50


@dataclass(frozen=True)
class LineState:
    """One service line as one account knows it."""

    service_line_id: int
    name: str
    state: Awareness
    relevant: bool
    introduced_at: datetime | None = None
    engaged_at: datetime | None = None
    bought_at: datetime | None = None


@dataclass(frozen=True)
class AccountAwareness:
    """What one account knows the firm for, line by line, and its typecasting index."""

    account_id: int
    lines: list[LineState]
    index: float | None

    @property
    def known(self) -> list[LineState]:
        return [line for line in self.lines if line.state in KNOWN]

    @property
    def introduced(self) -> list[LineState]:
        return [line for line in self.lines if line.state is Awareness.INTRODUCED]

    @property
    def unaware(self) -> list[LineState]:
        """Relevant lines they have not heard of: where the firm is typecast."""
        return [line for line in self.lines if line.state is Awareness.UNAWARE and line.relevant]


def _line_states(
    lines: list[ServiceLine], records: Mapping[int, LineAwareness], relevant: set[int]
) -> list[LineState]:
    states = []
    for line in lines:
        assert line.id is not None
        record = records.get(line.id)
        states.append(
            LineState(
                line.id,
                line.name,
                record.state if record else Awareness.UNAWARE,
                line.id in relevant,
                record.introduced_at if record else None,
                record.engaged_at if record else None,
                record.bought_at if record else None,
            )
        )
    return states


def account_awareness(session: Session, account_id: int, *, threshold: int) -> AccountAwareness:
    """Per active line, what the account knows and since when, and its index (NotFound if none)."""
    account = journey.get_account(session, account_id)
    active = journey.list_service_lines(session, active_only=True)
    records = awareness.account_records(session, [account_id]).get(account_id, {})
    industry = account.industry
    relevance = journey.relevance_by_industry(session, [industry]).get(industry, {})
    relevant = relevant_lines([line.id for line in active if line.id], relevance, threshold)
    return AccountAwareness(
        account_id,
        _line_states(active, records, set(relevant)),
        typecasting_index(records, relevant),
    )


@dataclass(frozen=True)
class MatrixRow:
    account_id: int
    name: str
    industry: str
    stage: str
    owner: str
    cells: list[LineState]  # one per column, in the columns' order
    index: float | None


@dataclass(frozen=True)
class Matrix:
    """Accounts by service line: where the firm is typecast."""

    columns: list[ServiceLine]
    rows: list[MatrixRow]
    total: int
    page: int
    pages: int
    average_index: float | None  # over every account the filters match, not only this page


def _average_index(
    session: Session, wanted: AccountFilter, lines: list[ServiceLine], threshold: int
) -> float | None:
    """Mean index of every matching account: two queries (accounts, their known lines)."""
    industries = dict(session.exec(narrowed(select(Account.id, Account.industry), wanted)).all())
    if not industries:
        return None
    known: dict[int, dict[int, LineAwareness]] = defaultdict(dict)
    matching = narrowed(select(Account.id), wanted).scalar_subquery()
    query = select(AccountLineAwareness.account_id, AccountLineAwareness.service_line_id).where(
        col(AccountLineAwareness.account_id).in_(matching),
        col(AccountLineAwareness.state).in_([state.value for state in KNOWN]),
    )
    for account_id, line_id in session.exec(query):
        known[account_id][line_id] = LineAwareness(line_id, Awareness.BOUGHT)
    relevance = journey.relevance_by_industry(session, industries.values())
    active = [line.id for line in lines if line.id is not None]
    indexes = [
        index
        for account_id, industry in industries.items()
        if (
            index := typecasting_index(
                known[account_id], relevant_lines(active, relevance.get(industry, {}), threshold)
            )
        )
        is not None
    ]
    return sum(indexes) / len(indexes) if indexes else None


def typecasting_matrix(session: Session, wanted: AccountFilter, *, threshold: int) -> Matrix:
    """One page of accounts (filtered by owner, industry, stage) by active service line."""
    total = session.exec(narrowed(select(func.count()).select_from(Account), wanted)).one()
    shown = pager(total, wanted.page, MATRIX_PAGE_SIZE)
    query = narrowed(
        select(Account, User).join(User, col(Account.owner_id) == User.id, isouter=True), wanted
    )
    query = query.order_by(func.lower(Account.name), col(Account.id))
    page = list(session.exec(query.offset(shown.offset).limit(MATRIX_PAGE_SIZE)))
    columns = journey.list_service_lines(session, active_only=True)
    active = [line.id for line in columns if line.id is not None]
    records = awareness.account_records(session, [account.id for account, _ in page if account.id])
    relevance = journey.relevance_by_industry(session, [account.industry for account, _ in page])
    rows = []
    for account, owner in page:
        relevant = relevant_lines(active, relevance.get(account.industry, {}), threshold)
        mine = records.get(account.id or 0, {})
        rows.append(
            MatrixRow(
                account.id or 0,
                account.name,
                account.industry,
                account.stage,
                user_label(owner),
                _line_states(columns, mine, set(relevant)),
                typecasting_index(mine, relevant),
            )
        )
    return Matrix(
        columns,
        rows,
        total,
        shown.page,
        shown.pages,
        _average_index(session, wanted, columns, threshold),
    )
