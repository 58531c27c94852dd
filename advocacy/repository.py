"""Query helpers for staff identity and operations. They take a Session, add and flush, never commit."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session, SQLModel, col, func, select

from advocacy.db import SQLITE_LOWER
from advocacy.domain.errors import NotFound as NotFound  # raised here, defined with the refusals
from advocacy.domain.library import like_pattern
from advocacy.models import OidcIdentity, SchedulerHeartbeat, User

Row = TypeVar("Row", bound=SQLModel)


def get_row(session: Session, model: type[Row], row_id: int) -> Row:
    """The row of `model` with this id, or NotFound naming the table."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__tablename__} {row_id} not found")  # type: ignore[attr-defined]
    return row


def contains_text(session: Session, column: object, text: str) -> ColumnElement[bool]:
    """`column` contains `text` anywhere, whatever the case of either, wildcards taken literally."""
    pattern = like_pattern(text.lower())
    if session.get_bind().dialect.name == "postgresql":
        return col(column).ilike(pattern, escape="\\")  # type: ignore[arg-type]
    if pattern.isascii():
        return col(column).like(pattern, escape="\\")  # type: ignore[arg-type]  # folds ASCII itself
    # Slower (Python per row), so only for the words that need it.
    return getattr(func, SQLITE_LOWER)(column).like(pattern, escape="\\")  # type: ignore[no-any-return]


def get_user(session: Session, user_id: int) -> User:
    return get_row(session, User, user_id)


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.active).desc(), User.email)))


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def count_active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin", User.active)
    return session.exec(query).one()


def identity_for(session: Session, issuer: str, subject: str) -> OidcIdentity | None:
    query = select(OidcIdentity).where(
        OidcIdentity.issuer == issuer, OidcIdentity.subject == subject
    )
    return session.exec(query).first()


def user_has_identity_from(session: Session, user_id: int, issuer: str) -> bool:
    query = select(OidcIdentity.id).where(
        OidcIdentity.user_id == user_id, OidcIdentity.issuer == issuer
    )
    return session.exec(query).first() is not None


def identities_of(session: Session, user_id: int) -> list[OidcIdentity]:
    return list(session.exec(select(OidcIdentity).where(OidcIdentity.user_id == user_id)))


def latest_heartbeat(session: Session) -> SchedulerHeartbeat | None:
    query = select(SchedulerHeartbeat).order_by(col(SchedulerHeartbeat.beat_at).desc())
    return session.exec(query).first()
