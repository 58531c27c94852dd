"""Staff pages of the referral pipeline, and the account page's "ask for an introduction" panel."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS, may_work_on_referral
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.domain.numbers import whole_number
from advocacy.domain.people import ContactStatus
from advocacy.domain.referrals import ReferralStatus
from advocacy.http.security import allow, require_user
from advocacy.repository.read_models import accounts
from advocacy.repository.referrals import list_referrals, referral_page, referrals_for_prospect
from advocacy.services.voice import asks, referrals
from advocacy.web.forms.advocacy import (
    AskIntroductionForm,
    ReferralOwnerForm,
    ReferralStatusForm,
    ThankYouForm,
    install_advocacy_label,
)
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("referrals", __name__)
install_advocacy_label(bp)


def _owner_choices(form: ReferralOwnerForm) -> ReferralOwnerForm:
    form.owner_id.choices = [
        SelectChoice(str(user.id), accounts.user_label(user))
        for user in accounts.possible_owners(db_session())
    ]
    return form


def _ask_choices(form: AskIntroductionForm, account_id: int) -> AskIntroductionForm:
    form.contact_id.choices = [
        SelectChoice(str(row.contact.id), row.name)
        for row in accounts.contacts_at(db_session(), account_id)
        if row.contact.status == ContactStatus.ACTIVE and row.contact.email
    ]
    return form


@bp.app_context_processor
def _account_panel() -> dict[str, Any]:
    def referral_panel(account: Any) -> dict[str, Any]:
        """What the account page's referral panel shows: who referred it, and the ask form."""
        return {
            "referred_by": referrals_for_prospect(db_session(), account.id),
            "refusal": asks.account_verdicts(db_session(), [account.id])[account.id].message,
            "ask_form": _ask_choices(AskIntroductionForm(formdata=None), account.id),
        }

    return {"referral_panel": referral_panel}


@bp.get("/referrals")
@allow(*ACCOUNT_WORKERS)
def index() -> str:
    user = require_user()
    status = request.args.get("status", "")
    if status not in {s.value for s in ReferralStatus}:
        status = ""
    owner = request.args.get("owner", "")
    owner_id = user.id if owner == "mine" else whole_number(owner)
    rows = list_referrals(db_session(), status=status, owner_id=owner_id)
    return render_template(
        "referrals/index.html",
        rows=rows,
        status=status,
        owner=owner if owner_id is not None else "",
        owners=accounts.possible_owners(db_session()),
        statuses=list(ReferralStatus),
    )


def _page(referral_id: int, status: int = 200, **given: Any) -> tuple[str, int]:
    user = require_user()
    assert user.id is not None
    found = referral_page(db_session(), referral_id)
    referral = found.row.referral
    forms: dict[str, Any] = {
        "status_form": ReferralStatusForm(formdata=None),
        "owner_form": ReferralOwnerForm(formdata=None, owner_id=str(referral.owner_id or "")),
        "thanks_form": ThankYouForm(formdata=None, note=referral.thank_you_note),
    }
    forms.update({name: form for name, form in given.items() if name.endswith("_form")})
    _owner_choices(forms["owner_form"])
    return render_template(
        "referrals/show.html",
        found=found,
        row=found.row,
        referral=referral,
        may_work=may_work_on_referral(Role(user.role), user.id, owner_id=referral.owner_id),
        errors=given.get("errors", []),
        **forms,
    ), status


def _back(referral_id: int) -> Response:
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.get("/referrals/<id:referral_id>")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def show(referral_id: int) -> tuple[str, int]:
    return _page(referral_id)


@bp.post("/referrals/<id:referral_id>/status")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def change_status(referral_id: int) -> Response | tuple[str, int]:
    form = ReferralStatusForm()
    if not form.validate_on_submit():
        return _page(referral_id, 400, status_form=form)
    try:
        referrals.change_referral_status(
            db_session(),
            referral_id,
            ReferralStatus(form.status.data),
            lost_reason=form.lost_reason.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _page(referral_id, 422, status_form=form, errors=[refusal(error)])
    flash(_("Referral status changed."), "success")
    return _back(referral_id)


@bp.post("/referrals/<id:referral_id>/owner")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def reassign(referral_id: int) -> Response | tuple[str, int]:
    form = _owner_choices(ReferralOwnerForm())
    if not form.validate_on_submit():
        return _page(referral_id, 400, owner_form=form)
    try:
        referrals.reassign_referral(
            db_session(), referral_id, int(form.owner_id.data), by=require_user(), now=utcnow()
        )
    except RuleError as error:
        return _page(referral_id, 422, owner_form=form, errors=[refusal(error)])
    flash(_("Referral handed over."), "success")
    return _back(referral_id)


@bp.post("/referrals/<id:referral_id>/thanks")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def thank(referral_id: int) -> Response | tuple[str, int]:
    form = ThankYouForm()
    if not form.validate_on_submit():
        return _page(referral_id, 400, thanks_form=form)
    try:
        result = referrals.log_thank_you(
            db_session(),
            current_app.config["ADVOCACY"],
            referral_id,
            note=form.note.data or "",
            send_email=bool(form.send_email.data),
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _page(referral_id, 422, thanks_form=form, errors=[refusal(error)])
    if result is not None and not result.queued:
        flash(_("Thank-you logged, but the e-mail could not be sent to this address."), "error")
    else:
        flash(_("Thank-you logged."), "success")
    return _back(referral_id)


@bp.post("/accounts/<id:account_id>/ask-introduction")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def ask_introduction(account_id: int) -> Response:
    form = _ask_choices(AskIntroductionForm(), account_id)
    back = redirect(url_for("journey.show", account_id=account_id, _anchor="referrals"))
    if not form.validate_on_submit():
        flash(_("Choose whom to ask."), "error")
        return back
    try:
        referrals.ask_for_introduction(
            db_session(),
            current_app.config["ADVOCACY"],
            account_id,
            int(form.contact_id.data),
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        flash(refusal(error), "error")
        return back
    flash(_("Introduction request sent."), "success")
    return back
