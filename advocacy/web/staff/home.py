"""The signed-in home page and the user's own preferences."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS, may_own_accounts
from advocacy.domain.identity import Role
from advocacy.http.security import allow, require_user, signed_in
from advocacy.models.fields import saved_id
from advocacy.services.access import identity
from advocacy.services.check_ins import my_week
from advocacy.services.journey import signals
from advocacy.web.forms.check_ins import CompleteForm
from advocacy.web.forms.common import ActionForm, PreferencesForm
from advocacy.web.refusals import found_and_allowed, viewer_timezone

bp = Blueprint("home", __name__)


@bp.get("/")
@signed_in
def index() -> str:
    user = require_user()
    assert user.id is not None
    if not may_own_accounts(Role(user.role)):  # no accounts: no check-ins, no signals
        return render_template("home/index.html", user=user, week=None, forms={})
    # My week: check-ins and journey signals go to whoever owns the account, account managers
    # and admins who own some. "This week" ends on the viewer's Sunday, not the server's.
    today = utcnow().astimezone(viewer_timezone()).date()
    week = my_week.my_week(db_session(), user.id, today=today)
    forms = {
        row.check_in.id: CompleteForm(formdata=None).with_ids(row.check_in.id)
        for row in (*week.overdue, *week.this_week, *week.upcoming)
    }
    return render_template("home/index.html", user=user, week=week, forms=forms)


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
