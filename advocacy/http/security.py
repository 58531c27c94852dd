"""Who is signed in, and what each endpoint allows: one policy, checked before every request.

Every view declares its policy with `@allow(...)` or `@public`. A view that declares nothing is
refused to everyone (fail closed), and a test walks the URL map so new routes cannot slip through.
JSON API views declare `@api_scope(...)` instead: they are reached with a bearer token, never with
the session cookie.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, Request, abort, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized
from werkzeug.wrappers import Response

from advocacy import audit_context
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.identity import Role, SessionClock, session_end_reason
from advocacy.models import User
from advocacy.services.access import tokens
from advocacy.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)

# Writing the session cookie on every request is wasteful; "last seen" only needs minute precision.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
# Public pages other sites embed (the testimonial wall): the same for everyone, shared caches keep
# them, so no session is read and no cookie is ever set, even for a signed-in colleague.
STATELESS_PATHS = ("/wall",)


def is_stateless(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in STATELESS_PATHS)


class _SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except on stateless pages: there it is a null session, which
    Flask never saves (no Set-Cookie, no Vary: Cookie)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if is_stateless(request.path):
            return self.make_null_session(app)
        return super().open_session(app, request)


def allow(*roles: str) -> Callable[[F], F]:
    """Let signed-in users with one of `roles` reach this view."""
    allowed = frozenset(Role(role) for role in roles)

    def mark(view: F) -> F:
        view.advocacy_roles = allowed  # type: ignore[attr-defined]
        return view

    return mark


def signed_in(view: F) -> F:
    """Let any signed-in user reach this view."""
    view.advocacy_roles = frozenset(Role)  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Let anyone reach this view, signed in or not."""
    view.advocacy_public = True  # type: ignore[attr-defined]
    return view


def api_scope(scope: str, *roles: str) -> Callable[[F], F]:
    """Let bearer tokens with `scope` reach this API view, for users with one of `roles` (any
    role when none is named). The session cookie never authenticates such a view."""
    needed = tokens.Scope(scope)
    allowed = frozenset(Role(role) for role in roles) if roles else frozenset(Role)

    def mark(view: F) -> F:
        view.advocacy_roles = allowed  # type: ignore[attr-defined]
        view.advocacy_api_scope = needed  # type: ignore[attr-defined]
        return view

    return mark


def endpoint_api_scope(app: Flask, endpoint: str) -> tokens.Scope | None:
    """The token scope an API endpoint needs; None for views reached with the session."""
    return getattr(app.view_functions.get(endpoint), "advocacy_api_scope", None)


def endpoint_policy(app: Flask, endpoint: str) -> frozenset[Role] | None:
    """Roles allowed on `endpoint`; an empty set means public; None means undeclared."""
    if endpoint == "static":
        return frozenset()
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    if getattr(view, "advocacy_public", False):
        return frozenset()
    return getattr(view, "advocacy_roles", None)


def current_user() -> User | None:
    return g.get("user")


def require_user() -> User:
    user = current_user()
    if user is None:
        abort(401)
    return user


def start_session(user: User, *, now: datetime) -> None:
    """Begin a fresh session for `user` (a new cookie and CSRF token: no fixation)."""
    session.clear()
    session.permanent = True
    stamp = now.timestamp()
    session.update(
        user_id=user.id, epoch=user.session_epoch, signed_in_at=stamp, last_seen_at=stamp
    )


def end_session() -> None:
    session.clear()


def current_bearer() -> tokens.Bearer | None:
    """The token of the current API request, once the policy has accepted it."""
    return g.get("bearer")


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def _load_user() -> None:
    g.user = None
    if _is_api_request():  # cookies never authenticate the API: no session is read or written
        return
    if is_stateless(request.path):
        return
    user_id = session.get("user_id")
    if user_id is None:
        return
    settings: Settings = current_app.config["ADVOCACY"]
    now = utcnow()
    try:
        clock = SessionClock(
            datetime.fromtimestamp(float(session["signed_in_at"]), UTC),
            datetime.fromtimestamp(float(session["last_seen_at"]), UTC),
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        session.clear()
        return
    reason = session_end_reason(
        clock,
        now=now,
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_max_hours),
    )
    user = db_session().get(User, user_id)
    if user is None or not user.active or user.session_epoch != session.get("epoch"):
        session.clear()
        flash(_("You have been signed out. Please sign in again."), "info")
        return
    if reason is not None:
        session.clear()
        flash(_("Your session has ended. Please sign in again."), "info")
        return
    if now - clock.last_seen_at >= LAST_SEEN_RESOLUTION:
        session["last_seen_at"] = now.timestamp()
    g.user = user


def _enforce_policy() -> Response | None:
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    roles = endpoint_policy(current_app, endpoint)
    if roles is None:
        log.error("endpoint %s declares no access policy; refusing", endpoint)
        abort(403)
    if not roles:
        return None
    scope = endpoint_api_scope(current_app, endpoint)
    if scope is not None:
        _enforce_bearer(roles, scope)
        return None
    user = current_user()
    if user is None:
        if request.method == "GET" and not request.path.startswith("/api/"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    if Role(user.role) not in roles:
        abort(403)
    return None


def _bearer_challenge(**params: str) -> WWWAuthenticate:
    return WWWAuthenticate("Bearer", {"realm": "advocacy", **params})


def _enforce_bearer(roles: frozenset[Role], scope: tokens.Scope) -> None:
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized(
            _("Send an API token: Authorization: Bearer <token>."),
            www_authenticate=_bearer_challenge(),
        )
    bearer = tokens.authenticate(db_session(), secret.strip(), now=utcnow())
    if bearer is None:
        raise Unauthorized(
            _("This API token is unknown, revoked or expired, or its user is deactivated."),
            www_authenticate=_bearer_challenge(error="invalid_token"),
        )
    g.user, g.bearer = bearer.user, bearer
    audit_context.act_as(tokens.token_actor(bearer.token), token_user_id=bearer.user.id)
    if not bearer.allows(scope):
        error = Forbidden(_("This API token lacks the %(scope)s scope.", scope=scope.value))
        error.www_authenticate = [  # type: ignore[attr-defined]
            _bearer_challenge(error="insufficient_scope", scope=scope.value)
        ]
        raise error
    if Role(bearer.user.role) not in roles:
        raise Forbidden(_("Your role does not allow this."))


def _begin_audit_origin() -> None:
    # The audit log records the address each change came from (behind a proxy, ProxyFix has
    # already put the client's address here: see trusted_proxies).
    g.audit_origin = audit_context.begin(address=request.remote_addr)


def _end_audit_origin(_error: BaseException | None) -> None:
    origin = g.pop("audit_origin", None)
    if origin is not None:
        # Set in another context (a streamed response): it ends with that context.
        with contextlib.suppress(ValueError):
            audit_context.end(origin)


def _refuse_nul_bytes() -> None:
    # PostgreSQL text cannot hold NUL and no legitimate form needs it: refuse before any query.
    # Every value of a repeated field counts: `.values()` would only show each field's first.
    for values in (request.args, request.form):
        for name, items in values.lists():
            if "\x00" in name or any("\x00" in value for value in items):
                abort(400)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # X-Frame-Options cannot name several sites: a page that chose its own frame-ancestors (the
    # wall, framed by the firm's website) is framed as its CSP says.
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_user() is not None:
        # Pages with client data must not stay in shared caches or the back-button cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Install user loading, the access policy and security headers (before CSRF checks)."""
    app.session_interface = _SessionInterface()
    app.before_request(_begin_audit_origin)
    app.teardown_request(_end_audit_origin)
    app.before_request(_refuse_nul_bytes)
    app.before_request(_load_user)
    app.before_request(_enforce_policy)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"current_user": current_user()})
