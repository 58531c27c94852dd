"""What every client-facing page under /c/ shares: language, headers, limits, a honeypot, the theme.

Clients never sign in: the opaque link in their e-mail is the key. So each page speaks the
contact's language, stays out of caches and referrers, is rate-limited per address and per link,
and every form carries a honeypot field that people never see and robots fill in.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar, cast

from flask import Blueprint, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, ValidationError

from advocacy.http.extensions import limiter
from advocacy.http.security import public

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("client_pages", __name__, url_prefix="/c")

# Per client address: enough for a person who reloads and corrects a form, not for a script.
PAGE_LIMIT = "30 per minute"
# Per link: a token is one person's; hundreds of posts on it are not a person.
LINK_LIMIT = "60 per hour"
LANGUAGES = frozenset({"en", "fr"})


def in_language(language: str | None) -> AbstractContextManager[Any]:
    """Render in the contact's language (the browser's when unknown)."""
    return force_locale(language) if language in LANGUAGES else nullcontext()


def client_page(
    template: str, status: int = 200, language: str | None = None, **context: Any
) -> Response:
    """A client page in the contact's language, kept out of caches and other sites' referrers."""
    with in_language(language):
        response = Response(
            render_template(template, **context), status=status, mimetype="text/html"
        )
    # The page names the person or what they wrote: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def form_expired(reload_url: str | None, language: str | None = None) -> Response:
    """The client's page for a form whose CSRF token is stale or whose session cookie is gone.

    Every client blueprint answers a CSRFError with it: the staff error page would point a client
    at our sign-in; this one offers the same link again (`reload_url`), in their language.
    """
    return client_page(
        "client_mail/form_expired.html", 400, language=language, reload_url=reload_url
    )


def _token_key() -> str:
    token = (request.view_args or {}).get("token")
    return f"token:{token}" if isinstance(token, str) else f"address:{request.remote_addr}"


def client_limits(view: F) -> F:
    """Rate-limit a client view per address and per link token."""
    # The limiter wraps with functools.wraps: the view keeps its signature.
    return cast(F, limiter.limit(PAGE_LIMIT)(limiter.limit(LINK_LIMIT, key_func=_token_key)(view)))


class ClientForm(FlaskForm):
    """Base of every client form: a honeypot field hidden from people (CSS, not type=hidden, so
    simple robots still fill it) that must stay empty."""

    website = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1", "class": "honeypot-input"},
    )

    def validate_website(self, field: StringField) -> None:
        if field.data:
            raise ValidationError(_l("This form could not be sent."))

    @property
    def is_robot(self) -> bool:
        return bool(self.website.data)


@bp.get("/theme.css")
@public
def theme() -> Response:
    """The firm's colours for client pages, as CSS custom properties (no inline style: strict CSP)."""
    settings = current_app.config["ADVOCACY"]
    css = (
        f":root {{ --brand: {settings.firm_colour}; --brand-text: {settings.firm_text_colour}; }}\n"
    )
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
