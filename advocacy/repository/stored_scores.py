"""The stored advocacy scores: each contact's current score and its daily snapshots, written in
a fixed number of statements whatever the number of contacts, and read back for the pages, the API
and the demo's replayed history. Add and flush, never commit."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy
from sqlalchemy import delete, insert
from sqlmodel import Session, SQLModel, col, select

from advocacy.domain.score_asks import Assessment
from advocacy.models import Contact, ContactScore, ScoreSnapshot


def _explanation(assessment: Assessment) -> str:
    return json.dumps(
        {
            "numbers": assessment.decision.numbers,
            "factors": [
                {"factor": c.factor.value, "points": c.points, "detail": c.detail}
                for c in assessment.score.contributions
            ],
        },
        sort_keys=True,
    )


def _table(model: Any) -> sqlalchemy.Table:
    return SQLModel.metadata.tables[model.__tablename__]


def store_scores(
    session: Session,
    assessed: Iterable[tuple[int, int, Assessment | None]],
    *,
    now: datetime,
    day: date | None = None,
    current: bool = True,
) -> int:
    """Replace the current scores and today's snapshots of these (contact, account) pairs.

    A contact assessed as None (objected to profiling) keeps no score and no snapshot at all.
    Four statements whatever the number of contacts. `day` defaults to `now`'s day. A replay at a
    past `now` passes `current=False`: it writes that day's snapshots only.
    """
    items = list(assessed)
    ids = [contact_id for contact_id, _, _ in items]
    if not ids:
        return 0
    day = day or now.date()
    if current:
        session.execute(delete(ContactScore).where(col(ContactScore.contact_id).in_(ids)))
    session.execute(
        delete(ScoreSnapshot).where(
            col(ScoreSnapshot.contact_id).in_(ids), col(ScoreSnapshot.day) == day
        )
    )
    scores = [
        {
            "contact_id": contact_id,
            "account_id": account_id,
            "score": found.value,
            "tier": found.decision.tier.value,
            "ask": found.decision.ask.value,
            "reason": found.decision.why.value,
            "factors_json": _explanation(found),
            "computed_at": now,
        }
        for contact_id, account_id, found in items
        if found is not None
    ]
    if scores:
        # Core inserts of the tables: the ORM's bulk path builds an object per row for nothing.
        if current:
            session.execute(insert(_table(ContactScore)), scores)
        session.execute(
            insert(_table(ScoreSnapshot)),
            [
                {
                    "contact_id": row["contact_id"],
                    "day": day,
                    "score": row["score"],
                    "tier": row["tier"],
                    "at": now,
                }
                for row in scores
            ],
        )
    session.flush()
    return len(scores)


def snapshot_scores(session: Session, day: date) -> list[tuple[int, int, int, str]]:
    """(contact, account, score, tier) of every snapshot taken on `day`."""
    query = (
        select(
            ScoreSnapshot.contact_id, Contact.account_id, ScoreSnapshot.score, ScoreSnapshot.tier
        )
        .join(Contact, col(Contact.id) == col(ScoreSnapshot.contact_id))
        .where(ScoreSnapshot.day == day)
        .order_by(col(ScoreSnapshot.contact_id))
    )
    return [(c, a, s, t) for c, a, s, t in session.exec(query)]


def forget_scores(session: Session, contact_id: int) -> None:
    """Delete a contact's current score and every snapshot (an objection to profiling)."""
    session.execute(delete(ContactScore).where(col(ContactScore.contact_id) == contact_id))
    session.execute(delete(ScoreSnapshot).where(col(ScoreSnapshot.contact_id) == contact_id))
    session.flush()


def current_score(session: Session, contact_id: int) -> ContactScore | None:
    return session.get(ContactScore, contact_id)


def history(session: Session, contact_id: int, *, since: date) -> list[tuple[date, int]]:
    """The contact's daily scores from `since`, oldest first."""
    return [
        (day, score)
        for day, score in session.exec(
            select(col(ScoreSnapshot.day), col(ScoreSnapshot.score))
            .where(ScoreSnapshot.contact_id == contact_id, col(ScoreSnapshot.day) >= since)
            .order_by(col(ScoreSnapshot.day))
        )
    ]
