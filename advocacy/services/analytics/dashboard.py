"""A handful of firm-wide numbers for the home page, read from the stored answers (cheap)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import get_locale
from sqlmodel import Session

from advocacy.domain.analytics.figures import Headline
from advocacy.domain.analytics.stored_form import from_json
from advocacy.repository.analytics import stored
from advocacy.services.analytics.questions import QUESTIONS

# The first headlines of each question are its most telling; the home page shows these.
PER_QUESTION = 2
# Older than this, a stored answer is not shown on the home page (the refresh job has stopped).
STALE_AFTER = timedelta(days=2)


def headline_numbers(session: Session, *, now: datetime) -> tuple[Headline, ...]:
    """The first headlines of every question's stored answer, in the reader's language; none for
    a question whose answer was never stored or is stale."""
    rows = stored.stored_answers(session, str(get_locale() or "en"))
    numbers: list[Headline] = []
    for question in QUESTIONS:
        row = rows.get(question.slug)
        if row is None or now - row.computed_at > STALE_AFTER:
            continue
        numbers.extend(from_json(row.answer_json).headlines[:PER_QUESTION])
    return tuple(numbers)
