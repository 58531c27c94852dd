"""The accounts list, and the forms to create and edit an account."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS, may_own_accounts
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.http.security import allow, require_user, signed_in
from advocacy.http.validation import apply_errors
from advocacy.models import Account, AccountCreate, AccountUpdate
from advocacy.repository.journey import get_account, list_service_lines
from advocacy.repository.read_models import accounts
from advocacy.services.journey.accounts import check_may_edit, create_account, update_account
from advocacy.web.forms.journey import AccountForm, account_filter
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("accounts", __name__)


@bp.get("/accounts")
@signed_in
def index() -> str:
    session = db_session()
    wanted = account_filter(request.args)
    found = accounts.list_accounts(session, wanted)
    # Links keep every filter but the one they change.
    current = {k: v for k, v in request.args.items() if k in _FILTER_ARGS and v}
    return render_template(
        "accounts/index.html",
        found=found,
        wanted=wanted,
        current=current,
        others={k: v for k, v in current.items() if k != "stage"},
        owners=accounts.possible_owners(session),
        industries=accounts.industries(session),
        service_lines=list_service_lines(session),
        may_create=may_own_accounts(Role(require_user().role)),
    )


_FILTER_ARGS = ("stage", "owner", "industry", "service_line", "camp", "q", "sort")


def _owner_choices(form: AccountForm) -> None:
    form.owner_id.choices = [SelectChoice("", _("Nobody yet"))] + [
        SelectChoice(str(user.id), accounts.user_label(user))
        for user in accounts.possible_owners(db_session())
    ]


def _render_form(
    form: AccountForm, account: Account | None, status: int = 200, errors: Iterable[str] = ()
) -> tuple[str, int]:
    return render_template(
        "accounts/form.html", form=form, account=account, errors=list(errors)
    ), status


@bp.route("/accounts/new", methods=["GET", "POST"])
@allow(*ACCOUNT_WORKERS)
def new() -> Response | tuple[str, int]:
    user = require_user()
    form = AccountForm(data=None if request.method == "POST" else {"owner_id": str(user.id)})
    _owner_choices(form)
    if request.method == "GET":
        return _render_form(form, None)
    if not form.validate_on_submit():
        return _render_form(form, None, 400)
    try:
        data = AccountCreate.model_validate(form.payload(creating=True))
        account = create_account(db_session(), data, by=user, now=utcnow())
    except ValidationError as error:
        return _render_form(form, None, 422, apply_errors(form, error))
    except RuleError as error:
        return _render_form(form, None, 422, [refusal(error)])
    flash(_("Account %(name)s created.", name=account.name), "success")
    return redirect(url_for("journey.show", account_id=account.id))


@bp.route("/accounts/<id:account_id>/edit", methods=["GET", "POST"])
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def edit(account_id: int) -> Response | tuple[str, int]:
    user = require_user()
    session = db_session()
    account = get_account(session, account_id)
    check_may_edit(session, account, user)
    form = AccountForm(obj=None if request.method == "POST" else account)
    del form.owner_id, form.stage  # the owner and the stage change through their own actions
    if request.method == "GET":
        return _render_form(form, account)
    if not form.validate_on_submit():
        return _render_form(form, account, 400)
    try:
        data = AccountUpdate.model_validate(form.payload(creating=False))
        update_account(session, account_id, data, by=user, now=utcnow())
    except ValidationError as error:
        return _render_form(form, account, 422, apply_errors(form, error))
    except RuleError as error:
        message = refusal(error)
        return _render_form(form, account, 422, [message])
    flash(_("Account saved."), "success")
    return redirect(url_for("journey.show", account_id=account_id))
