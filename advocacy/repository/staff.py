"""Query helpers for staff users, their sign-in identities and the scheduler heartbeat. They take a
Session, add and flush, never commit."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from advocacy.domain.access import ADMINS
from advocacy.models import OidcIdentity, SchedulerHeartbeat, User
from advocacy.repository import get_row


def get_user(session: Session, user_id: int) -> User:
    return get_row(session, User, user_id)


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.active).desc(), User.email)))


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def count_active_admins(session: Session) -> int:
    admins = [role.value for role in ADMINS]
    query = select(func.count()).select_from(User).where(col(User.role).in_(admins), User.active)
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
