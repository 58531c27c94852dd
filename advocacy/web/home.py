"""The signed-in home page and the user's own preferences."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy import repository_contacts
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.services import identity, signals
from advocacy.web.forms import ActionForm, PreferencesForm
from advocacy.web.refusals import found_and_allowed
from advocacy.web.security import allow, require_user, signed_in

bp = Blueprint("home", __name__)


@bp.get("/")
@signed_in
def index() -> str:
    user = require_user()
    # Journey signals go to whoever owns the account: account managers, and admins who own some.
    found = (
        repository_contacts.open_signals_for(db_session(), user.id)
        if user.role != "marketing"
        else []
    )
    return render_template("home/index.html", user=user, signals=found)


@bp.post("/signals/<id:signal_id>/done")
@allow("admin", "account_manager")
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
    )
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("home/preferences.html", form=form), 400
        identity.update_preferences(
            db_session(),
            user.id,
            name=form.name.data or "",
            language=form.language.data or None,
            timezone=form.timezone.data or None,
        )
        flash(_("Preferences saved."), "success")
        return redirect(url_for("home.preferences"))
    return render_template("home/preferences.html", form=form)
