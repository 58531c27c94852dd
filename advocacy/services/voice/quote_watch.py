"""What marketing watches in the quote library: new quotes, consents running out, withdrawals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlmodel import Session

from advocacy.repository.read_models.quote_watch import (
    QuoteRow,
    expiring_quotes,
    new_quotes,
    withdrawn_consents,
)

NEW_WITHIN: Final = timedelta(days=30)
EXPIRING_WITHIN: Final = timedelta(days=60)
WITHDRAWN_WITHIN: Final = timedelta(days=30)


@dataclass(frozen=True)
class QuoteWatch:
    new: list[QuoteRow]
    expiring: list[QuoteRow]
    withdrawn: list[QuoteRow]
    expiring_until: date


def quote_watch(session: Session, *, now: datetime, today: date) -> QuoteWatch:
    """Quotes approved or published in the last 30 days, those whose consent ends within 60 days
    and consents withdrawn in the last 30 days (what must come down)."""
    until = today + EXPIRING_WITHIN
    return QuoteWatch(
        new=new_quotes(session, since=now - NEW_WITHIN),
        expiring=expiring_quotes(session, today=today, until=until),
        withdrawn=withdrawn_consents(session, since=now - WITHDRAWN_WITHIN),
        expiring_until=until,
    )
