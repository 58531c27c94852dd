"""The stored answers of the analytics questions' default views."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from advocacy.models import StoredAnswer


def stored_answer(session: Session, slug: str, locale: str) -> StoredAnswer | None:
    return session.get(StoredAnswer, (slug, locale))


def stored_answers(session: Session, locale: str) -> dict[str, StoredAnswer]:
    """Every stored answer in one language, by slug."""
    query = select(StoredAnswer).where(StoredAnswer.locale == locale)
    return {row.slug: row for row in session.exec(query.order_by(col(StoredAnswer.slug)))}


def save_answer(session: Session, slug: str, locale: str, at: datetime, text: str) -> None:
    """Insert or replace the stored answer of `slug` in `locale` (add and flush only)."""
    row = session.get(StoredAnswer, (slug, locale))
    if row is None:
        row = StoredAnswer(slug=slug, locale=locale, computed_at=at, answer_json=text)
    else:
        row.computed_at, row.answer_json = at, text
    session.add(row)
    session.flush()
