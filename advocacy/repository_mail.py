"""Query helpers for mail: suppressions. Add and flush, never commit."""

from __future__ import annotations

from sqlmodel import Session, select

from advocacy.models import Suppression


def suppressed_categories(session: Session, email: str) -> set[str]:
    """Categories (and "all"/"bounce" markers) this address is suppressed for."""
    rows = session.exec(select(Suppression).where(Suppression.email == email.lower()))
    found: set[str] = set()
    for row in rows:
        found.add(row.category)
        if row.reason == "bounce":
            found.add("bounce")
    return found
