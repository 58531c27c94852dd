"""Read models for the staff pages: the accounts list, the journey map, a contact's history and the
signals on the home page. Queries only: nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select

from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.journey import EngagementStatus, Stage
from advocacy.domain.paging import first_row, page_count, pager
from advocacy.domain.people import BuyingRole, ContactFacts, ContactStatus, CoverageGap
from advocacy.domain.people import coverage_gaps as find_coverage_gaps
from advocacy.models import (
    Account,
    Contact,
    Engagement,
    EngagementContact,
    EngagementServiceLine,
    Person,
    ServiceLine,
    StageChange,
    Touchpoint,
    User,
)
from advocacy.models.fields import saved_id
from advocacy.repository import journey

PAGE_SIZE: Final = 50
TOUCHPOINTS_SHOWN: Final = 100
# Work the client paid for: a proposal, a lost or a deferred deal is not a service "bought".
BOUGHT_STATUSES: Final = frozenset(
    {EngagementStatus.WON, EngagementStatus.ACTIVE, EngagementStatus.COMPLETED}
)
SORTS: Final = ("name", "stage_since", "updated")
_ROLE_VALUES: Final = frozenset(role.value for role in BuyingRole)


@dataclass(frozen=True)
class AccountFilter:
    """What the accounts list is narrowed to; every field optional."""

    stage: str | None = None
    owner_id: int | None = None
    industry: str | None = None
    service_line_id: int | None = None
    camp: str | None = None
    search: str = ""
    sort: str = "name"
    page: int = 1
    # Keyset paging: the page starts after this account, or ends before it (the Next and
    # Previous links); the page number then only says where the reader is.
    after: int | None = None
    before: int | None = None


@dataclass(frozen=True)
class AccountRow:
    id: int
    name: str
    industry: str
    stage: str
    stage_since: datetime
    camp: str
    do_not_ask: bool
    owner: str
    updated_at: datetime


@dataclass(frozen=True)
class AccountPage:
    rows: list[AccountRow]
    total: int
    page: int
    pages: int
    stage_counts: dict[str, int]


def user_label(user: User | None) -> str:
    return (user.name or user.email) if user is not None else ""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def narrowed(query: Any, wanted: AccountFilter, *, with_stage: bool = True) -> Any:
    """`query` on accounts, narrowed to those `wanted` (the accounts list and the matrix)."""
    if with_stage and wanted.stage:
        query = query.where(Account.stage == wanted.stage)
    if wanted.owner_id is not None:
        query = query.where(Account.owner_id == wanted.owner_id)
    if wanted.industry:
        query = query.where(Account.industry == wanted.industry)
    if wanted.camp:
        query = query.where(Account.camp == wanted.camp)
    if wanted.search.strip():
        query = query.where(
            func.lower(Account.name).like(_like(wanted.search.strip()), escape="\\")
        )
    if wanted.service_line_id is not None:
        bought = (
            select(Engagement.account_id)
            .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == Engagement.id)
            .where(
                EngagementServiceLine.service_line_id == wanted.service_line_id,
                col(Engagement.status).in_([s.value for s in BOUGHT_STATUSES]),
            )
        )
        query = query.where(col(Account.id).in_(bought))
    return query


def _sort_key(sort: str) -> tuple[tuple[Any, Any], bool]:
    """The columns the list is ordered by (the id last, so the order is total), and whether
    ascending."""
    if sort == "stage_since":  # longest in their stage first: those are the ones to look at
        return (col(Account.stage_since), col(Account.id)), True
    if sort == "updated":
        return (col(Account.updated_at), col(Account.id)), False
    return (func.lower(Account.name), col(Account.id)), True


def _order(query: Any, sort: str, *, reverse: bool = False) -> Any:
    key, ascending = _sort_key(sort)
    if ascending != reverse:
        return query.order_by(*key)
    return query.order_by(*(column.desc() for column in key))


def _keyset(session: Session, query: Any, wanted: AccountFilter) -> list[Any] | None:
    """The page after (or before) the account `wanted` names, by an index seek on the sort key
    rather than an offset that walks every row before it; None when that account is gone."""
    forward = wanted.after is not None
    key, ascending = _sort_key(wanted.sort)
    cursor = session.exec(select(*key).where(Account.id == (wanted.after or wanted.before))).first()
    if cursor is None:
        return None
    row = tuple_(*key)
    later = row > tuple(cursor) if ascending == forward else row < tuple(cursor)
    ordered = _order(query.where(later), wanted.sort, reverse=not forward)
    rows = list(session.exec(ordered.limit(PAGE_SIZE)))
    return rows if forward else rows[::-1]


def list_accounts(session: Session, wanted: AccountFilter) -> AccountPage:
    """One page of accounts matching `wanted`, and how many match in each stage."""
    counts_query = narrowed(
        select(Account.stage, func.count()).group_by(col(Account.stage)), wanted, with_stage=False
    )
    stage_counts = {stage.value: 0 for stage in Stage}
    for stage, count in session.exec(counts_query):
        stage_counts[stage] = count
    total = stage_counts.get(wanted.stage, 0) if wanted.stage else sum(stage_counts.values())
    shown = pager(total, wanted.page, PAGE_SIZE)
    query = narrowed(
        select(Account, User).join(User, col(Account.owner_id) == User.id, isouter=True), wanted
    )
    found = None
    if wanted.after is not None or wanted.before is not None:
        found = _keyset(session, query, wanted)
    if not found:  # a page number, or a cursor that no longer leads anywhere
        found = list(session.exec(_order(query, wanted.sort).offset(shown.offset).limit(PAGE_SIZE)))
    rows = [
        AccountRow(
            id=account.id,
            name=account.name,
            industry=account.industry,
            stage=account.stage,
            stage_since=account.stage_since,
            camp=account.camp,
            do_not_ask=account.do_not_ask,
            owner=user_label(owner),
            updated_at=account.updated_at,
        )
        for account, owner in found
    ]
    return AccountPage(rows, total, shown.page, shown.pages, stage_counts)


def industries(session: Session) -> list[str]:
    query = select(Account.industry).where(Account.industry != "").distinct()
    return sorted(session.exec(query), key=str.lower)


def users_by_ids(session: Session, ids: set[int]) -> list[User]:
    """Users with these ids, by name."""
    if not ids:
        return []
    users = session.exec(select(User).where(col(User.id).in_(sorted(ids))))
    return sorted(users, key=lambda user: user_label(user).lower())


def possible_owners(session: Session) -> list[User]:
    """Active staff who may own an account."""
    query = select(User).where(User.active, col(User.role).in_(ACCOUNT_WORKERS))
    return sorted(session.exec(query), key=lambda user: user_label(user).lower())


@dataclass(frozen=True)
class HistoryRow:
    change: StageChange
    by: str


@dataclass(frozen=True)
class EngagementRow:
    engagement: Engagement
    service_lines: list[str]
    people: list[str]


@dataclass(frozen=True)
class ContactRow:
    contact: Contact
    name: str
    roles: list[str]


@dataclass(frozen=True)
class TouchpointRow:
    touchpoint: Touchpoint
    contact_name: str
    account_name: str = ""


@dataclass
class JourneyMap:
    """Everything the account page shows about one account."""

    account: Account
    owner: User | None
    team_user_ids: set[int]
    history: list[HistoryRow]
    engagements: list[EngagementRow]
    contacts: list[ContactRow]
    by_role: dict[str, list[ContactRow]]
    gaps: list[CoverageGap]
    touchpoints: list[TouchpointRow]
    touchpoint_total: int
    service_lines: list[ServiceLine] = field(default_factory=list)
    touchpoint_page: int = 1  # pages of TOUCHPOINTS_SHOWN, latest first

    @property
    def touchpoint_pages(self) -> int:
        return page_count(self.touchpoint_total, TOUCHPOINTS_SHOWN)

    @property
    def touchpoint_first(self) -> int:
        """The position of the first touchpoint shown, counting from the latest (1-based)."""
        return first_row(self.touchpoint_page, TOUCHPOINTS_SHOWN) + 1


def names_of_people(session: Session, contact_ids: set[int]) -> dict[int, str]:
    if not contact_ids:
        return {}
    query = (
        select(Contact.id, Person.full_name)
        .join(Person, col(Person.id) == Contact.person_id)
        .where(col(Contact.id).in_(contact_ids))
    )
    return {
        contact_id: name
        for contact_id, name in session.exec(query)
        if contact_id is not None  # a primary key: never None once read
    }


def _engagement_rows(session: Session, engagements: list[Engagement]) -> list[EngagementRow]:
    ids = [e.id for e in engagements]
    lines: dict[int, list[str]] = defaultdict(list)
    people: dict[int, list[str]] = defaultdict(list)
    if ids:
        for engagement_id, name in session.exec(
            select(EngagementServiceLine.engagement_id, ServiceLine.name)
            .join(ServiceLine, col(ServiceLine.id) == EngagementServiceLine.service_line_id)
            .where(col(EngagementServiceLine.engagement_id).in_(ids))
            .order_by(ServiceLine.name)
        ):
            lines[engagement_id].append(name)
        for engagement_id, name in session.exec(
            select(EngagementContact.engagement_id, Person.full_name)
            .join(Contact, col(Contact.id) == EngagementContact.contact_id)
            .join(Person, col(Person.id) == Contact.person_id)
            .where(col(EngagementContact.engagement_id).in_(ids))
            .order_by(Person.full_name)
        ):
            people[engagement_id].append(name)
    return [EngagementRow(e, lines[e.id or 0], people[e.id or 0]) for e in engagements]


def contacts_at(session: Session, account_id: int) -> list[ContactRow]:
    """The account's contacts, active first, each with their name and buying-group roles."""
    query = (
        select(Contact, Person.full_name)
        .join(Person, col(Person.id) == Contact.person_id)
        .where(Contact.account_id == account_id)
        .order_by(col(Contact.status), func.lower(Person.full_name), col(Contact.id))
    )
    found = list(session.exec(query))
    roles = journey.roles_of(session, [saved_id(contact) for contact, _ in found])
    return [
        ContactRow(contact, name, sorted(roles.get(contact.id or 0, set())))
        for contact, name in found
    ]


def _gaps(contacts: list[ContactRow]) -> list[CoverageGap]:
    facts = [
        ContactFacts(
            row.contact.id or 0,
            ContactStatus(row.contact.status),
            frozenset(BuyingRole(role) for role in row.roles if role in _ROLE_VALUES),
            row.contact.influence,
        )
        for row in contacts
    ]
    return gaps_from_facts(facts)


def gaps_from_facts(facts: list[ContactFacts]) -> list[CoverageGap]:
    """An account's coverage gaps from its contacts' facts: the one rule every page applies."""
    # Roles past contacts played count as "involved before": a purchase that went through
    # procurement once will again.
    before = {
        role for fact in facts if fact.status is not ContactStatus.ACTIVE for role in fact.roles
    }
    return find_coverage_gaps(facts, before)


def touchpoints_of(
    session: Session,
    account_id: int,
    *,
    initiative: str | None = None,
    kind: str | None = None,
    limit: int = TOUCHPOINTS_SHOWN,
    page: int = 1,
) -> tuple[list[TouchpointRow], int]:
    """One page of the account's touchpoints, latest first (optionally of one initiative or
    kind), and their number."""
    conditions = [Touchpoint.account_id == account_id]
    if initiative:
        conditions.append(Touchpoint.initiative == initiative)
    if kind:
        conditions.append(Touchpoint.kind == kind)
    total = session.exec(select(func.count()).select_from(Touchpoint).where(*conditions)).one()
    query = (
        select(Touchpoint)
        .where(*conditions)
        .order_by(col(Touchpoint.occurred_at).desc(), col(Touchpoint.id).desc())
        .offset(first_row(page, limit))
        .limit(limit)
    )
    found = list(session.exec(query))
    names = names_of_people(session, {t.contact_id for t in found if t.contact_id})
    return [TouchpointRow(t, names.get(t.contact_id or 0, "")) for t in found], total


def journey_map(
    session: Session,
    account_id: int,
    *,
    initiative: str | None = None,
    kind: str | None = None,
    touchpoint_page: int = 1,
) -> JourneyMap:
    """The account page: history, engagements, stakeholders, gaps and touchpoints.

    Raises NotFound for an unknown account.
    """
    account = journey.get_account(session, account_id)
    owner = session.get(User, account.owner_id) if account.owner_id else None
    changes = list(
        session.exec(
            select(StageChange, User)
            .join(User, col(StageChange.by_user_id) == User.id, isouter=True)
            .where(StageChange.account_id == account_id)
            .order_by(col(StageChange.at).desc(), col(StageChange.id).desc())
        )
    )
    history = [HistoryRow(change, user_label(user)) for change, user in changes]
    engagements = _engagement_rows(session, journey.engagements_of(session, account_id))
    catalogue = journey.list_service_lines(session)
    contacts = contacts_at(session, account_id)
    by_role: dict[str, list[ContactRow]] = {role.value: [] for role in BuyingRole}
    by_role[""] = []
    for row in contacts:
        if row.contact.status != ContactStatus.ACTIVE:
            continue
        for role in row.roles or [""]:
            by_role.setdefault(role, []).append(row)
    touchpoints, total = touchpoints_of(
        session, account_id, initiative=initiative, kind=kind, page=touchpoint_page
    )
    if not touchpoints and total:  # a page past the end (an old link): show the last one
        touchpoint_page = page_count(total, TOUCHPOINTS_SHOWN)
        touchpoints, total = touchpoints_of(
            session, account_id, initiative=initiative, kind=kind, page=touchpoint_page
        )
    return JourneyMap(
        account=account,
        owner=owner,
        team_user_ids=journey.team_user_ids(session, account_id),
        history=history,
        engagements=engagements,
        contacts=contacts,
        by_role=by_role,
        gaps=_gaps(contacts),
        touchpoints=touchpoints,
        touchpoint_total=total,
        service_lines=catalogue,
        touchpoint_page=max(1, touchpoint_page),
    )


def engagement_choices(
    session: Session, account_id: int
) -> tuple[list[ServiceLine], list[ContactRow]]:
    """The service lines and contacts an engagement of this account may be linked to."""
    return journey.list_service_lines(session), contacts_at(session, account_id)
