"""Query helpers for check-in generation: cadence facts, stakeholders and talking points in bulk.

Every helper takes a chunk of account ids and answers with a few grouped queries, so the daily
job costs the same handful of queries per 500 accounts whatever the size of the firm.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from advocacy.domain.cadence import AccountCadenceFacts, CheckInKind, CheckInStatus, Stakeholder
from advocacy.domain.journey import LIVE_STATUSES, Camp, EngagementStatus, Stage
from advocacy.domain.people import BuyingRole, ContactStatus, Seniority
from advocacy.domain.touchpoints import TouchpointKind, TouchpointSource
from advocacy.models import (
    Account,
    CheckIn,
    Contact,
    ContactRole,
    Engagement,
    EngagementServiceLine,
    Person,
    ServiceLine,
    Survey,
    Touchpoint,
)

# Human conversations: what resets a cadence. Automated mail (source "system") does not: a
# newsletter someone ignored is not staying in touch.
CONVERSATION_KINDS = (
    TouchpointKind.MEETING.value,
    TouchpointKind.CALL.value,
    TouchpointKind.EVENT.value,
    TouchpointKind.EMAIL.value,
)
HUMAN_SOURCES = (TouchpointSource.MANUAL.value, TouchpointSource.IMPORT.value)
BOUGHT_STATUSES = tuple(
    s.value for s in (*LIVE_STATUSES, EngagementStatus.COMPLETED, EngagementStatus.CANCELLED)
)


def owned_account_ids(session: Session) -> list[int]:
    """Accounts someone owns (an account without owner has nobody to check in)."""
    query = select(Account.id).where(col(Account.owner_id).is_not(None)).order_by(col(Account.id))
    return [account_id for account_id in session.exec(query) if account_id is not None]


def _grouped(session: Session, query: Any) -> dict[int, Any]:
    return {key: value for key, value in session.exec(query)}


def cadence_facts(session: Session, account_ids: Sequence[int]) -> list[AccountCadenceFacts]:
    """What the cadence rules need about each of these accounts, in five queries."""
    accounts = list(session.exec(select(Account).where(col(Account.id).in_(account_ids))))
    last_talk = _grouped(
        session,
        select(Touchpoint.account_id, func.max(Touchpoint.occurred_at))
        .where(
            col(Touchpoint.account_id).in_(account_ids),
            col(Touchpoint.kind).in_(CONVERSATION_KINDS),
            col(Touchpoint.source).in_(HUMAN_SOURCES),
        )
        .group_by(col(Touchpoint.account_id)),
    )
    last_closed = _grouped(
        session,
        select(CheckIn.account_id, func.max(CheckIn.closed_at))
        .where(col(CheckIn.account_id).in_(account_ids), col(CheckIn.closed_at).is_not(None))
        .group_by(col(CheckIn.account_id)),
    )
    open_ids = set(
        session.exec(
            select(CheckIn.account_id).where(
                col(CheckIn.account_id).in_(account_ids),
                CheckIn.status == CheckInStatus.OPEN.value,
            )
        )
    )
    repaired = set(
        session.exec(
            select(CheckIn.account_id).where(
                col(CheckIn.account_id).in_(account_ids),
                CheckIn.kind == CheckInKind.REPAIR.value,
            )
        )
    )
    revisit = _grouped(
        session,
        select(Engagement.account_id, func.max(Engagement.revisit_on))
        .where(
            col(Engagement.account_id).in_(account_ids),
            Engagement.status == EngagementStatus.DEFERRED.value,
        )
        .group_by(col(Engagement.account_id)),
    )
    facts = []
    for account in accounts:
        assert account.id is not None
        facts.append(
            AccountCadenceFacts(
                account_id=account.id,
                stage=Stage(account.stage),
                camp=Camp(account.camp),
                stage_since=account.stage_since,
                last_conversation_at=_aware(last_talk.get(account.id)),
                last_check_in_closed_at=_aware(last_closed.get(account.id)),
                revisit_on=revisit.get(account.id),
                every_days=account.check_in_every_days,
                paused_until=account.check_ins_paused_until,
                next_on=account.next_check_in_on,
                repair_proposed=account.id in repaired,
                has_open_check_in=account.id in open_ids,
            )
        )
    return facts


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates (MAX) bypass the column type on SQLite and come back naive: they are UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def stakeholders(session: Session, account_ids: Sequence[int]) -> dict[int, list[Stakeholder]]:
    """Active contacts of each account with their weight and when we last talked to them."""
    contacts = list(
        session.exec(
            select(Contact).where(
                col(Contact.account_id).in_(account_ids),
                Contact.status == ContactStatus.ACTIVE.value,
            )
        )
    )
    ids = [c.id for c in contacts if c.id is not None]
    roles: dict[int, set[BuyingRole]] = defaultdict(set)
    last: dict[int, Any] = {}
    if ids:
        for contact_id, role in session.exec(
            select(ContactRole.contact_id, ContactRole.role).where(
                col(ContactRole.contact_id).in_(ids)
            )
        ):
            roles[contact_id].add(BuyingRole(role))
        last = _grouped(
            session,
            select(Touchpoint.contact_id, func.max(Touchpoint.occurred_at))
            .where(
                col(Touchpoint.contact_id).in_(ids),
                col(Touchpoint.kind).in_(CONVERSATION_KINDS),
                col(Touchpoint.source).in_(HUMAN_SOURCES),
            )
            .group_by(col(Touchpoint.contact_id)),
        )
    found: dict[int, list[Stakeholder]] = defaultdict(list)
    for c in contacts:
        assert c.id is not None
        found[c.account_id].append(
            Stakeholder(
                contact_id=c.id,
                status=ContactStatus(c.status),
                influence=c.influence,
                seniority=Seniority(c.seniority),
                roles=frozenset(roles[c.id]),
                last_contacted_at=_aware(last.get(c.id)),
            )
        )
    return found


def bought_service_lines(session: Session, account_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """Per account, the lines it has bought (work sold, running, delivered or stopped): id -> name."""
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for account_id, line_id, name in session.exec(
        select(Engagement.account_id, ServiceLine.id, ServiceLine.name)
        .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == Engagement.id)
        .join(ServiceLine, col(ServiceLine.id) == EngagementServiceLine.service_line_id)
        .where(
            col(Engagement.account_id).in_(account_ids),
            col(Engagement.status).in_(BOUGHT_STATUSES),
        )
    ):
        if line_id is not None:  # a primary key: never None once read
            found[account_id][line_id] = name
    return found


def live_engagements(session: Session, account_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for account_id, title in session.exec(
        select(Engagement.account_id, Engagement.title).where(
            col(Engagement.account_id).in_(account_ids),
            col(Engagement.status).in_([s.value for s in LIVE_STATUSES]),
        )
    ):
        found[account_id].append(title)
    return found


def recent_touchpoints(
    session: Session, account_ids: Sequence[int], *, since: datetime
) -> dict[int, list[tuple[datetime, str, str]]]:
    """Touchpoints of the last weeks per account (the caller keeps the newest few)."""
    found: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    for account_id, at, kind, summary in session.exec(
        select(Touchpoint.account_id, Touchpoint.occurred_at, Touchpoint.kind, Touchpoint.summary)
        .where(col(Touchpoint.account_id).in_(account_ids), Touchpoint.occurred_at >= since)
        .order_by(col(Touchpoint.occurred_at).desc())
    ):
        found[account_id].append((at, kind, summary))
    return found


def departures(
    session: Session, account_ids: Sequence[int], *, since: date
) -> tuple[dict[int, list[tuple[str, str]]], dict[int, list[str]]]:
    """People who left these accounts since `since`: (moved: name, new company), retired: name."""
    moved: dict[int, list[tuple[str, str]]] = defaultdict(list)
    retired: dict[int, list[str]] = defaultdict(list)
    rows = list(
        session.exec(
            select(Contact, Person.full_name)
            .join(Person, col(Person.id) == Contact.person_id)
            .where(
                col(Contact.account_id).in_(account_ids),
                col(Contact.status).in_([ContactStatus.LEFT.value, ContactStatus.RETIRED.value]),
                col(Contact.ended_on).is_not(None),
                col(Contact.ended_on) >= since,
            )
        )
    )
    target_ids = {c.moved_to_contact_id for c, _ in rows if c.moved_to_contact_id}
    companies = (
        {
            contact_id: name
            for contact_id, name in session.exec(
                select(Contact.id, Account.name)
                .join(Account, col(Account.id) == Contact.account_id)
                .where(col(Contact.id).in_(target_ids))
            )
        }
        if target_ids
        else {}
    )
    for contact, name in rows:
        if contact.status == ContactStatus.RETIRED.value:
            retired[contact.account_id].append(name)
        elif contact.moved_to_contact_id in companies:
            moved[contact.account_id].append((name, companies[contact.moved_to_contact_id]))
    return moved, retired


def owners_of(session: Session, account_ids: Sequence[int]) -> dict[int, int | None]:
    return _grouped(
        session, select(Account.id, Account.owner_id).where(col(Account.id).in_(account_ids))
    )


def industries_of(session: Session, account_ids: Sequence[int]) -> dict[int, str]:
    """Per account, its industry ("" when none is recorded)."""
    return _grouped(
        session, select(Account.id, Account.industry).where(col(Account.id).in_(account_ids))
    )


def insert_open_check_ins(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert check-ins, skipping any account that has an open one already; return how many."""
    rows = list(rows)
    if not rows:
        return 0
    # ON CONFLICT DO NOTHING on the open-check-in guard: a second job process racing this one,
    # or a rerun after a crash, skips the account instead of failing the whole run.
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        builder(CheckIn)
        .on_conflict_do_nothing(index_elements=["open_for_account_id"])
        .returning(col(CheckIn.id))
    )
    inserted = 0
    for row in rows:
        # One row per statement: a returned id says this account's row went in (rowcount is
        # not reliable for ON CONFLICT on every driver).
        inserted += len(session.execute(statement.values(**row)).all())
    return inserted


def clear_chosen_dates(session: Session, account_ids: Iterable[int]) -> None:
    """Forget the date chosen for the next check-in once that check-in exists."""
    ids = list(account_ids)
    if ids:
        session.execute(
            update(Account).where(col(Account.id).in_(ids)).values(next_check_in_on=None)
        )


def answers_and_reasons(
    session: Session, account_ids: Sequence[int], *, since: datetime
) -> tuple[dict[int, list[tuple[datetime, str, str, int, str, str]]], dict[int, str]]:
    """Per account, the survey answers since `since` (when, who, kind, score, comment, about
    which engagement), and the reason recorded for its camp: what a repair conversation is about."""
    answers: dict[int, list[tuple[datetime, str, str, int, str, str]]] = defaultdict(list)
    for survey, name, title in session.exec(
        select(Survey, Person.full_name, Engagement.title)
        .join(Contact, col(Contact.id) == Survey.contact_id)
        .join(Person, col(Person.id) == Contact.person_id)
        .outerjoin(Engagement, col(Engagement.id) == Survey.engagement_id)
        .where(
            col(Survey.account_id).in_(account_ids),
            col(Survey.score).is_not(None),
            col(Survey.answered_at) >= since,
        )
    ):
        assert survey.answered_at is not None and survey.score is not None
        answers[survey.account_id].append(
            (survey.answered_at, name, survey.kind, survey.score, survey.comment, title or "")
        )
    reasons = _grouped(
        session, select(Account.id, Account.camp_reason).where(col(Account.id).in_(account_ids))
    )
    return answers, reasons
