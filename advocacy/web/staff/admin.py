"""Administration of staff users: invite, change role, deactivate, reactivate."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ADMINS
from advocacy.domain.errors import NotFound
from advocacy.domain.identity import IdentityError
from advocacy.http.security import allow, require_user
from advocacy.models import User
from advocacy.models.fields import saved_id
from advocacy.repository import staff
from advocacy.services.access import identity
from advocacy.web.forms.common import ActionForm, InviteForm, RoleForm
from advocacy.web.staff.auth import invitation_token

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    try:
        return staff.get_user(db_session(), user_id)
    except NotFound:
        abort(404)


def _invitation_url(user: User) -> str | None:
    if user.password_hash or not user.active:
        return None
    base = current_app.config["ADVOCACY"].base_url
    return base + url_for("auth.accept_invitation", token=invitation_token(user))


@bp.get("/users")
@allow(*ADMINS)
def users() -> str:
    return render_template(
        "admin/users.html", users=staff.list_users(db_session()), form=InviteForm()
    )


@bp.post("/users")
@allow(*ADMINS)
def invite() -> Response | tuple[str, int]:
    form = InviteForm()
    if not form.validate_on_submit():
        return render_template(
            "admin/users.html", users=staff.list_users(db_session()), form=form
        ), 400
    try:
        user = identity.invite_user(
            db_session(),
            form.email.data,
            form.role.data,
            name=form.name.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except IdentityError as error:
        form.email.errors.append(_(str(error)))
        return render_template(
            "admin/users.html", users=staff.list_users(db_session()), form=form
        ), 422
    flash(_("%(email)s is invited. Send them the link below.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _render_user(
    user: User, role_form: RoleForm | None = None, status: int = 200
) -> tuple[str, int]:
    role_form = role_form or RoleForm(role=user.role)
    return render_template(
        "admin/user.html",
        user=user,
        role_form=role_form,
        action_form=ActionForm(),
        invitation_url=_invitation_url(user),
        identities=staff.identities_of(db_session(), saved_id(user)),
    ), status


@bp.get("/users/<id:user_id>")
@allow(*ADMINS)
def user(user_id: int) -> tuple[str, int]:
    return _render_user(_user_or_404(user_id))


@bp.post("/users/<id:user_id>/role")
@allow(*ADMINS)
def change_role(user_id: int) -> Response | tuple[str, int]:
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_user(user, form, 400)
    try:
        identity.change_role(db_session(), user_id, form.role.data, by=require_user())
    except IdentityError as error:
        form.role.errors.append(_(str(error)))
        return _render_user(user, form, 422)
    flash(_("Role changed."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<id:user_id>/deactivate")
@allow(*ADMINS)
def deactivate(user_id: int) -> Response | tuple[str, int]:
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        identity.deactivate_user(db_session(), user_id, by=require_user(), now=utcnow())
    except IdentityError as error:
        flash(_(str(error)), "error")
        return _render_user(user, None, 422)
    flash(_("%(email)s is deactivated and signed out.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<id:user_id>/reactivate")
@allow(*ADMINS)
def reactivate(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    identity.reactivate_user(db_session(), user_id, by=require_user())
    flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))
