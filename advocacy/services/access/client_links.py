"""Opaque links clients use without signing in: random tokens, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from advocacy.models import ClientLink

TOKEN_BYTES = 24  # 192 bits: guessing is hopeless, and the URL stays short


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(
    session: Session,
    *,
    purpose: str,
    email: str,
    now: datetime,
    contact_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    valid_for: timedelta | None = None,
) -> str:
    """Create a link for `purpose` and return its token (shown once; helper: flushes only)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        ClientLink(
            token_hash=token_hash(token),
            purpose=purpose,
            email=email.lower(),
            contact_id=contact_id,
            object_type=object_type,
            object_id=object_id,
            created_at=now,
            expires_at=now + valid_for if valid_for else None,
        )
    )
    session.flush()
    return token


def resolve_link(session: Session, token: str, *, purpose: str, now: datetime) -> ClientLink | None:
    """The live link for `token` and `purpose`, or None (unknown, other purpose, expired)."""
    if not token or len(token) > 200:
        return None
    link = session.exec(
        select(ClientLink).where(ClientLink.token_hash == token_hash(token))
    ).first()
    if link is None or link.purpose != purpose:
        return None
    if link.expires_at is not None and link.expires_at <= now:
        return None
    return link
