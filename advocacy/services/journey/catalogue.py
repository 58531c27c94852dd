"""Service catalogue use cases: the service lines the firm sells."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from advocacy.domain.errors import Conflict
from advocacy.domain.text import N_
from advocacy.models import ServiceLine, ServiceLineCreate, ServiceLineUpdate
from advocacy.repository import journey

NAME_TAKEN = N_("A service line with this name already exists.")


def create_service_line(session: Session, data: ServiceLineCreate, *, now: datetime) -> ServiceLine:
    """Add a service line to the catalogue."""
    if journey.service_line_by_name(session, data.name):
        raise Conflict(NAME_TAKEN)
    line = ServiceLine.model_validate(data.model_dump(), update={"created_at": now})
    session.add(line)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(NAME_TAKEN) from None
    return line


def update_service_line(session: Session, line_id: int, data: ServiceLineUpdate) -> ServiceLine:
    """Rename, describe, or retire a service line (retired lines stay on past engagements)."""
    line = journey.get_service_line(session, line_id)
    changes = data.model_dump(exclude_unset=True)
    other = journey.service_line_by_name(session, changes["name"]) if "name" in changes else None
    if other is not None and other.id != line.id:
        raise Conflict(NAME_TAKEN)
    for name, value in changes.items():
        setattr(line, name, value)
    session.add(line)
    session.commit()
    return line
