"""Staff identity use cases: sign-in, users and roles, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from advocacy.adapters.passwords import hash_password, verify_password
from advocacy.domain.access import is_administrator
from advocacy.domain.audit import Action, Actor, ActorKind
from advocacy.domain.identity import (
    IdentityError,
    OidcOutcome,
    Role,
    StaffFacts,
    decide_oidc_sign_in,
    normalise_email,
    parse_role,
    password_problem,
)
from advocacy.domain.text import N_
from advocacy.models import OidcIdentity, User
from advocacy.models.fields import saved_id
from advocacy.repository import audit, staff

# Messages people read are marked with N_ and translated where the web shows them.
WRONG_CREDENTIALS = N_("Wrong e-mail or password.")
DEACTIVATED = N_("This account is deactivated. Ask an administrator to reactivate it.")
# The address is not repeated: the person has just typed it, and the text stays translatable.
EMAIL_TAKEN = N_("A user with this e-mail address already exists.")


class SignInRefused(Exception):
    """Sign-in did not succeed; the message is safe to show to the person signing in."""


class OidcRefused(SignInRefused):
    """An OIDC sign-in that the rules refuse; `outcome` says which rule."""

    def __init__(self, outcome: OidcOutcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def checked_email(value: str) -> str:
    """A syntactically valid, normalised e-mail address, or IdentityError saying what is wrong."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise IdentityError(f"Not a valid e-mail address: {error}") from None
    return normalise_email(result.normalized)


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> User:
    """Check a password sign-in and record it; raise SignInRefused with a message to show."""
    typed = normalise_email(email)
    user = staff.user_by_email(session, typed)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        _refused(session, typed, user, "password", "wrong_credentials", now)
        raise SignInRefused(WRONG_CREDENTIALS)
    if not user.active:
        _refused(session, typed, user, "password", "deactivated", now)
        raise SignInRefused(DEACTIVATED)
    user.last_sign_in_at = now
    session.add(user)
    audit.record(
        session,
        Action.SIGN_IN,
        actor=audit.user_actor(user),
        subject=audit.user_subject(user),
        details={"method": "password"},
        now=now,
    )
    session.commit()
    return user


def record_throttled(session: Session, email: str, *, now: datetime) -> None:
    """Record a password sign-in refused before it was checked: too many attempts failed."""
    typed = normalise_email(email)[:254]
    user = staff.user_by_email(session, typed) if typed else None
    _refused(session, typed, user, "password", "rate_limited", now)


def _refused(
    session: Session, typed: str, user: User | None, method: str, reason: str, now: datetime
) -> None:
    # A refused sign-in changes nothing else, so its entry commits on its own. The actor is the
    # address as typed (an unknown one too: repeated guesses are what the log must show).
    session.rollback()
    audit.record(
        session,
        Action.SIGN_IN_FAILED,
        actor=Actor(ActorKind.USER, user.id if user else None, typed),
        subject=audit.user_subject(user) if user else None,
        details={"method": method, "reason": reason},
        now=now,
    )
    session.commit()


def _new_user(
    session: Session, email: str, role: str, name: str, now: datetime, by: User | None
) -> User:
    email = checked_email(email)
    if staff.user_by_email(session, email) is not None:
        raise IdentityError(EMAIL_TAKEN)
    user = User(
        email=email,
        role=parse_role(role).value,
        name=name.strip()[:200],
        created_at=now,
        invited_by_id=by.id if by else None,
    )
    session.add(user)
    return user


def create_user(
    session: Session, email: str, role: str, *, password: str | None, now: datetime, name: str = ""
) -> User:
    """Create a user from the command line, with a password or (None) to be set by invitation."""
    user = _new_user(session, email, role, name, now, None)
    if password is not None:
        problem = password_problem(password, user.email)
        if problem:
            raise IdentityError(problem)
        user.password_hash = hash_password(password)
    return _commit_new(session, user, None, "command_line", now)


def invite_user(
    session: Session, email: str, role: str, *, name: str, by: User, now: datetime
) -> User:
    """Create an invited user who sets a password through a link or signs in with OIDC."""
    user = _new_user(session, email, role, name, now, by)
    user.invited_at = now
    return _commit_new(session, user, by, "invitation", now)


def _commit_new(session: Session, user: User, by: User | None, method: str, now: datetime) -> User:
    try:
        session.flush()
        _record_created(session, user, by, method, now)
        session.commit()
    except IntegrityError:
        # Two admins inviting the same address at once: the unique index decides.
        session.rollback()
        raise IdentityError(EMAIL_TAKEN) from None
    return user


def _record_created(
    session: Session, user: User, by: User | None, method: str, now: datetime
) -> None:
    audit.record(
        session,
        Action.USER_CREATED,
        actor=audit.user_actor(by) if by else None,
        subject=audit.user_subject(user),
        details={"role": user.role, "method": method},
        now=now,
    )


def set_password(
    session: Session, user_id: int, password: str, *, expected_epoch: int | None = None
) -> User:
    """Set a user's password; with `expected_epoch`, only if the invitation link is still current."""
    user = staff.get_user(session, user_id)
    if expected_epoch is not None and (user.session_epoch != expected_epoch or not user.active):
        raise IdentityError(N_("This link is no longer valid. Ask an administrator for a new one."))
    problem = password_problem(password, user.email)
    if problem:
        raise IdentityError(problem)
    user.password_hash = hash_password(password)
    # Ends other sessions and makes the invitation link single-use.
    user.session_epoch += 1
    session.add(user)
    audit.record(
        session,
        Action.USER_PASSWORD_SET,
        # Through an invitation the person acts as themself; otherwise the command line does.
        actor=audit.user_actor(user) if expected_epoch is not None else None,
        subject=audit.user_subject(user),
        details={"method": "invitation" if expected_epoch is not None else "command_line"},
    )
    session.commit()
    return user


def sign_out(session: Session, user_id: int) -> User:
    """End every session of this user, wherever a copy of its cookie is kept."""
    user = staff.get_user(session, user_id)
    # The epoch is per user, not per session: signing out anywhere signs out everywhere, the
    # price of keeping sessions in signed cookies rather than in a table.
    user.session_epoch += 1
    session.add(user)
    audit.record(
        session, Action.SIGN_OUT, actor=audit.user_actor(user), subject=audit.user_subject(user)
    )
    session.commit()
    return user


def _refuse_last_admin(session: Session, user: User) -> None:
    if (
        is_administrator(Role(user.role))
        and user.active
        and staff.count_active_admins(session) <= 1
    ):
        raise IdentityError(
            N_("This is the last active administrator; make someone else admin first.")
        )


def deactivate_user(session: Session, user_id: int, *, by: User, now: datetime) -> User:
    """Deactivate a user: their sessions end at their next request."""
    user = staff.get_user(session, user_id)
    if user.id == by.id:
        raise IdentityError(N_("You cannot deactivate yourself."))
    if not user.active:
        return user
    _refuse_last_admin(session, user)
    user.active = False
    user.deactivated_at = now
    user.session_epoch += 1
    session.add(user)
    audit.record(
        session,
        Action.USER_DEACTIVATED,
        actor=audit.user_actor(by),
        subject=audit.user_subject(user),
        now=now,
    )
    session.commit()
    return user


def reactivate_user(session: Session, user_id: int, *, by: User) -> User:
    """Give a deactivated user access again."""
    user = staff.get_user(session, user_id)
    if not user.active:
        user.active = True
        user.deactivated_at = None
        session.add(user)
        audit.record(
            session,
            Action.USER_REACTIVATED,
            actor=audit.user_actor(by),
            subject=audit.user_subject(user),
        )
        session.commit()
    return user


def change_role(session: Session, user_id: int, role: str, *, by: User) -> User:
    """Give a user another role; their open sessions pick it up at once."""
    user = staff.get_user(session, user_id)
    new_role = parse_role(role)
    if user.role == new_role:
        return user
    if user.id == by.id:
        raise IdentityError(N_("You cannot change your own role."))
    _refuse_last_admin(session, user)
    audit.record(
        session,
        Action.USER_ROLE_CHANGED,
        actor=audit.user_actor(by),
        subject=audit.user_subject(user),
        details={"from": user.role, "to": new_role.value},
    )
    user.role = new_role.value
    user.session_epoch += 1
    session.add(user)
    session.commit()
    return user


def update_preferences(
    session: Session,
    user_id: int,
    *,
    name: str,
    language: str | None,
    timezone: str | None,
    check_in_digest: bool | None = None,
) -> User:
    """Save a user's own display name, language, time zone and (None: unchanged) digest choice."""
    user = staff.get_user(session, user_id)
    user.name = name.strip()[:200]
    user.language = language or None
    user.timezone = timezone or None
    if check_in_digest is not None:
        user.check_in_digest = check_in_digest
    session.add(user)
    session.commit()
    return user


@dataclass(frozen=True)
class OidcClaims:
    """The parts of a validated ID token / userinfo that sign-in uses."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str

    @classmethod
    def from_mapping(cls, claims: dict[str, Any]) -> OidcClaims:
        verified = claims.get("email_verified", False)
        if isinstance(verified, str):  # some providers send "true"
            verified = verified.lower() == "true"
        return cls(
            issuer=str(claims.get("iss", "")),
            subject=str(claims.get("sub", "")),
            email=normalise_email(str(claims.get("email") or "")),
            email_verified=bool(verified),
            name=str(claims.get("name") or ""),
        )


NO_SUBJECT = N_("The identity provider did not say who you are. Ask an administrator.")
# OpenID Connect Core caps `sub` at 255 ASCII characters; both are also the widths of the columns.
MAX_SUBJECT_LENGTH = 255
MAX_ISSUER_LENGTH = 500

_OIDC_MESSAGES = {
    OidcOutcome.REFUSE_INACTIVE: DEACTIVATED,
    OidcOutcome.REFUSE_UNVERIFIED: N_(
        "Your identity provider has not verified your e-mail address, so we cannot match it to an "
        "invitation. Verify it with your provider, or ask an administrator."
    ),
    OidcOutcome.REFUSE_UNKNOWN: N_(
        "You have no account here. Ask an administrator to invite you with the e-mail address "
        "your identity provider uses."
    ),
    OidcOutcome.REFUSE_LINKED_ELSEWHERE: N_(
        "This e-mail address is already linked to another identity of this provider. "
        "Ask an administrator."
    ),
}


def _facts(session: Session, user: User | None, issuer: str) -> StaffFacts | None:
    if user is None or user.id is None:
        return None
    return StaffFacts(user.id, user.active, staff.user_has_identity_from(session, user.id, issuer))


def sign_in_with_oidc(
    session: Session,
    claims: OidcClaims,
    *,
    auto_provision_domains: tuple[str, ...],
    auto_provision_role: str,
    now: datetime,
) -> User:
    """Match a verified OIDC identity to a user (linking or provisioning when allowed) and sign in."""
    if (
        not claims.issuer
        or not claims.subject
        or len(claims.issuer) > MAX_ISSUER_LENGTH
        or len(claims.subject) > MAX_SUBJECT_LENGTH
    ):
        _refused(session, claims.email[:254], None, "oidc", "no_subject", now)
        raise OidcRefused(OidcOutcome.REFUSE_UNKNOWN, NO_SUBJECT)
    try:
        return _match_oidc_identity(
            session, claims, auto_provision_domains, auto_provision_role, now
        )
    except IntegrityError:
        # Two first sign-ins of the same person at once (two tabs), or a provisioning racing an
        # invitation: the unique indexes let one win, and the other decides again seeing its rows.
        session.rollback()
        return _match_oidc_identity(
            session, claims, auto_provision_domains, auto_provision_role, now
        )


def _match_oidc_identity(
    session: Session,
    claims: OidcClaims,
    auto_provision_domains: tuple[str, ...],
    auto_provision_role: str,
    now: datetime,
) -> User:
    identity = staff.identity_for(session, claims.issuer, claims.subject)
    linked_user = staff.get_user(session, identity.user_id) if identity else None
    by_email = staff.user_by_email(session, claims.email) if claims.email else None
    outcome = decide_oidc_sign_in(
        linked=_facts(session, linked_user, claims.issuer),
        by_email=_facts(session, by_email, claims.issuer),
        email=claims.email,
        email_verified=claims.email_verified,
        auto_provision_domains=auto_provision_domains,
    )
    if outcome in _OIDC_MESSAGES:
        known = linked_user or by_email
        _refused(session, claims.email, known, "oidc", outcome.value, now)
        raise OidcRefused(outcome, _OIDC_MESSAGES[outcome])
    if outcome is OidcOutcome.SIGN_IN and identity and linked_user:
        user = linked_user
    elif outcome is OidcOutcome.LINK and by_email:
        user = by_email
        identity = OidcIdentity(
            user_id=saved_id(user),
            issuer=claims.issuer,
            subject=claims.subject,
            email=claims.email,
            linked_at=now,
        )
    else:  # PROVISION
        user = User(
            email=claims.email,
            name=claims.name[:200],
            role=parse_role(auto_provision_role).value,
            created_at=now,
        )
        session.add(user)
        session.flush()
        _record_created(session, user, None, "oidc", now)
        identity = OidcIdentity(
            user_id=saved_id(user),
            issuer=claims.issuer,
            subject=claims.subject,
            email=claims.email,
            linked_at=now,
        )
    assert identity is not None
    identity.last_sign_in_at = now
    user.last_sign_in_at = now
    if not user.name and claims.name:
        user.name = claims.name[:200]
    session.add_all([identity, user])
    audit.record(
        session,
        Action.SIGN_IN,
        actor=audit.user_actor(user),
        subject=audit.user_subject(user),
        details={"method": "oidc"},
        now=now,
    )
    session.commit()
    return user
