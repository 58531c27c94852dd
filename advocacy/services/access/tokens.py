"""API token use cases: issue a bearer token once, list and revoke tokens, recognise a request's token.

Only a SHA-256 hash of each secret is stored. The secret carries 256 random bits, so a plain hash
is enough (no slow password hash needed: there is nothing to guess), and looking a token up by its
hash means no secret is ever compared character by character.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from advocacy.domain.audit import Action, Actor, ActorKind
from advocacy.domain.disclosure import Audience
from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_
from advocacy.models import ApiToken, User
from advocacy.repository import audit, staff

TOKEN_PREFIX = "adv_"  # noqa: S105 - a marker that makes leaked tokens easy to find, not a secret
PREFIX_LENGTH = 12  # "adv_" plus 8 random characters: enough to tell tokens apart in a list
MAX_EXPIRY_DAYS = 3650
MAX_TOKEN_LENGTH = 200
# last_used_at is for people deciding which tokens to revoke: minute precision is plenty, and
# writing it on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(seconds=60)
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]+$")


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    # For the firm's website or CMS: the advocacy library only, as the outside world may see it.
    PUBLISH = "publish"


class TokenError(RuleError):
    """A token request the rules refuse; the message says why."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which is shown once and never stored."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class Bearer:
    """Who a valid token speaks for, and what it may do."""

    token: ApiToken
    user: User

    @property
    def scopes(self) -> frozenset[Scope]:
        return parse_scopes(self.token.scopes.split())

    @property
    def audience(self) -> Audience:
        """Whom the consent policy serves through this token: what a publish token receives is
        meant to leave the firm; read and write tokens feed the firm's own tools."""
        return Audience.API_PUBLIC if Scope.PUBLISH in self.scopes else Audience.API_INTERNAL

    def allows(self, needed: Scope | str) -> bool:
        """`write` includes `read`: a client that changes data needs to read it back. Every
        token reads the library (`publish` endpoints), each through its own audience; a publish
        token reaches nothing else."""
        scopes, wanted = self.scopes, Scope(needed)
        if wanted is Scope.PUBLISH:
            return bool(scopes)
        if Scope.PUBLISH in scopes:
            return False
        return wanted in scopes or Scope.WRITE in scopes


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(values: list[str] | tuple[str, ...]) -> frozenset[Scope]:
    """The scopes named, or TokenError naming the ones that exist."""
    try:
        scopes = frozenset(Scope(value.strip().lower()) for value in values)
    except ValueError:
        raise TokenError(N_("Unknown scope; use read and/or write, or publish.")) from None
    return scopes


def create_token(
    session: Session,
    user_id: int,
    scopes: list[str] | tuple[str, ...],
    *,
    now: datetime,
    name: str = "",
    expires_days: int | None = None,
) -> IssuedToken:
    """Issue a token for an active user; the secret is returned once and only its hash is kept."""
    user = staff.get_user(session, user_id)
    if not user.active:
        raise TokenError(N_("A deactivated user cannot be given an API token."))
    wanted = parse_scopes(scopes)
    if not wanted:
        raise TokenError(N_("Give the token at least one scope: read or write."))
    if Scope.PUBLISH in wanted and len(wanted) > 1:
        # One token, one audience: a website token that could also read internal data would
        # put the firm's private quotes one bug away from the public page.
        raise TokenError(N_("A publish token is for the website: give it no other scope."))
    name = name.strip()
    if len(name) > 100 or any(ord(c) < 32 for c in name):
        raise TokenError(N_("A token name has at most 100 printable characters."))
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise TokenError(N_("A token expires after 1 to 3650 days."))
    secret, prefix = _new_secret(session)
    token = ApiToken(
        user_id=user_id,
        name=name,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        scopes=" ".join(sorted(wanted)),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        Action.TOKEN_CREATED,
        subject=("api_token", token.id),
        details={
            "prefix": prefix,
            "scopes": token.scopes,
            "user_id": user_id,
            "expires_days": expires_days,
        },
        now=now,
    )
    session.commit()
    return IssuedToken(token, secret)


def _new_secret(session: Session) -> tuple[str, str]:
    # 32 random bytes = 256 bits. The prefix must name one token for `revoke PREFIX`, so a (very
    # unlikely) clash with an existing prefix draws again.
    while True:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        prefix = secret[:PREFIX_LENGTH]
        if session.exec(select(ApiToken.id).where(ApiToken.prefix == prefix)).first() is None:
            return secret, prefix


def list_tokens(session: Session, *, user_id: int | None = None) -> list[tuple[ApiToken, User]]:
    """Tokens with their users, newest first (optionally one user's only)."""
    query = select(ApiToken, User).join(User, col(User.id) == ApiToken.user_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    query = query.order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    return [(token, user) for token, user in session.exec(query)]


def revoke_token(session: Session, prefix: str, *, now: datetime) -> ApiToken:
    """Revoke the token shown with `prefix`; it stops working at its next request."""
    token = session.exec(select(ApiToken).where(ApiToken.prefix == prefix.strip())).first()
    if token is None:
        raise TokenError(N_("No token has this prefix."))
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        audit.record(
            session,
            Action.TOKEN_REVOKED,
            subject=("api_token", token.id),
            details={"prefix": token.prefix, "user_id": token.user_id},
            now=now,
        )
        session.commit()
    return token


def token_actor(token: ApiToken) -> Actor:
    """An API token as the actor of an entry: its id, and its public prefix and name as the
    label."""
    return Actor(
        ActorKind.TOKEN, token.id, f"{token.prefix} ({token.name})" if token.name else token.prefix
    )


def authenticate(session: Session, secret: str, *, now: datetime) -> Bearer | None:
    """The bearer behind `secret`, or None when it is unknown, revoked, expired or its user is
    deactivated. Notes the time of use (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        return None
    if not _TOKEN_SHAPE.match(secret):
        return None
    digest = hash_secret(secret)
    token = session.exec(select(ApiToken).where(ApiToken.secret_hash == digest)).first()
    # The lookup already matched the hash; comparing again in constant time costs nothing and
    # keeps the check independent of how the database compares strings.
    if token is None or not hmac.compare_digest(token.secret_hash, digest):
        return None
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return Bearer(token, user)
