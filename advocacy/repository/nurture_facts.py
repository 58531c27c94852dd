"""The planner's bulk reads: every fact about the contacts of a segment, in a fixed number of
queries whatever the segment's size.

The contacts in scope are a subquery (the segment's cheap criteria, in SQL, plus whoever is
enrolled in the campaign), reused by every query: no list of ids travels to the database, so a
100,000-contact segment costs the same dozen statements as a ten-contact one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from advocacy.domain.advocacy_asks import Answer, is_detractor
from advocacy.domain.awareness import (
    Awareness,
    LineAwareness,
    relevant_lines,
    typecasting_index,
)
from advocacy.domain.campaigns import EnrolmentStatus, Segment, StopReason
from advocacy.domain.co_purchase import BUYING_STATUSES
from advocacy.domain.journey import EngagementStatus, Stage
from advocacy.domain.nurture_audience import Audience, EnrolmentState
from advocacy.domain.people import ContactStatus
from advocacy.domain.surveys import SurveyKind
from advocacy.domain.touchpoints import Initiative
from advocacy.models import (
    Account,
    AccountLineAwareness,
    ConsentChange,
    Contact,
    ContactLineAwareness,
    ContactRole,
    ContactScore,
    Engagement,
    EngagementServiceLine,
    Enrolment,
    JourneySignal,
    Person,
    ServiceLine,
    ServiceLineIndustry,
    StageChange,
    Suppression,
    Survey,
    Touchpoint,
)
from advocacy.repository.outbox import HUMAN_TOUCHES

DETRACTOR_SIGNAL = "detractor"
# Enum look-ups by value, without the Enum call's overhead (a segment has 100,000 rows).
_STATES = {state.value: state for state in Awareness}
_STATUSES = {status.value: status for status in ContactStatus}
_BUYING = sorted(status.value for status in BUYING_STATUSES)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Reachable(NamedTuple):
    """How to reach one contact: the facts the mail rules need besides the audience (a tuple:
    one per contact of a segment, built cheaply)."""

    email: str
    language: str
    timezone: str
    consent_basis: str
    full_name: str


@dataclass(frozen=True)
class Scope:
    """The contacts a query is about: a subquery of contact ids and one of their account ids."""

    contacts: Any
    accounts: Any


def _prefilter(segment: Segment) -> list[ColumnElement[bool]]:
    """The segment's criteria SQL can apply cheaply; the domain checks them all again."""
    where: list[ColumnElement[bool]] = [col(Contact.status) == ContactStatus.ACTIVE.value]
    stages = set(segment.stages)
    if segment.deferred_prospects:
        stages.add(Stage.PROSPECT.value)
    if stages:
        where.append(col(Account.stage).in_(sorted(stages)))
    if segment.camps:
        where.append(col(Account.camp).in_(sorted(segment.camps)))
    if segment.owner_ids:
        where.append(col(Account.owner_id).in_(sorted(segment.owner_ids)))
    if segment.seniorities:
        where.append(col(Contact.seniority).in_(sorted(segment.seniorities)))
    return where


def scope_of(segment: Segment, *, campaign_id: int | None = None) -> Scope:
    """The segment's candidates, and the contacts enrolled in the campaign whatever they match."""
    matching = (
        select(Contact.id)
        .join(Account, col(Account.id) == Contact.account_id)
        .where(*_prefilter(segment))
    )
    if campaign_id is None:
        contacts: Any = matching
    else:
        enrolled = select(Enrolment.contact_id).where(
            Enrolment.campaign_id == campaign_id,
            Enrolment.status == EnrolmentStatus.ACTIVE.value,
        )
        contacts = select(Contact.id).where(
            or_(col(Contact.id).in_(matching), col(Contact.id).in_(enrolled))
        )
    accounts = select(Contact.account_id).where(col(Contact.id).in_(contacts))
    return Scope(contacts, accounts)


def _rows(session: Session, query: Any) -> Any:
    """Plain rows of a column query, through Core: a segment has 100,000 of them, and the ORM's
    row handling (made for entities) would cost more than the query itself."""
    return session.connection().execute(query)


def _grouped(session: Session, query: Any) -> dict[int, Any]:
    return {key: value for key, value in _rows(session, query) if key is not None}


def audience(
    session: Session,
    scope: Scope,
    *,
    now: datetime,
    indexes: Callable[[dict[int, str]], Mapping[int, float | None]] | None = None,
) -> tuple[dict[int, Audience], dict[int, Reachable]]:
    """Per contact in scope: the audience facts, and how to reach them. `indexes` gives each
    account's typecasting index from account id -> industry (None: no index)."""
    base = _rows(
        session,
        sql_select(
            col(Contact.id),
            col(Contact.account_id),
            col(Contact.status),
            col(Contact.seniority),
            col(Contact.email),
            col(Contact.language),
            col(Contact.timezone),
            col(Contact.consent_basis),
            col(Account.stage),
            col(Account.camp),
            col(Account.industry),
            col(Account.owner_id),
            col(Person.full_name),
        )
        .join(Account, col(Account.id) == Contact.account_id)
        .join(Person, col(Person.id) == Contact.person_id)
        .where(col(Contact.id).in_(scope.contacts))
        .order_by(col(Contact.id)),
    ).all()
    roles: dict[int, set[str]] = defaultdict(set)
    for contact_id, role in _rows(
        session,
        select(ContactRole.contact_id, ContactRole.role).where(
            col(ContactRole.contact_id).in_(scope.contacts)
        ),
    ):
        roles[contact_id].add(role)
    bought = bought_lines(session, scope.accounts)
    deferred = set(
        _rows(
            session,
            select(Engagement.account_id)
            .where(
                col(Engagement.account_id).in_(scope.accounts),
                Engagement.status == EngagementStatus.DEFERRED.value,
            )
            .distinct(),
        ).scalars()
    )
    human = _grouped(
        session,
        select(Touchpoint.account_id, func.max(Touchpoint.occurred_at))
        .where(
            col(Touchpoint.account_id).in_(scope.accounts),
            col(Touchpoint.kind).in_(HUMAN_TOUCHES),
            col(Touchpoint.occurred_at) <= now,
        )
        .group_by(col(Touchpoint.account_id)),
    )
    reached_out = _grouped(
        session,
        select(Touchpoint.contact_id, func.max(Touchpoint.occurred_at))
        .where(
            col(Touchpoint.contact_id).in_(scope.contacts),
            Touchpoint.initiative == Initiative.CLIENT.value,
        )
        .group_by(col(Touchpoint.contact_id)),
    )
    hired = _grouped(
        session,
        select(StageChange.account_id, func.max(StageChange.at))
        .where(
            col(StageChange.account_id).in_(scope.accounts),
            StageChange.to_stage == Stage.ACTIVE.value,
        )
        .group_by(col(StageChange.account_id)),
    )
    suppressed = _suppressions(session, scope)
    objected = _objections(session, scope)
    signals = set(
        _rows(
            session,
            select(JourneySignal.account_id).where(
                col(JourneySignal.account_id).in_(scope.accounts),
                JourneySignal.kind == DETRACTOR_SIGNAL,
                col(JourneySignal.resolved_at).is_(None),
            ),
        ).scalars()
    )
    detractors = _detractor_answers(session, scope)
    tiers = _grouped(
        session,
        select(ContactScore.contact_id, ContactScore.tier).where(
            col(ContactScore.contact_id).in_(scope.contacts)
        ),
    )
    industries = {row[1]: row[10] for row in base}
    index_of = indexes(industries) if indexes is not None else {}
    facts: dict[int, Audience] = {}
    reach: dict[int, Reachable] = {}
    for row in base:
        contact_id, account_id, status, seniority, email, language, zone, basis = row[:8]
        stage, camp, industry, owner_id, full_name = row[8:]
        address = (email or "").lower()
        facts[contact_id] = Audience(
            contact_id=contact_id,
            account_id=account_id,
            stage=stage,
            camp=camp,
            industry=industry,
            owner_id=owner_id,
            status=_STATUSES[status],
            seniority=seniority,
            roles=frozenset(roles.get(contact_id, ())),
            bought_line_ids=bought.get(account_id, frozenset()),
            typecasting_index=index_of.get(account_id),
            advocacy_tier=tiers.get(contact_id, ""),
            last_human_touch_at=_aware(human.get(account_id)),
            deferred_prospect=account_id in deferred,
            suppressed=suppressed.get(address, frozenset()),
            objected=contact_id in objected,
            last_client_touch_at=_aware(reached_out.get(contact_id)),
            hired_again_at=_aware(hired.get(account_id)),
            open_detractor_signal=account_id in signals,
            detractor_answer_at=detractors.get(contact_id),
        )
        reach[contact_id] = Reachable(address, language, zone, basis, full_name)
    return facts, reach


def bought_lines(session: Session, accounts: Any) -> dict[int, frozenset[int]]:
    """The service lines each account bought (an engagement won, active or completed)."""
    found: dict[int, set[int]] = defaultdict(set)
    for account_id, line_id in _rows(
        session,
        select(Engagement.account_id, EngagementServiceLine.service_line_id)
        .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == Engagement.id)
        .where(col(Engagement.account_id).in_(accounts), col(Engagement.status).in_(_BUYING)),
    ):
        found[account_id].add(line_id)
    return {account_id: frozenset(lines) for account_id, lines in found.items()}


def _suppressions(session: Session, scope: Scope) -> dict[str, frozenset[str]]:
    emails = select(func.lower(Contact.email)).where(col(Contact.id).in_(scope.contacts))
    found: dict[str, set[str]] = defaultdict(set)
    for email, category, reason in _rows(
        session,
        select(Suppression.email, Suppression.category, Suppression.reason).where(
            col(Suppression.email).in_(emails)
        ),
    ):
        found[email].add(category)
        if reason == "bounce":
            found[email].add("bounce")
    return {email: frozenset(categories) for email, categories in found.items()}


def _objections(session: Session, scope: Scope) -> set[int]:
    """Contacts whose latest consent change withdrew their consent."""
    latest: dict[int, tuple[datetime, str]] = {}
    for contact_id, action, at in _rows(
        session,
        select(ConsentChange.contact_id, ConsentChange.action, ConsentChange.at).where(
            col(ConsentChange.contact_id).in_(scope.contacts),
            col(ConsentChange.action).in_(("withdraw", "consent")),
        ),
    ):
        if contact_id is not None and (contact_id not in latest or at >= latest[contact_id][0]):
            latest[contact_id] = (at, action)
    return {contact_id for contact_id, (_, action) in latest.items() if action == "withdraw"}


def _detractor_answers(session: Session, scope: Scope) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for contact_id, kind, score, at in _rows(
        session,
        select(Survey.contact_id, Survey.kind, Survey.score, Survey.answered_at).where(
            col(Survey.contact_id).in_(scope.contacts),
            col(Survey.score).is_not(None),
            col(Survey.answered_at).is_not(None),
        ),
    ):
        answered_at = _aware(at)
        if score is None or answered_at is None:
            continue
        if is_detractor(Answer(SurveyKind(kind), score, answered_at)):
            found[contact_id] = max(found.get(contact_id, answered_at), answered_at)
    return found


def latest_enrolments(session: Session, campaign_id: int) -> dict[int, EnrolmentState]:
    """Each contact's latest enrolment in the campaign (one query; ids of the rows alongside)."""
    found: dict[int, EnrolmentState] = {}
    for row in session.exec(
        select(Enrolment)
        .where(Enrolment.campaign_id == campaign_id)
        .order_by(col(Enrolment.contact_id), col(Enrolment.occurrence))
    ):
        found[row.contact_id] = enrolment_state(row)
    return found


def enrolment_state(row: Enrolment) -> EnrolmentState:
    return EnrolmentState(
        occurrence=row.occurrence,
        status=EnrolmentStatus(row.status),
        enrolled_at=row.enrolled_at,
        next_position=row.next_position,
        next_due_at=row.next_due_at,
        stop_reason=StopReason(row.stop_reason) if row.stop_reason else None,
        ended_at=row.stopped_at,
    )


def catalogue(session: Session) -> tuple[list[int], dict[str, dict[int, int]]]:
    """The active service lines, and their relevance per industry where it was rated."""
    lines = [
        line_id
        for line_id in session.exec(
            select(ServiceLine.id)
            .where(col(ServiceLine.active).is_(True))
            .order_by(col(ServiceLine.id))
        )
        if line_id is not None
    ]
    relevance: dict[str, dict[int, int]] = defaultdict(dict)
    for industry, line_id, rating in session.exec(
        select(
            ServiceLineIndustry.industry,
            ServiceLineIndustry.service_line_id,
            ServiceLineIndustry.relevance,
        )
    ):
        relevance[industry][line_id] = rating
    return lines, dict(relevance)


def contact_awareness(session: Session, scope: Scope) -> dict[int, dict[int, LineAwareness]]:
    """Per contact in scope, its awareness records by service line (no record: unaware)."""
    found: dict[int, dict[int, LineAwareness]] = defaultdict(dict)
    # Columns, not entities: a segment has tens of thousands of records to read.
    for contact_id, line_id, state, introduced, engaged, bought in _rows(
        session,
        sql_select(
            col(ContactLineAwareness.contact_id),
            col(ContactLineAwareness.service_line_id),
            col(ContactLineAwareness.state),
            col(ContactLineAwareness.introduced_at),
            col(ContactLineAwareness.engaged_at),
            col(ContactLineAwareness.bought_at),
        ).where(col(ContactLineAwareness.contact_id).in_(scope.contacts)),
    ):
        found[contact_id][line_id] = LineAwareness(
            line_id, _STATES[state], _aware(introduced), _aware(engaged), _aware(bought)
        )
    return dict(found)


def typecasting_indexes(
    session: Session,
    scope: Scope,
    industries: Mapping[int, str],
    *,
    line_ids: Iterable[int],
    relevance: Mapping[str, Mapping[int, int]],
    threshold: int,
) -> dict[int, float | None]:
    """Per account in scope (`industries`: account id -> industry), its typecasting index."""
    records: dict[int, dict[int, LineAwareness]] = defaultdict(dict)
    for account_id, line_id, state in _rows(
        session,
        sql_select(
            col(AccountLineAwareness.account_id),
            col(AccountLineAwareness.service_line_id),
            col(AccountLineAwareness.state),
        ).where(col(AccountLineAwareness.account_id).in_(scope.accounts)),
    ):
        records[account_id][line_id] = LineAwareness(line_id, _STATES[state])
    active = list(line_ids)
    relevant_by_industry: dict[str, list[int]] = {}
    found: dict[int, float | None] = {}
    for account_id, industry in industries.items():
        if industry not in relevant_by_industry:
            relevant_by_industry[industry] = relevant_lines(
                active, relevance.get(industry, {}), threshold
            )
        found[account_id] = typecasting_index(
            records.get(account_id, {}), relevant_by_industry[industry]
        )
    return found


def purchases(session: Session) -> list[tuple[str, frozenset[int]]]:
    """(industry, lines bought) of every account that bought something: the co-purchase evidence."""
    everyone = select(Account.id)
    bought = bought_lines(session, everyone)
    industries = _grouped(session, select(Account.id, Account.industry))
    return [(industries.get(account_id, ""), lines) for account_id, lines in bought.items()]


def line_names(session: Session) -> dict[int, str]:
    return _grouped(session, select(ServiceLine.id, ServiceLine.name))
