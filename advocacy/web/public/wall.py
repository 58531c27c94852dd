"""The embeddable testimonial wall: a plain page the firm's website shows in an iframe, and the
staff page that builds the snippet to paste.

The wall is public and the same for every visitor: the consent policy's WALL audience (published
quotes the client allowed in public, attributed as allowed), no cookie read or set, no script,
no tracking. It may be cached for a minute only, so a withdrawal is gone from the website within
one minute; the firm's site frames it as the `wall_frame_ancestors` setting allows.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import MARKETERS
from advocacy.domain.disclosure import Audience
from advocacy.domain.numbers import whole_number
from advocacy.http.security import allow, public
from advocacy.repository.journey import list_service_lines
from advocacy.repository.showcase import TestimonialSearch, collections_to_choose
from advocacy.services.library import showcase
from advocacy.services.voice.testimonial_consent import render_body
from advocacy.settings import LANGUAGES, Settings

bp = Blueprint("wall", __name__)

MAX_QUOTES = 24
DEFAULT_QUOTES = 12
MAX_AGE_SECONDS = 60  # a withdrawal must leave the firm's website within a minute
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_SHORT_TEXT = 80
THEME = ("accent", "background", "text")


class WallRequestError(ValueError):
    """A wall address with a parameter the wall cannot use; the message says which and why."""


@dataclass(frozen=True)
class WallRequest:
    """What one wall address asks for: which quotes, how many, in which language and colours."""

    search: TestimonialSearch
    limit: int
    language: str
    colours: dict[str, str]

    def params(self) -> dict[str, str]:
        """The query string that asks for this wall again (for the snippet)."""
        wanted: dict[str, str] = {}
        if self.search.service_line_id is not None:
            wanted["service_line"] = str(self.search.service_line_id)
        if self.search.industry:
            wanted["industry"] = self.search.industry
        if self.search.outcome:
            wanted["outcome"] = self.search.outcome
        if self.search.collection_id is not None:
            wanted["collection"] = str(self.search.collection_id)
        wanted["limit"] = str(self.limit)
        wanted["lang"] = self.language
        wanted.update({name: value.lstrip("#") for name, value in self.colours.items()})
        return wanted


def _settings() -> Settings:
    return current_app.config["ADVOCACY"]


def _text(args: Any, name: str) -> str:
    value = " ".join(str(args.get(name, "")).split())
    if len(value) > _SHORT_TEXT:
        raise WallRequestError(_("%(name)s is too long (at most 80 characters).", name=name))
    return value


def _number(args: Any, name: str, *, low: int, high: int, default: int | None) -> int | None:
    raw = str(args.get(name, "")).strip()
    if not raw:
        return default
    number = whole_number(raw)
    if number is None or not low <= number <= high:
        raise WallRequestError(
            _(
                "%(name)s must be a whole number from %(low)d to %(high)d.",
                name=name,
                low=low,
                high=high,
            )
        )
    return int(raw)


def _colour(args: Any, name: str, default: str) -> str:
    raw = str(args.get(name, "")).strip()
    if not raw:
        return default
    match = _HEX.fullmatch(raw)
    if match is None:
        raise WallRequestError(
            _("%(name)s must be a colour of six hexadecimal digits, such as 1f4e79.", name=name)
        )
    return "#" + match.group(1).lower()


def wall_request(args: Any, settings: Settings) -> WallRequest:
    """The wall an address asks for, or WallRequestError naming the parameter that is wrong."""
    known = {"service_line", "industry", "outcome", "collection", "limit", "lang", *THEME}
    unknown = sorted(set(args) - known)
    if unknown:
        raise WallRequestError(_("Unknown parameter: %(name)s.", name=unknown[0]))
    language = str(args.get("lang", "")).strip() or settings.default_language
    if language not in LANGUAGES:
        raise WallRequestError(_("lang must be one of: %(choices)s.", choices=", ".join(LANGUAGES)))
    defaults = {
        "accent": settings.firm_colour,
        "background": "#ffffff",
        "text": "#1a1a1a",
    }
    return WallRequest(
        search=TestimonialSearch(
            service_line_id=_number(args, "service_line", low=1, high=2**31 - 1, default=None),
            industry=_text(args, "industry"),
            outcome=_text(args, "outcome"),
            collection_id=_number(args, "collection", low=1, high=2**31 - 1, default=None),
        ),
        limit=_number(args, "limit", low=1, high=MAX_QUOTES, default=DEFAULT_QUOTES)
        or DEFAULT_QUOTES,
        language=language,
        colours={name: _colour(args, name, defaults[name]) for name in THEME},
    )


def _css(colours: dict[str, str]) -> str:
    # Built from validated #rrggbb values only, so nothing a visitor typed reaches the style.
    return (
        f"body{{margin:0;font:16px/1.5 system-ui,sans-serif;background:{colours['background']};"
        f"color:{colours['text']}}}"
        ".wall{list-style:none;margin:0;padding:1rem;display:grid;gap:1rem;"
        "grid-template-columns:repeat(auto-fill,minmax(16rem,1fr))}"
        f".quote{{margin:0;padding:1rem;border-left:4px solid {colours['accent']}}}"
        ".quote blockquote{margin:0}.quote p{margin:0 0 .5rem}"
        f".quote figcaption{{font-size:.875rem;color:{colours['accent']}}}"
        ".rating{font-size:.875rem}.empty{padding:1rem}"
    )


def _csp(style: str, ancestors: tuple[str, ...]) -> str:
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    framers = " ".join(dict.fromkeys(("'self'", *ancestors)))
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'self'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {framers}"
    )


def _wall_response(body: str, status: int, style: str) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _csp(style, _settings().wall_frame_ancestors)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _wall_language(args: Any, settings: Settings) -> str:
    """The language the address asks for, or the firm's default when it names none we speak."""
    wanted = str(args.get("lang", "")).strip()
    return wanted if wanted in LANGUAGES else settings.default_language


@bp.get("/wall")
@public
def show() -> Response:
    """The wall itself: published quotes for a service line, an industry, an outcome or a collection."""
    settings = _settings()
    # The language comes from the address, never from the visitor's browser: a shared cache
    # must not hand one visitor's language to the next. A bad address is explained in it too.
    language = _wall_language(request.args, settings)
    with force_locale(language):
        try:
            wanted = wall_request(request.args, settings)
        except WallRequestError as error:
            style = _css(wall_request({}, settings).colours)
            body = render_template(
                "wall/wall.html", quotes=[], error=str(error), style=style, language=language
            )
            return _wall_response(body, 400, style)
        quotes, _more = showcase.show_testimonials(
            db_session(), Audience.WALL, wanted.search, today=utcnow().date(), limit=wanted.limit
        )
        style = _css(wanted.colours)
        body = render_template(
            "wall/wall.html",
            quotes=[(quote, render_body(quote.testimonial.body)) for quote in quotes],
            error="",
            style=style,
            language=wanted.language,
        )
    return _wall_response(body, 200, style)


@bp.get("/testimonials/wall")
@allow(*MARKETERS)
def builder() -> tuple[str, int]:
    """Marketing picks what the wall shows and copies the snippet; the preview is the real wall."""
    settings = _settings()
    status, error, wanted = 200, "", None
    try:
        wanted = wall_request(request.args, settings)
    except WallRequestError as exc:
        status, error = 400, str(exc)
        wanted = wall_request({}, settings)
    address = f"{settings.base_url}{url_for('wall.show')}?{urlencode(wanted.params())}"
    return render_template(
        "wall/builder.html",
        wanted=wanted,
        given=request.args,
        error=error,
        address=address,
        preview=f"{url_for('wall.show')}?{urlencode(wanted.params())}",
        script=f"{settings.base_url}{url_for('static', filename='wall.js')}",
        service_lines=list_service_lines(db_session(), active_only=True),
        collections=collections_to_choose(db_session()),
        languages=LANGUAGES,
        ancestors=settings.wall_frame_ancestors,
    ), status
