"""Queries of the advocacy score: the evidence gathered in bulk (the stored scores are in
`repository.stored_scores`).

`score_facts` reads everything the score needs for a chunk of contacts in a fixed number of
queries (the "may we ask" facts from `repository.asks`, then one grouped query per kind of
evidence), whatever the chunk's size. Every read stops at `now`, so the score can be replayed at a
past moment over the same rows. Add and flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy
from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from advocacy.domain.advocacy_asks import AskPolicy
from advocacy.domain.journey import EngagementStatus
from advocacy.domain.mail import Category
from advocacy.domain.people import BuyingRole, ContactStatus, Seniority
from advocacy.domain.references import Cap
from advocacy.domain.scoring import LatestSurvey, ScoreFacts
from advocacy.domain.surveys import SurveyKind
from advocacy.models import (
    Contact,
    ContactRole,
    Engagement,
    EngagementContact,
    EngagementServiceLine,
    MailEvent,
    OutboxMessage,
    ReferenceCall,
    Referral,
    Survey,
    Testimonial,
    Touchpoint,
)
from advocacy.repository import asks
from advocacy.repository.contact_selection import (
    ContactSelection,
    among,
    core_rows,
    is_empty,
)

YEAR = timedelta(days=365)
BOUGHT = tuple(
    s.value for s in (EngagementStatus.WON, EngagementStatus.ACTIVE, EngagementStatus.COMPLETED)
)
# Words the client gave and still stands by (withdrawn and expired ones no longer speak).
GIVEN_TESTIMONIALS = ("submitted", "awaiting_reapproval", "approved", "published")
COUNTED_CALLS = ("accepted", "held")
# Two-way: the client started it, or both sides were in the room (or on the line).
TWO_WAY_KINDS = ("meeting", "call", "event")


# Enum members by stored value: a dict lookup, where calling the enum costs more per row than
# reading the row (the full recompute does it for every contact).
ROLES = {role.value: role for role in BuyingRole}
SENIORITIES = {level.value: level for level in Seniority}
SURVEY_KINDS = {kind.value: kind for kind in SurveyKind}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def all_contact_ids(session: Session) -> list[int]:
    """Every contact's id, in order (the full recompute walks them in chunks)."""
    return [cid for cid in session.exec(select(Contact.id).order_by(col(Contact.id))) if cid]


def objected_contact_ids(session: Session) -> set[int]:
    """Contacts who objected to profiling, whenever they did (a replay never scores them)."""
    query = select(Contact.id).where(col(Contact.profiling_objected_at).is_not(None))
    return {cid for cid in session.exec(query) if cid}


def contact_ids_of_account(session: Session, account_id: int) -> list[int]:
    """The ids of every contact (past and present) at the account."""
    query = select(Contact.id).where(Contact.account_id == account_id).order_by(col(Contact.id))
    return [cid for cid in session.exec(query) if cid]


def _people(session: Session, ids: ContactSelection) -> dict[int, tuple[Any, ...]]:
    rows = core_rows(
        session,
        sqlalchemy.select(
            col(Contact.id),
            col(Contact.seniority),
            col(Contact.influence),
            col(Contact.profiling_objected_at),
            col(Contact.ended_on),
        ).where(among(col(Contact.id), ids)),
    )
    return {row[0]: tuple(row[1:]) for row in rows if row[0] is not None}


def _roles(session: Session, ids: ContactSelection) -> dict[int, set[BuyingRole]]:
    found: dict[int, set[BuyingRole]] = defaultdict(set)
    for contact_id, role in core_rows(
        session,
        select(ContactRole.contact_id, ContactRole.role).where(
            among(col(ContactRole.contact_id), ids)
        ),
    ):
        if role in ROLES:
            found[contact_id].add(ROLES[role])
    return found


def _latest_surveys(
    session: Session, ids: ContactSelection, now: datetime
) -> dict[int, LatestSurvey]:
    latest: dict[int, LatestSurvey] = {}
    for contact_id, kind, score, at in core_rows(
        session,
        sqlalchemy.select(
            col(Survey.contact_id), col(Survey.kind), col(Survey.score), col(Survey.answered_at)
        ).where(
            among(col(Survey.contact_id), ids),
            col(Survey.score).is_not(None),
            col(Survey.answered_at) <= now,
        ),
    ):
        if score is None or at is None or kind not in SURVEY_KINDS:
            continue
        answer = LatestSurvey(SURVEY_KINDS[kind], score, _aware(at))
        if contact_id not in latest or latest[contact_id].answered_at < answer.answered_at:
            latest[contact_id] = answer
    return latest


def _engagements(
    session: Session, ids: ContactSelection, now: datetime
) -> tuple[dict[int, Any], dict[int, int]]:
    """Per contact: (count, first start, first created, total value) of the work they bought, and
    how many service lines it covered.

    Three index-driven reads joined here: asked as one join, SQLite starts from the engagements by
    status and probes every contact of the chunk for each (minutes on the large firm).
    """
    pairs = core_rows(
        session,
        select(EngagementContact.contact_id, EngagementContact.engagement_id).where(
            among(col(EngagementContact.contact_id), ids)
        ),
    ).all()
    engagement_ids = sorted({engagement_id for _, engagement_id in pairs})
    if not engagement_ids:
        return {}, {}
    bought = {
        row[0]: row[1:]
        for row in core_rows(
            session,
            sqlalchemy.select(
                col(Engagement.id),
                col(Engagement.start_date),
                col(Engagement.created_at),
                col(Engagement.value),
            ).where(
                col(Engagement.id).in_(engagement_ids),
                col(Engagement.status).in_(BOUGHT),
                col(Engagement.created_at) <= now,
            ),
        )
    }
    lines_of: dict[int, set[int]] = defaultdict(set)
    for engagement_id, line_id in core_rows(
        session,
        select(EngagementServiceLine.engagement_id, EngagementServiceLine.service_line_id).where(
            col(EngagementServiceLine.engagement_id).in_(sorted(bought))
        ),
    ):
        lines_of[engagement_id].add(line_id)
    mine: dict[int, list[int]] = defaultdict(list)
    for contact_id, engagement_id in pairs:
        if engagement_id in bought:
            mine[contact_id].append(engagement_id)
    facts: dict[int, Any] = {}
    lines: dict[int, int] = {}
    for contact_id, engagement_ids_of in mine.items():
        rows = [bought[e] for e in engagement_ids_of]
        starts = [start for start, _, _ in rows if start is not None]
        facts[contact_id] = (
            len(rows),
            min(starts) if starts else None,
            min(_aware(created) for _, created, _ in rows),
            sum(float(value or 0) for _, _, value in rows),
        )
        lines[contact_id] = len(set().union(*(lines_of[e] for e in engagement_ids_of)))
    return facts, lines


def _touchpoints(session: Session, ids: ContactSelection, now: datetime) -> dict[int, Any]:
    two_way = or_(col(Touchpoint.initiative) == "client", col(Touchpoint.kind).in_(TWO_WAY_KINDS))
    reply = (col(Touchpoint.initiative) == "client") & (col(Touchpoint.kind) == "email")
    rows = core_rows(
        session,
        sqlalchemy.select(
            col(Touchpoint.contact_id),
            func.sum(case((two_way, 1), else_=0)),
            func.max(case((two_way, col(Touchpoint.occurred_at)), else_=None)),
            func.sum(case((reply, 1), else_=0)),
            func.sum(case((col(Touchpoint.kind) == "event", 1), else_=0)),
        )
        .where(
            among(col(Touchpoint.contact_id), ids),
            col(Touchpoint.occurred_at) > now - YEAR,
            col(Touchpoint.occurred_at) <= now,
        )
        .group_by(col(Touchpoint.contact_id)),
    )
    return {row[0]: row[1:] for row in rows if row[0] is not None}


def _mail_events(session: Session, ids: ContactSelection, now: datetime) -> dict[int, Any]:
    # The category is counted, not filtered: filtered, SQLite starts from every nurture message
    # of the firm (by category) for each chunk instead of the chunk's contacts' messages.
    nurture = col(OutboxMessage.category) == Category.NURTURE.value
    rows = core_rows(
        session,
        sqlalchemy.select(
            col(OutboxMessage.contact_id),
            func.sum(case((nurture & (col(MailEvent.event) == "open"), 1), else_=0)),
            func.sum(case((nurture & (col(MailEvent.event) == "click"), 1), else_=0)),
        )
        .select_from(MailEvent)
        .join(OutboxMessage, col(OutboxMessage.id) == col(MailEvent.message_id))
        .where(
            among(col(OutboxMessage.contact_id), ids),
            col(MailEvent.event).in_(("open", "click")),
            col(MailEvent.occurred_at) > now - YEAR,
            col(MailEvent.occurred_at) <= now,
        )
        .group_by(col(OutboxMessage.contact_id)),
    )
    return {row[0]: row[1:] for row in rows if row[0] is not None}


def _counts(session: Session, query: Any) -> dict[int, int]:
    return {contact_id: count for contact_id, count in core_rows(session, query)}


def _advocacy(
    session: Session, ids: ContactSelection, now: datetime, cap: Cap
) -> tuple[dict[int, int], dict[int, int], dict[int, tuple[int, int]]]:
    testimonials = _counts(
        session,
        select(Testimonial.contact_id, func.count(col(Testimonial.id)))
        .where(
            among(col(Testimonial.contact_id), ids),
            col(Testimonial.status).in_(GIVEN_TESTIMONIALS),
            col(Testimonial.created_at) <= now,
        )
        .group_by(col(Testimonial.contact_id)),
    )
    referrals = _counts(
        session,
        select(Referral.referrer_contact_id, func.count(col(Referral.id)))
        .where(among(col(Referral.referrer_contact_id), ids), col(Referral.created_at) <= now)
        .group_by(col(Referral.referrer_contact_id)),
    )
    in_cap = case((col(ReferenceCall.asked_at) >= cap.since(now), 1), else_=0)
    calls: dict[int, tuple[int, int]] = {
        contact_id: (total, recent)
        for contact_id, total, recent in core_rows(
            session,
            select(ReferenceCall.contact_id, func.count(col(ReferenceCall.id)), func.sum(in_cap))
            .where(
                among(col(ReferenceCall.contact_id), ids),
                col(ReferenceCall.status).in_(COUNTED_CALLS),
                col(ReferenceCall.asked_at) <= now,
            )
            .group_by(col(ReferenceCall.contact_id)),
        )
    }
    return testimonials, referrals, calls


def _status_then(status: ContactStatus, ended_on: date | None, now: datetime) -> ContactStatus:
    """The contact's status at `now`: one who left later was still there (replayed scores)."""
    if status is not ContactStatus.ACTIVE and ended_on is not None and ended_on > now.date():
        return ContactStatus.ACTIVE
    return status


def score_facts(
    session: Session,
    contact_ids: ContactSelection,
    *,
    now: datetime,
    policy: AskPolicy,
    cap: Cap,
) -> dict[int, ScoreFacts]:
    """Per contact, every fact the score reads, in a fixed number of queries.

    The full walk passes an `IdRange` (its chunks are consecutive ids), the others a few ids.
    """
    ids = contact_ids
    if is_empty(ids):
        return {}
    ask = asks.ask_facts(session, ids, now=now, policy=policy)
    people = _people(session, ids)
    roles = _roles(session, ids)
    surveys = _latest_surveys(session, ids, now)
    engagements, lines = _engagements(session, ids, now)
    touched = _touchpoints(session, ids, now)
    mailed = _mail_events(session, ids, now)
    testimonials, referrals, calls = _advocacy(session, ids, now, cap)
    found: dict[int, ScoreFacts] = {}
    for contact_id, facts in ask.items():
        seniority, influence, objected_at, ended_on = people[contact_id]
        count, first_start, first_created, value = engagements.get(contact_id, (0, None, None, 0))
        first: datetime | None = None
        if first_start is not None:
            first = datetime(first_start.year, first_start.month, first_start.day, tzinfo=UTC)
        elif first_created is not None:
            first = _aware(first_created)
        two_way, last_two_way, replies, events = touched.get(contact_id, (0, None, 0, 0))
        opens, clicks = mailed.get(contact_id, (0, 0))
        total_calls, recent_calls = calls.get(contact_id, (0, 0))
        status = _status_then(facts.status, ended_on, now)
        found[contact_id] = ScoreFacts(
            ask=facts if status is facts.status else replace(facts, status=status),
            seniority=SENIORITIES.get(seniority, Seniority.MANAGER),
            influence=int(influence or 3),
            roles=frozenset(roles.get(contact_id, ())),
            objected_to_profiling=objected_at is not None and _aware(objected_at) <= now,
            latest_survey=surveys.get(contact_id),
            engagements=int(count or 0),
            first_engaged_at=first,
            engagement_value=float(value or 0),
            service_lines=int(lines.get(contact_id, 0)),
            two_way_touchpoints=int(two_way or 0),
            last_two_way_at=_aware(last_two_way) if last_two_way is not None else None,
            opens=int(opens or 0),
            clicks=int(clicks or 0),
            replies=int(replies or 0),
            events=int(events or 0),
            testimonials=testimonials.get(contact_id, 0),
            referrals=referrals.get(contact_id, 0),
            reference_calls=int(total_calls or 0),
            reference_calls_in_cap=int(recent_calls or 0),
            reference_cap=cap.max_calls,
        )
    return found
