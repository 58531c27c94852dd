"""The signed-in home page and the user's own preferences."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy.db import db_session
from advocacy.services import identity
from advocacy.web.forms import PreferencesForm
from advocacy.web.security import require_user, signed_in

bp = Blueprint("home", __name__)


@bp.get("/")
@signed_in
def index() -> str:
    return render_template("home/index.html", user=require_user())


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
