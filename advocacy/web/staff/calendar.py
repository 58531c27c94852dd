"""The personal calendar feed: the public .ics address, and the page where its owner manages it.

The feed is read by calendar servers (Google, Outlook, Apple), which cannot sign in: the secret in
the address is the credential, so an unknown or revoked address gets a bare 404 that says nothing
about why. The management page shows the full address only in the answer to its creation, the way
invitation links are shown; afterwards only its dates are on the page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.http.extensions import limiter
from advocacy.http.security import allow, public, require_user
from advocacy.services.check_ins import calendar_feed
from advocacy.settings import Settings
from advocacy.web.forms.common import ActionForm
from advocacy.web.refusals import refusal

bp = Blueprint("calendar", __name__)

# Per client address. Google and Microsoft fetch every subscribed calendar of a firm from a few
# servers, so the limit is generous; it is there to make guessing addresses pointless.
FEED_LIMIT = "120 per minute"
FEED_MAX_AGE_S = 300


def _settings() -> Settings:
    return current_app.config["ADVOCACY"]


@bp.get("/calendar/<token>.ics")
@public
@limiter.limit(FEED_LIMIT)
def feed(token: str) -> Response:
    document = calendar_feed.feed_for(db_session(), token, now=utcnow(), settings=_settings())
    if document is None:
        response = Response("Not found\n", status=404, mimetype="text/plain")
        response.headers["Cache-Control"] = "no-store"
        return response
    response = Response(document, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    # The events are one person's client list: no shared cache may keep them.
    response.headers["Cache-Control"] = f"private, max-age={FEED_MAX_AGE_S}"
    response.headers["Content-Disposition"] = 'inline; filename="check-ins.ics"'
    return response


def _page(feed_url: str | None = None, status: int = 200) -> tuple[str, int]:
    user = require_user()
    assert user.id is not None
    return render_template(
        "calendar/settings.html",
        feed=calendar_feed.feed_of(db_session(), user.id),
        feed_url=feed_url,
        form=ActionForm(),
    ), status


@bp.get("/preferences/calendar")
@allow(*ACCOUNT_WORKERS)
def settings_page() -> tuple[str, int]:
    return _page()


@bp.post("/preferences/calendar")
@allow(*ACCOUNT_WORKERS)
def create() -> tuple[str, int] | Response:
    user = require_user()
    assert user.id is not None
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        secret = calendar_feed.create_feed(db_session(), user.id, now=utcnow())
    except calendar_feed.CalendarFeedError as error:
        flash(refusal(error), "error")
        return redirect(url_for("calendar.settings_page"))
    # Rendered, not redirected: the address must never pass through the flash cookie.
    return _page(calendar_feed.feed_url(_settings(), secret))


@bp.post("/preferences/calendar/revoke")
@allow(*ACCOUNT_WORKERS)
def revoke() -> Response:
    user = require_user()
    assert user.id is not None
    if not ActionForm().validate_on_submit():
        abort(400)
    if calendar_feed.revoke_feed(db_session(), user.id):
        flash(
            _("Your calendar address is turned off. Calendars using it stop updating."), "success"
        )
    return redirect(url_for("calendar.settings_page"))
