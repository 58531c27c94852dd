"""Names the analytics show for ids: service lines and staff."""

from __future__ import annotations

from sqlmodel import Session, select

from advocacy.models import ServiceLine, User


def service_line_names(session: Session) -> dict[int, str]:
    return {
        line_id or 0: name
        for line_id, name in session.exec(select(ServiceLine.id, ServiceLine.name))
    }


def user_names(session: Session) -> dict[int, str]:
    """Each user's name, or e-mail address when they have no name."""
    query = select(User.id, User.name, User.email)
    return {user_id or 0: name or email for user_id, name, email in session.exec(query)}
