"""Error pages in the product's look, for every status the app can answer with.

Under /api/ the same errors answer as application/problem+json instead (advocacy.http.problems).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.services.access import identity
from advocacy.web.client import mail

log = logging.getLogger(__name__)
E = TypeVar("E", bound=Exception)


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        401: (_("Sign-in needed"), _("Please sign in to see this page.")),
        403: (_("Not allowed"), _("Your role does not give access to this page.")),
        404: (_("Page not found"), _("There is nothing at this address. Check the link.")),
        405: (_("Not allowed here"), _("This address does not accept this kind of request.")),
        413: (_("Too large"), _("What you sent is larger than this page accepts.")),
        429: (_("Too many attempts"), _("Please wait a few minutes before trying again.")),
        500: (_("Something went wrong"), _("The error has been logged. Please try again later.")),
        503: (
            _("Temporarily unavailable"),
            _(
                "The database cannot be reached just now. Nothing was changed: try again in a minute."
            ),
        ),
    }


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default_message = _titles().get(code, (str(code), ""))
    try:
        return render_template(
            "errors/error.html", code=code, title=title, message=message or default_message
        ), code
    except Exception:  # the layout itself failed: still answer with a plain page, never a blank 500
        log.exception("error page could not be rendered")
        return (
            f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
            f"<p>{escape(message or default_message)}</p><p><a href='/'>advocacy</a></p>",
            code,
        )


def _http_error(error: HTTPException) -> tuple[str, int]:
    return render_error(error.code or 500)


def _csrf_error(_error: CSRFError) -> tuple[str, int] | Response:
    # Clients reach their pages through a link, without signing in: the staff page (and its
    # sign-in link) means nothing to them.
    if request.blueprint == mail.bp.name:
        return mail.expired_form()
    return render_error(
        400, _("This form has expired or came from another site. Reload the page and try again.")
    )


def _rate_limited(error: RateLimitExceeded) -> tuple[str, int]:
    log.warning("rate limit reached on %s: %s", request.path, error.description)
    if request.endpoint == "auth.login":
        # Refused before the password was even checked: the audit log must still show it, or
        # a guessing run would vanish from it the moment the limit stops it.
        try:
            identity.record_throttled(db_session(), request.form.get("email", ""), now=utcnow())
        except SQLAlchemyError:
            # The database away is no reason to answer a flood of guesses with a 500.
            log.warning("could not record a rate-limited sign-in", exc_info=True)
            db_session().rollback()
        # The wait is the window of the limit that was reached: the limits are settings.
        minutes = max(1, -(-error.limit.limit.get_expiry() // 60))
        message = ngettext(
            "Too many failed sign-in attempts. Wait up to %(num)d minute and try again, or ask "
            "an administrator to check your account.",
            "Too many failed sign-in attempts. Wait up to %(num)d minutes and try again, or ask "
            "an administrator to check your account.",
            minutes,
        )
    else:
        message = None
    return render_error(429, message)


def _internal_error(error: InternalServerError) -> tuple[str, int]:
    log.error(
        "unhandled error on %s %s", request.method, request.path, exc_info=error.original_exception
    )
    return render_error(500)


# How long a client should wait before trying again while the database is away.
RETRY_AFTER_S = 30


def _database_unreachable(error: OperationalError | InterfaceError) -> Any:
    """The database went away (stopped, restarting, network): 503, never a 500 with a trace.

    The request's transaction died with its connection, so nothing it did was kept; the pool
    checks connections before use, so the first request after the database is back succeeds
    without a restart.
    """
    log.warning(
        "database unreachable on %s %s: %s", request.method, request.path, type(error.orig).__name__
    )
    unavailable = ServiceUnavailable(retry_after=RETRY_AFTER_S)
    if request.path.startswith("/api/"):
        from advocacy.http.problems import problem_for_exception

        return problem_for_exception(unavailable)
    page, code = render_error(503)
    return Response(page, code, headers={"Retry-After": str(RETRY_AFTER_S)}, mimetype="text/html")


def _problem_under_api(
    handler: Callable[[E], tuple[str, int] | Response],
) -> Callable[[E], Any]:
    """Answer API requests with a problem document and every other request with `handler`."""

    def handle(error: E) -> tuple[str, int] | Response:
        if not request.path.startswith("/api/"):
            return handler(error)
        from advocacy.http.problems import problem_for_exception

        if isinstance(error, InternalServerError):
            log.error(
                "unhandled error on %s %s",
                request.method,
                request.path,
                exc_info=error.original_exception,
            )
        return problem_for_exception(error)

    return handle


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, _database_unreachable)
    app.register_error_handler(InterfaceError, _database_unreachable)
    app.register_error_handler(CSRFError, _problem_under_api(_csrf_error))
    app.register_error_handler(RateLimitExceeded, _problem_under_api(_rate_limited))
    app.register_error_handler(InternalServerError, _problem_under_api(_internal_error))
    app.register_error_handler(HTTPException, _problem_under_api(_http_error))
