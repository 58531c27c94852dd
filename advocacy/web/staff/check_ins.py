"""The check-in page and its actions (complete, snooze, reassign, skip), and the team's rhythm."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS, ADMINS, may_edit_account
from advocacy.domain.cadence import CheckInOutcome, CheckInStatus
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.domain.people import ContactStatus
from advocacy.domain.touchpoints import Channel
from advocacy.http.security import allow, require_user
from advocacy.models import CheckIn
from advocacy.repository import get_row
from advocacy.repository.journey import get_account
from advocacy.repository.read_models import accounts
from advocacy.repository.read_models.my_week import check_in_page
from advocacy.services.check_ins import my_week, work
from advocacy.services.check_ins.work import Completion
from advocacy.services.journey.accounts import check_may_edit
from advocacy.web.forms import check_ins
from advocacy.web.forms.check_ins import (
    CompleteForm,
    ReassignForm,
    SkipForm,
    SnoozeForm,
    team_period,
)
from advocacy.web.refusals import found_and_allowed, refusal, viewer_timezone

bp = Blueprint("check_ins", __name__)
check_ins.install(bp)


def contact_choices(form: CompleteForm, account_id: int) -> CompleteForm:
    """The account's active contacts; the empty choice keeps the person the check-in suggests."""
    form.contact_id.choices = [SelectChoice("", _("The suggested contact"))] + [
        SelectChoice(str(row.contact.id), row.name)
        for row in accounts.contacts_at(db_session(), account_id)
        if row.contact.status == ContactStatus.ACTIVE
    ]
    return form


def _owner_choices(form: ReassignForm) -> ReassignForm:
    form.user_id.choices = [
        SelectChoice(str(user.id), accounts.user_label(user))
        for user in accounts.possible_owners(db_session())
    ]
    return form


def _page(check_in_id: int, status: int = 200, **given: Any) -> tuple[str, int]:
    """Draw the check-in page; `given` holds a form sent back with its errors."""
    user = require_user()
    assert user.id is not None
    found = check_in_page(db_session(), check_in_id)
    check_in = found.row.check_in
    forms: dict[str, Any] = {
        "complete_form": CompleteForm(formdata=None),
        "snooze_form": SnoozeForm(formdata=None),
        "reassign_form": ReassignForm(formdata=None, user_id=str(check_in.owner_id or "")),
        "skip_form": SkipForm(formdata=None),
    }
    forms.update({name: form for name, form in given.items() if name.endswith("_form")})
    contact_choices(forms["complete_form"], check_in.account_id)
    _owner_choices(forms["reassign_form"])
    return render_template(
        "check_ins/show.html",
        found=found,
        row=found.row,
        check_in=check_in,
        account=found.account,
        is_open=check_in.status == CheckInStatus.OPEN.value,
        may_edit=may_edit_account(
            Role(user.role),
            user.id,
            owner_id=found.account.owner_id,
            team_user_ids=found.team_user_ids,
        ),
        errors=given.get("errors", []),
        **forms,
    ), status


def _editable(check_in_id: int) -> int:
    """Refuse (403) before reading the form when the user may not change the check-in's account;
    return the account's id."""
    session = db_session()
    check_in = get_row(session, CheckIn, check_in_id)
    account = get_account(session, check_in.account_id)
    check_may_edit(session, account, require_user())
    return check_in.account_id


def _refused(check_in_id: int, error: RuleError, **forms: Any) -> tuple[str, int]:
    return _page(check_in_id, 422, errors=[refusal(error)], **forms)


def _my_week() -> Response:
    return redirect(url_for("home.index"))


@bp.get("/check-ins/<id:check_in_id>")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def show(check_in_id: int) -> tuple[str, int]:
    return _page(check_in_id)


@bp.post("/check-ins/<id:check_in_id>/complete")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def complete(check_in_id: int) -> Response | tuple[str, int]:
    account_id = _editable(check_in_id)
    form = contact_choices(CompleteForm(), account_id)
    if not form.validate_on_submit():
        return _page(check_in_id, 400, complete_form=form)
    done = Completion(
        outcome=CheckInOutcome(form.outcome.data),
        channel=Channel(form.channel.data),
        notes=form.notes.data or "",
        next_step=form.next_step.data or "",
        contact_id=form.contact(),
        next_on=form.next_on_date(),
    )
    try:
        work.complete_check_in(db_session(), check_in_id, done, by=require_user(), now=utcnow())
    except RuleError as error:
        return _refused(check_in_id, error, complete_form=form)
    flash(_("Check-in done: the conversation is on the account's timeline."), "success")
    return _my_week()


@bp.post("/check-ins/<id:check_in_id>/snooze")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def snooze(check_in_id: int) -> Response | tuple[str, int]:
    _editable(check_in_id)
    form = SnoozeForm()
    if not form.validate_on_submit():
        return _page(check_in_id, 400, snooze_form=form)
    try:
        work.snooze_check_in(
            db_session(), check_in_id, form.until_date(), by=require_user(), now=utcnow()
        )
    except RuleError as error:
        return _refused(check_in_id, error, snooze_form=form)
    flash(_("Check-in snoozed."), "success")
    return redirect(url_for("check_ins.show", check_in_id=check_in_id))


@bp.post("/check-ins/<id:check_in_id>/reassign")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def reassign(check_in_id: int) -> Response | tuple[str, int]:
    _editable(check_in_id)
    form = _owner_choices(ReassignForm())
    if not form.validate_on_submit():
        return _page(check_in_id, 400, reassign_form=form)
    try:
        work.reassign_check_in(
            db_session(), check_in_id, int(form.user_id.data), by=require_user(), now=utcnow()
        )
    except RuleError as error:
        return _refused(check_in_id, error, reassign_form=form)
    flash(_("Check-in handed over."), "success")
    return redirect(url_for("check_ins.show", check_in_id=check_in_id))


@bp.post("/check-ins/<id:check_in_id>/skip")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def skip(check_in_id: int) -> Response | tuple[str, int]:
    _editable(check_in_id)
    form = SkipForm()
    if not form.validate_on_submit():
        return _page(check_in_id, 400, skip_form=form)
    try:
        work.skip_check_in(
            db_session(), check_in_id, form.reason.data or "", by=require_user(), now=utcnow()
        )
    except RuleError as error:
        return _refused(check_in_id, error, skip_form=form)
    flash(_("Check-in skipped."), "success")
    return _my_week()


@bp.get("/check-ins/team")
@allow(*ADMINS)
def team() -> str:
    days = team_period(request.args.get("days"))
    found = my_week.team_discipline(db_session(), days=days, now=utcnow(), tz=viewer_timezone())
    return render_template(
        "check_ins/team.html", team=found, days=days, periods=my_week.TEAM_PERIODS
    )
