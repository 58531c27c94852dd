"""Journey signal use cases: an account manager marks an opportunity or a task as dealt with."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.domain.access import may_resolve_signal
from advocacy.domain.errors import NotAllowed, NotFound
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.models import JourneySignal, User


def resolve_signal(session: Session, signal_id: int, *, by: User, now: datetime) -> JourneySignal:
    """Mark a signal as done; only its owner or an administrator may. Done twice stays done."""
    signal = session.get(JourneySignal, signal_id)
    if signal is None:
        raise NotFound(f"signal {signal_id} not found")
    if not may_resolve_signal(Role(by.role), by.id or 0, owner_id=signal.owner_id):
        raise NotAllowed(N_("Only the person this signal was raised for may mark it done."))
    if signal.resolved_at is None:
        signal.resolved_at = now
        session.add(signal)
        session.commit()
    return signal
