"""Forms to record and update an account's engagements."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.errors import RuleError
from advocacy.http.security import allow, require_user
from advocacy.http.validation import apply_errors
from advocacy.models import Account, EngagementCreate, EngagementUpdate
from advocacy.repository.journey import (
    contact_ids_of,
    get_account,
    get_engagement,
    service_line_ids_of,
)
from advocacy.repository.read_models import accounts
from advocacy.services.journey import engagements
from advocacy.services.journey.accounts import check_may_edit
from advocacy.web.forms.journey import EngagementForm
from advocacy.web.refusals import discard_changes, found_and_allowed, refusal

bp = Blueprint("engagements", __name__)


def _choices(form: EngagementForm, account_id: int, keep: Iterable[int] = ()) -> None:
    """Active service lines (and retired ones already on the engagement), and the account's people."""
    lines, contacts = accounts.engagement_choices(db_session(), account_id)
    kept = set(keep)
    form.service_line_ids.choices = [
        SelectChoice(str(line.id), line.name) for line in lines if line.active or line.id in kept
    ]
    form.contact_ids.choices = [SelectChoice(str(row.contact.id), row.name) for row in contacts]


def _render(
    form: EngagementForm,
    account: Account,
    engagement_id: int | None,
    status: int = 200,
    errors: Iterable[str] = (),
) -> tuple[str, int]:
    return render_template(
        "engagements/form.html",
        form=form,
        account=account,
        engagement_id=engagement_id,
        errors=list(errors),
    ), status


@bp.route("/accounts/<id:account_id>/engagements/new", methods=["GET", "POST"])
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def new(account_id: int) -> Response | tuple[str, int]:
    session = db_session()
    user = require_user()
    account = get_account(session, account_id)
    check_may_edit(session, account, user)
    form = EngagementForm()
    _choices(form, account_id)
    if request.method == "GET":
        return _render(form, account, None)
    if not form.validate_on_submit():
        return _render(form, account, None, 400)
    try:
        data = EngagementCreate.model_validate(form.payload())
        engagements.record_engagement(session, account_id, data, by=user, now=utcnow())
    except ValidationError as error:
        return _render(form, account, None, 422, apply_errors(form, error))
    except RuleError as error:
        message = refusal(error)
        return _render(form, account, None, 422, [message])
    flash(_("Engagement recorded."), "success")
    return redirect(url_for("journey.show", account_id=account_id, _anchor="engagements"))


@bp.route("/engagements/<id:engagement_id>/edit", methods=["GET", "POST"])
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def edit(engagement_id: int) -> Response | tuple[str, int]:
    session = db_session()
    user = require_user()
    engagement = get_engagement(session, engagement_id)
    account = get_account(session, engagement.account_id)
    check_may_edit(session, account, user)
    current_lines = service_line_ids_of(session, engagement_id)
    if request.method == "GET":
        form = EngagementForm(
            obj=engagement,
            data={
                "value": "" if engagement.value is None else str(engagement.value),
                "service_line_ids": current_lines,
                "contact_ids": contact_ids_of(session, engagement_id),
            },
        )
        form.value.data = "" if engagement.value is None else str(engagement.value)
        _choices(form, account.id or 0, current_lines)
        return _render(form, account, engagement_id)
    form = EngagementForm()
    _choices(form, account.id or 0, current_lines)
    if not form.validate_on_submit():
        return _render(form, account, engagement_id, 400)
    try:
        data = EngagementUpdate.model_validate(form.payload())
        engagements.update_engagement(session, engagement_id, data, by=user, now=utcnow())
    except ValidationError as error:
        discard_changes()
        return _render(form, account, engagement_id, 422, apply_errors(form, error))
    except RuleError as error:
        message = refusal(error)
        return _render(form, account, engagement_id, 422, [message])
    flash(_("Engagement saved."), "success")
    return redirect(url_for("journey.show", account_id=account.id, _anchor="engagements"))
