"""The account's team: colleagues who may edit the account besides its owner."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.errors import RuleError
from advocacy.http.security import allow, require_user
from advocacy.services.journey import ownership
from advocacy.web.forms.journey import TeamForm
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("team", __name__)


def _member_id(form: TeamForm) -> int:
    try:
        member_id = int(form.user_id.data or "")
    except ValueError:
        abort(400)
    if not 0 < member_id < 2**31:
        abort(400)
    return member_id


def _back(account_id: int) -> Response:
    return redirect(url_for("journey.show", account_id=account_id, _anchor="journey"))


@bp.post("/accounts/<id:account_id>/team")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def add(account_id: int) -> Response:
    form = TeamForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ownership.add_team_member(db_session(), account_id, _member_id(form), by=require_user())
    except RuleError as error:
        message = refusal(error)
        flash(message, "error")
        return _back(account_id)
    flash(_("Team member added."), "success")
    return _back(account_id)


@bp.post("/accounts/<id:account_id>/team/remove")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def remove(account_id: int) -> Response:
    form = TeamForm(request.form)
    if not form.validate_on_submit():
        abort(400)
    ownership.remove_team_member(db_session(), account_id, _member_id(form), by=require_user())
    flash(_("Team member removed."), "success")
    return _back(account_id)
