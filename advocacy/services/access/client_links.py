"""Opaque links clients use without signing in: random tokens, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from advocacy.models import ClientLink

TOKEN_BYTES = 24  # 192 bits: guessing is hopeless, and the URL stays short
# Far above a real token's 32 characters: anything longer is not ours and is not hashed at all.
MAX_TOKEN_LENGTH = 200


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, so a database leak gives no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_link_values(
    *, purpose: str, email: str, now: datetime, contact_id: int | None = None
) -> tuple[dict[str, Any], str]:
    """A link's column values and its token, for writing many links in one statement."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    values = {
        "token_hash": token_hash(token),
        "purpose": purpose,
        "email": email.lower(),
        "contact_id": contact_id,
        "object_type": "",
        "object_id": None,
        "created_at": now,
        "expires_at": None,
    }
    return values, token


def issue_link(
    session: Session,
    *,
    purpose: str,
    email: str,
    now: datetime,
    contact_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    valid_for: timedelta | None = None,
) -> tuple[ClientLink, str]:
    """Create a link for `purpose`: the row and its token (shown once; helper: flushes only)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ClientLink(
        token_hash=token_hash(token),
        purpose=purpose,
        email=email.lower(),
        contact_id=contact_id,
        object_type=object_type,
        object_id=object_id,
        created_at=now,
        expires_at=now + valid_for if valid_for else None,
    )
    session.add(link)
    session.flush()
    return link, token


def create_link(session: Session, **link: Any) -> str:
    """Create a link (see `issue_link`) and return only its token, for the e-mail."""
    return issue_link(session, **link)[1]


def resolve_link(
    session: Session,
    token: str,
    *,
    purpose: str,
    now: datetime,
    unused: bool = False,
    lock: bool = False,
) -> ClientLink | None:
    """The live link for `token` and `purpose`, or None (unknown, other purpose, expired, or
    already used when `unused` is asked). `lock` holds the row until the commit, so that two
    submissions of a one-use link cannot both pass."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    query = select(ClientLink).where(ClientLink.token_hash == token_hash(token))
    link = session.exec(query.with_for_update() if lock else query).first()
    if link is None or link.purpose != purpose:
        return None
    if unused and link.used_at is not None:
        return None
    if link.expires_at is not None and link.expires_at <= now:
        return None
    return link
