"""The stored advocacy scores: each contact's current score and its daily snapshots, written in
a fixed number of statements whatever the number of contacts, and read back for the pages, the API
and the demo's replayed history. Add and flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import orjson
import sqlalchemy
from sqlalchemy import delete, insert
from sqlmodel import Session, SQLModel, col, select

from advocacy.domain.score_asks import Assessment
from advocacy.models import Contact, ContactScore, ScoreSnapshot
from advocacy.repository.contact_selection import ContactSelection, IdRange, among


def _explanation(assessment: Assessment) -> str:
    # Compact and in the factors' own order: written for every contact every night, read back
    # by `http.score_words.explain`, which sorts the lines itself. orjson writes enums as their
    # values and takes a tenth of the standard library's time here.
    return orjson.dumps(
        {
            "numbers": assessment.decision.numbers,
            "factors": [
                {"factor": c.factor, "points": c.points, "detail": c.detail}
                for c in assessment.score.contributions
            ],
        }
    ).decode()


def _table(model: Any) -> sqlalchemy.Table:
    return SQLModel.metadata.tables[model.__tablename__]


def _plain(model: Any, *names: str) -> sqlalchemy.TableClause:
    """The table with these columns untyped: the rows are written as given, no per-row conversion
    (the few typed values, such as `now`, are converted once by `_bound`)."""
    return sqlalchemy.table(model.__tablename__, *(sqlalchemy.column(name) for name in names))


def _bound(session: Session, model: Any, name: str, value: Any) -> Any:
    """`value` as the column's type would bind it on this database, converted once."""
    dialect = session.get_bind().dialect
    process = _table(model).c[name].type.bind_processor(dialect)
    return process(value) if process is not None else value


SCORE_COLUMNS = (
    "contact_id",
    "account_id",
    "score",
    "tier",
    "ask",
    "reason",
    "factors_json",
    "computed_at",
)
SNAPSHOT_COLUMNS = ("contact_id", "day", "score", "tier", "at")


def store_scores(
    session: Session,
    assessed: Iterable[tuple[int, int, Assessment | None]],
    *,
    now: datetime,
    day: date | None = None,
    current: bool = True,
    contacts: ContactSelection | None = None,
) -> int:
    """Replace the current scores and today's snapshots of these (contact, account) pairs.

    A contact assessed as None (objected to profiling) keeps no score and no snapshot at all.
    Four statements whatever the number of contacts. `day` defaults to `now`'s day. A replay at a
    past `now` passes `current=False`: it writes that day's snapshots only. `contacts`, when
    given, is the selection that was assessed (the full walk's range of ids), to replace by.
    """
    items = list(assessed)
    if not items:
        return 0
    selection = contacts if contacts is not None else [contact_id for contact_id, _, _ in items]
    day = day or now.date()
    # The full walk's chunks (a range) are expunged once committed: their deletes skip the ORM's
    # synchronisation of the session, which would fetch back every deleted row's key.
    execute = session.connection().execute if isinstance(contacts, IdRange) else session.execute
    if current:
        execute(delete(ContactScore).where(among(col(ContactScore.contact_id), selection)))
    execute(
        delete(ScoreSnapshot).where(
            among(col(ScoreSnapshot.contact_id), selection), col(ScoreSnapshot.day) == day
        )
    )
    found = [(contact_id, account_id, a) for contact_id, account_id, a in items if a is not None]
    if found:
        # Plain tuples into untyped columns: the ORM's bulk path builds an object per row, and
        # typed columns convert `now` and `day` again for every row.
        connection = session.connection()
        if current:
            computed_at = _bound(session, ContactScore, "computed_at", now)
            connection.execute(
                insert(_plain(ContactScore, *SCORE_COLUMNS)),
                [
                    dict(
                        zip(
                            SCORE_COLUMNS,
                            (
                                contact_id,
                                account_id,
                                a.score.value,
                                a.decision.tier.value,
                                a.decision.ask.value,
                                a.decision.why.value,
                                _explanation(a),
                                computed_at,
                            ),
                            strict=True,
                        )
                    )
                    for contact_id, account_id, a in found
                ],
            )
        at = _bound(session, ScoreSnapshot, "at", now)
        bound_day = _bound(session, ScoreSnapshot, "day", day)
        connection.execute(
            insert(_plain(ScoreSnapshot, *SNAPSHOT_COLUMNS)),
            [
                dict(
                    zip(
                        SNAPSHOT_COLUMNS,
                        (contact_id, bound_day, a.score.value, a.decision.tier.value, at),
                        strict=True,
                    )
                )
                for contact_id, _, a in found
            ],
        )
    session.flush()
    return len(found)


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
