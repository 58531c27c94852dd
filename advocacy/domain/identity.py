"""Staff identity rules: roles, safe redirects, session lifetime, passwords, OIDC matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from advocacy.domain.text import N_

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit; also the width of the e-mail columns
# The limits are written out because a catalogue entry must be constant text;
# tests/unit/test_translations.py keeps them equal to the numbers above.
PASSWORD_TOO_SHORT = N_("Use at least 12 characters.")
PASSWORD_TOO_LONG = N_("Use at most 1024 characters.")


class Role(StrEnum):
    ADMIN = "admin"
    ACCOUNT_MANAGER = "account_manager"
    MARKETING = "marketing"


ALL_ROLES: frozenset[Role] = frozenset(Role)


class IdentityError(ValueError):
    """A staff identity change that the rules refuse; the message says why."""


def parse_role(value: str) -> Role:
    """The role named by `value`, or IdentityError listing the roles that exist."""
    try:
        return Role(value.strip())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise IdentityError(f"unknown role {value!r}; expected one of {names}") from None


def normalise_email(value: str) -> str:
    """E-mail as stored and compared: trimmed and lower-cased."""
    return value.strip().lower()


def safe_next_path(raw: str | None) -> str | None:
    """Return `raw` if it is a same-site relative path to go to after sign-in, else None.

    Browsers treat `//host`, `/\\host` and paths with control characters as other sites, so only a
    single leading slash followed by a normal character is accepted.
    """
    if not raw or len(raw) > 2000:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw) or "\\" in raw:
        return None
    if not raw.startswith("/") or raw.startswith("//"):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return None
    return raw


def password_problem(password: str, email: str) -> str | None:
    """Why `password` may not be used, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PASSWORD_TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return PASSWORD_TOO_LONG
    if password.strip() == "":
        return N_("A password cannot be only spaces.")
    local_part = normalise_email(email).split("@")[0]
    if local_part and password.lower() == local_part:
        return N_("A password cannot be your e-mail address.")
    return None


@dataclass(frozen=True)
class SessionClock:
    """When a staff session began and when it was last used."""

    signed_in_at: datetime
    last_seen_at: datetime


def session_end_reason(
    clock: SessionClock, *, now: datetime, idle: timedelta, lifetime: timedelta
) -> str | None:
    """'idle' or 'expired' when the session is over at `now`, None while it is still valid."""
    if now - clock.signed_in_at >= lifetime:
        return "expired"
    if now - clock.last_seen_at >= idle:
        return "idle"
    return None


class OidcOutcome(StrEnum):
    SIGN_IN = "sign_in"  # the (issuer, subject) is linked to an active user
    LINK = "link"  # first sign-in of an invited user, matched on verified e-mail
    PROVISION = "provision"  # unknown person from an auto-provisioned domain
    REFUSE_INACTIVE = "refuse_inactive"
    REFUSE_UNVERIFIED = "refuse_unverified"
    REFUSE_UNKNOWN = "refuse_unknown"
    REFUSE_LINKED_ELSEWHERE = "refuse_linked_elsewhere"


@dataclass(frozen=True)
class StaffFacts:
    """What the OIDC rule needs to know about one existing user."""

    user_id: int
    active: bool
    has_identity_from_issuer: bool


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def decide_oidc_sign_in(
    *,
    linked: StaffFacts | None,
    by_email: StaffFacts | None,
    email: str,
    email_verified: bool,
    auto_provision_domains: tuple[str, ...],
) -> OidcOutcome:
    """Decide what a successful OIDC sign-in means for our users.

    Users are matched on (issuer, subject) first, because e-mail addresses get reassigned; an e-mail
    only links a new identity when the provider says it is verified, and never takes over a user
    already linked to another subject of the same provider.
    """
    if linked is not None:
        return OidcOutcome.SIGN_IN if linked.active else OidcOutcome.REFUSE_INACTIVE
    if not email or len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        return OidcOutcome.REFUSE_UNKNOWN
    if not email_verified:
        return OidcOutcome.REFUSE_UNVERIFIED
    if by_email is not None:
        if not by_email.active:
            return OidcOutcome.REFUSE_INACTIVE
        if by_email.has_identity_from_issuer:
            return OidcOutcome.REFUSE_LINKED_ELSEWHERE
        return OidcOutcome.LINK
    domain = normalise_email(email).rsplit("@", 1)[-1]
    if domain in auto_provision_domains:
        return OidcOutcome.PROVISION
    return OidcOutcome.REFUSE_UNKNOWN
