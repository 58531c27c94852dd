"""The signed-in home page and the user's own preferences."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS, may_own_accounts
from advocacy.domain.identity import Role
from advocacy.http.security import allow, require_user, signed_in
from advocacy.models.fields import saved_id
from advocacy.services.access import identity
from advocacy.services.analytics import dashboard
from advocacy.services.check_ins import my_week
from advocacy.services.journey import signals
from advocacy.services.operations import firm_overview
from advocacy.services.voice import quote_watch
from advocacy.web.forms.check_ins import CompleteForm
from advocacy.web.forms.common import ActionForm, PreferencesForm
from advocacy.web.refusals import found_and_allowed, viewer_timezone

bp = Blueprint("home", __name__)
LIST_LIMIT = 25  # signals and coverage gaps shown at first on My week


def _firm_view(today: date) -> dict[str, Any]:
    """What an administrator sees of the whole firm above their own week."""
    settings = current_app.config["ADVOCACY"]
    return {
        "firm": firm_overview.firm_overview(
            db_session(),
            now=utcnow(),
            today=today,
            stale_after_s=settings.scheduler_stale_seconds,
        ),
        # The analytics dashboard's stored numbers: cheap, and empty until the first refresh.
        "headlines": dashboard.headline_numbers(db_session(), now=utcnow()),
    }


@bp.get("/")
@signed_in
def index() -> str:
    user = require_user()
    assert user.id is not None
    role = Role(user.role)
    # "Today" and "this week" are the viewer's calendar days, not the server's.
    today = utcnow().astimezone(viewer_timezone()).date()
    shown: dict[str, Any] = {"week": None, "forms": {}, "firm": None, "quotes": None}
    # An owner of thousands of accounts can have a thousand signals and gaps: the first ones,
    # with a link to all of them, keep the page quick to read and to serve.
    shown["limit"] = None if request.args.get("all") == "1" else LIST_LIMIT
    if role is Role.ADMIN:
        shown.update(_firm_view(today))
    if role is Role.MARKETING:
        shown["quotes"] = quote_watch.quote_watch(db_session(), now=utcnow(), today=today)
    if may_own_accounts(role):  # no accounts: no check-ins, no signals
        # My week: check-ins and journey signals go to whoever owns the account, account
        # managers and admins who own some.
        week = my_week.my_week(db_session(), user.id, today=today)
        shown["week"] = week
        shown["forms"] = {
            row.check_in.id: CompleteForm(formdata=None).with_ids(row.check_in.id)
            for row in (*week.overdue, *week.this_week, *week.upcoming)
        }
    return render_template("home/index.html", user=user, **shown)


@bp.post("/signals/<id:signal_id>/done")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def signal_done(signal_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    signals.resolve_signal(db_session(), signal_id, by=require_user(), now=utcnow())
    flash(_("Marked as done."), "success")
    return redirect(url_for("home.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@signed_in
def preferences() -> Response | tuple[str, int] | str:
    user = require_user()
    form = PreferencesForm(
        obj=None if request.method == "POST" else user,
        data=None if request.method == "POST" else {"language": user.language or ""},
    ).for_role(user.role)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("home/preferences.html", form=form), 400
        identity.update_preferences(
            db_session(),
            saved_id(user),
            name=form.name.data or "",
            language=form.language.data or None,
            timezone=form.timezone.data or None,
            check_in_digest=form.digest_choice(),
        )
        flash(_("Preferences saved."), "success")
        return redirect(url_for("home.preferences"))
    return render_template("home/preferences.html", form=form)
