"""Audit log retention: entries older than the setting are deleted by the daily job."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.domain.audit import Action, retention_cutoff
from advocacy.repository import audit


def purge_expired(session: Session, *, days: int, now: datetime) -> int:
    """Delete the entries past their retention and record how many went; returns that count."""
    cutoff = retention_cutoff(now, days)
    removed = audit.purge_before(session, cutoff)
    if removed:
        audit.record(
            session,
            Action.AUDIT_PURGED,
            details={"entries": removed, "before": cutoff.isoformat()},
            now=now,
        )
    session.commit()
    return removed
