"""The default view of every question, computed ahead by a job so the pages answer at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlmodel import Session

from advocacy.domain.analytics.figures import AnalyticsFilters, QuestionAnswer
from advocacy.domain.analytics.stored_form import from_json, to_json
from advocacy.repository.analytics import stored
from advocacy.services.analytics.questions import QUESTIONS, Question
from advocacy.services.collector import collector_paused
from advocacy.settings import LANGUAGES


def refresh(
    session: Session, *, now: datetime, progress: Callable[[str, str], None] | None = None
) -> int:
    """Compute every question's unfiltered answer in every language and store it; commits once.

    Returns how many answers were stored. A failure stores none (the old ones stay)."""
    count = 0
    for question in QUESTIONS:
        for locale in LANGUAGES:
            with force_locale(locale), collector_paused():
                answer = question.answer(session, AnalyticsFilters(), now=now)
            stored.save_answer(session, question.slug, locale, now, to_json(answer))
            count += 1
            if progress is not None:
                progress(question.slug, locale)
    session.commit()
    return count


def current_answer(
    session: Session,
    question: Question,
    filters: AnalyticsFilters,
    *,
    now: datetime,
    locale: str,
    fresh_for: timedelta,
) -> QuestionAnswer:
    """The stored answer when the view is unfiltered and the answer is fresh; else computed now."""
    if filters.is_default():
        row = stored.stored_answer(session, question.slug, locale)
        if row is not None and now - row.computed_at <= fresh_for:
            return from_json(row.answer_json)
    # A filtered view reads the firm's engagements as tens of thousands of small objects.
    with collector_paused():
        return question.answer(session, filters, now=now)
