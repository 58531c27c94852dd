"""Read models of the advocacy score: the ranked Advocates list, an account's stakeholders' scores,
and marketing's best candidates. Queries only: nothing here writes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.paging import pager
from advocacy.domain.people import ContactStatus
from advocacy.domain.score_asks import NextAsk, Tier
from advocacy.models import Account, Contact, ContactScore, Person, User
from advocacy.repository.read_models.accounts import AccountFilter, narrowed, user_label

PAGE_SIZE: Final = 25
# Who the list narrows to by where they are now: moved champions, retired alumni, or current.
PEOPLE: Final = {
    "current": ContactStatus.ACTIVE.value,
    "moved": ContactStatus.LEFT.value,
    "retired": ContactStatus.RETIRED.value,
}
# The tiers worth asking something, for the home page's candidates.
ASKABLE: Final = (Tier.CHAMPION.value, Tier.ADVOCATE.value)


@dataclass(frozen=True)
class AdvocateFilter:
    """What the Advocates list is narrowed to; every field optional."""

    tier: str | None = None
    owner_id: int | None = None
    industry: str | None = None
    service_line_id: int | None = None
    camp: str | None = None
    people: str | None = None  # a key of PEOPLE
    page: int = 1


@dataclass(frozen=True)
class AdvocateRow:
    """One scored contact, with the account and owner the list shows."""

    contact_id: int
    account_id: int
    name: str
    title: str
    status: str
    account_name: str
    owner: str
    score: int
    tier: str
    ask: str
    reason: str
    factors_json: str


@dataclass(frozen=True)
class AdvocatePage:
    rows: list[AdvocateRow]
    total: int
    page: int
    pages: int


def _query(columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(ContactScore)
        .join(Contact, col(Contact.id) == col(ContactScore.contact_id))
        .join(Person, col(Person.id) == col(Contact.person_id))
        .join(Account, col(Account.id) == col(Contact.account_id))
        .join(User, col(User.id) == col(Account.owner_id), isouter=True)
    )


def _narrowed(query: Any, wanted: AdvocateFilter) -> Any:
    query = narrowed(
        query,
        AccountFilter(
            owner_id=wanted.owner_id,
            industry=wanted.industry,
            service_line_id=wanted.service_line_id,
            camp=wanted.camp,
        ),
    )
    if wanted.tier:
        query = query.where(ContactScore.tier == wanted.tier)
    if wanted.people in PEOPLE:
        query = query.where(Contact.status == PEOPLE[wanted.people])
    return query


def _rows(session: Session, query: Any) -> list[AdvocateRow]:
    return [
        AdvocateRow(
            contact_id=score.contact_id,
            account_id=account.id or 0,
            name=person.full_name,
            title=contact.title or "",
            status=contact.status,
            account_name=account.name,
            owner=user_label(owner),
            score=score.score,
            tier=score.tier,
            ask=score.ask,
            reason=score.reason,
            factors_json=score.factors_json,
        )
        for score, contact, person, account, owner in session.exec(query)
    ]


_COLUMNS = (ContactScore, Contact, Person, Account, User)
_RANK = (col(ContactScore.score).desc(), col(ContactScore.contact_id))


def list_advocates(session: Session, wanted: AdvocateFilter) -> AdvocatePage:
    """One page of scored contacts, best first, narrowed to `wanted`: two queries."""
    if wanted == AdvocateFilter(page=wanted.page):
        # Unfiltered: every score is of a contact with a person and an account (foreign keys,
        # not null), so the joins cannot change the count; counting the scores alone spares
        # the database a join of every table over a large firm's hundred thousand scores.
        total = session.exec(select(func.count()).select_from(ContactScore)).one()
    else:
        total = session.exec(_narrowed(_query((func.count(),)), wanted)).one()
    shown = pager(int(total), wanted.page, PAGE_SIZE)
    query = _narrowed(_query(_COLUMNS), wanted).order_by(*_RANK)
    rows = _rows(session, query.offset(shown.offset).limit(PAGE_SIZE))
    return AdvocatePage(rows, int(total), shown.page, shown.pages)


def scores_of_contacts(session: Session, contact_ids: Collection[int]) -> dict[int, AdvocateRow]:
    """The current scores of these contacts (the account page's stakeholders), in one query."""
    if not contact_ids:
        return {}
    query = _query(_COLUMNS).where(col(ContactScore.contact_id).in_(sorted(contact_ids)))
    return {row.contact_id: row for row in _rows(session, query)}


def best_candidates(session: Session, *, limit: int = 5) -> list[AdvocateRow]:
    """The best-scored champions and advocates with something to ask now (marketing's home)."""
    query = (
        _query(_COLUMNS)
        .where(col(ContactScore.tier).in_(ASKABLE), ContactScore.ask != NextAsk.NONE.value)
        .order_by(*_RANK)
        .limit(limit)
    )
    return _rows(session, query)
