"""The account page, which is the account's journey map, and the actions taken from it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import (
    ACCOUNT_WORKERS,
    may_edit_account,
    may_join_team,
    may_reassign_owner,
    sees_private_details,
)
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.domain.journey import ALLOWED, Camp, Stage
from advocacy.domain.people import ContactStatus
from advocacy.http.security import allow, require_user, signed_in
from advocacy.http.validation import apply_errors
from advocacy.models import TouchpointCreate
from advocacy.repository.journey import get_account
from advocacy.repository.read_models import my_week, typecasting
from advocacy.repository.read_models.accounts import (
    ContactRow,
    contacts_at,
    journey_map,
    names_of_people,
    possible_owners,
    user_label,
    users_by_ids,
)
from advocacy.services.check_ins import work
from advocacy.services.journey import accounts, journey_picture, ownership, touchpoints
from advocacy.web import labels
from advocacy.web.forms.check_ins import CadenceForm
from advocacy.web.forms.journey import (
    CampForm,
    DoNotAskForm,
    OwnerForm,
    StageForm,
    TeamForm,
    TouchpointForm,
    page_arg,
    touchpoint_filter,
)
from advocacy.web.refusals import found_and_allowed, refusal, viewer_timezone

bp = Blueprint("journey", __name__)
labels.install(bp)


def _contact_choices(form: TouchpointForm, contacts: list[ContactRow]) -> None:
    form.contact_id.choices = [SelectChoice("", _("Nobody in particular"))] + [
        SelectChoice(str(row.contact.id), row.name)
        for row in contacts
        if row.contact.status == ContactStatus.ACTIVE
    ]


def _owner_choices(form: OwnerForm) -> None:
    form.new_owner_id.choices = [SelectChoice("", _("Nobody"))] + [
        SelectChoice(str(user.id), user_label(user)) for user in possible_owners(db_session())
    ]


def _page(account_id: int, status: int = 200, **given: Any) -> tuple[str, int]:
    """Draw the journey map; `given` holds forms sent back with their errors."""
    user = require_user()
    assert user.id is not None
    initiative, kind = touchpoint_filter(request.args)
    found = journey_map(
        db_session(),
        account_id,
        initiative=initiative,
        kind=kind,
        touchpoint_page=page_arg(request.args),
    )
    account = found.account
    role = Role(user.role)
    stage = Stage(account.stage)
    next_stages = sorted(ALLOWED[stage], key=list(Stage).index)
    forms: dict[str, Any] = {
        "touchpoint_form": TouchpointForm(formdata=None),
        "stage_form": StageForm(
            formdata=None, stage=next_stages[0] if next_stages else account.stage
        ),
        "camp_form": CampForm(formdata=None, camp=account.camp),
        "owner_form": OwnerForm(formdata=None, new_owner_id=str(account.owner_id or "")),
        "do_not_ask_form": DoNotAskForm(formdata=None),
        "cadence_form": CadenceForm(
            formdata=None,
            every_days=str(account.check_in_every_days or ""),
            paused_until=(
                account.check_ins_paused_until.isoformat() if account.check_ins_paused_until else ""
            ),
        ),
    }
    forms.update({name: form for name, form in given.items() if name.endswith("_form")})
    _contact_choices(forms["touchpoint_form"], found.contacts)
    _owner_choices(forms["owner_form"])
    team = users_by_ids(db_session(), found.team_user_ids)
    open_check_in, closed_check_ins = my_week.check_ins_of_account(db_session(), account_id)
    team_form = TeamForm(formdata=None)
    team_form.user_id.choices = [
        SelectChoice(str(candidate.id), user_label(candidate))
        for candidate in possible_owners(db_session())
        if may_join_team(Role(candidate.role), active=candidate.active)
        and candidate.id != account.owner_id
        and candidate.id not in found.team_user_ids
    ]
    zone = viewer_timezone()
    picture = journey_picture.account_journey_picture(
        db_session(), found, today=utcnow().astimezone(zone).date(), tz=zone
    )
    awareness = typecasting.account_awareness(
        db_session(),
        account_id,
        threshold=current_app.config["ADVOCACY"].typecasting_relevance_threshold,
    )
    return render_template(
        "journey/show.html",
        map=found,
        picture=picture,
        account=account,
        awareness=awareness,
        may_edit=may_edit_account(
            role, user.id, owner_id=account.owner_id, team_user_ids=found.team_user_ids
        ),
        may_hand_over=may_reassign_owner(role, user.id, owner_id=account.owner_id),
        private=sees_private_details(role),
        next_stages=next_stages,
        initiative=initiative,
        kind=kind,
        errors=given.get("errors", {}),
        team=team,
        team_form=team_form,
        open_check_in=open_check_in,
        closed_check_ins=closed_check_ins,
        removable=touchpoints.removable_ids(
            db_session(), [row.touchpoint for row in found.touchpoints], by=user
        ),
        **forms,
    ), status


def _editable(account_id: int) -> None:
    """Refuse (403) before reading the form when the user may not change the account."""
    session = db_session()
    accounts.check_may_edit(session, get_account(session, account_id), require_user())


def _back(account_id: int, anchor: str) -> Response:
    return redirect(url_for("journey.show", account_id=account_id, _anchor=anchor))


@bp.get("/accounts/<id:account_id>")
@signed_in
@found_and_allowed
def show(account_id: int) -> tuple[str, int]:
    return _page(account_id)


@bp.post("/accounts/<id:account_id>/touchpoints")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def log_touchpoint(account_id: int) -> Response | tuple[str, int]:
    _editable(account_id)
    session = db_session()
    form = TouchpointForm()
    _contact_choices(form, contacts_at(session, account_id))
    if not form.validate_on_submit():
        return _page(account_id, 400, touchpoint_form=form)
    now = utcnow()
    try:
        data = TouchpointCreate.model_validate(form.payload(now=now, tz=viewer_timezone()))
        touchpoints.log_touchpoint(session, account_id, data, by=require_user(), now=now)
    except ValidationError as error:
        leftovers = apply_errors(form, error)
        return _page(account_id, 422, touchpoint_form=form, errors={"touchpoint": leftovers})
    except RuleError as error:
        message = refusal(error)
        errors = {"touchpoint": [message]}
        return _page(account_id, 422, touchpoint_form=form, errors=errors)
    flash(_("Touchpoint logged."), "success")
    return _back(account_id, "touchpoints")


@bp.get("/accounts/<id:account_id>/touchpoints/<id:touchpoint_id>/remove")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def confirm_removal(account_id: int, touchpoint_id: int) -> str:
    """Ask before a touchpoint leaves the timeline, or say why it cannot."""
    _editable(account_id)
    session = db_session()
    touchpoint = touchpoints.touchpoint_to_remove(session, account_id, touchpoint_id)
    names = names_of_people(session, {touchpoint.contact_id} if touchpoint.contact_id else set())
    return render_template(
        "journey/remove_touchpoint.html",
        account=get_account(session, account_id),
        touchpoint=touchpoint,
        contact_name=names.get(touchpoint.contact_id or 0, ""),
        refused=touchpoints.removal_refused(session, touchpoint, by=require_user()),
    )


@bp.post("/accounts/<id:account_id>/touchpoints/<id:touchpoint_id>/remove")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def remove_touchpoint(account_id: int, touchpoint_id: int) -> Response:
    try:
        touchpoints.remove_touchpoint(db_session(), account_id, touchpoint_id, by=require_user())
    except RuleError as error:
        refusal(error)  # nothing kept; the confirmation page says why, once, in place of the button
        return redirect(
            url_for("journey.confirm_removal", account_id=account_id, touchpoint_id=touchpoint_id)
        )
    flash(_("Touchpoint removed."), "success")
    return _back(account_id, "touchpoints")


@bp.post("/accounts/<id:account_id>/stage")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def move_stage(account_id: int) -> Response | tuple[str, int]:
    _editable(account_id)
    form = StageForm()
    if not form.validate_on_submit():
        return _page(account_id, 400, stage_form=form)
    try:
        accounts.move_account_to_stage(
            db_session(),
            account_id,
            Stage(form.stage.data),
            reason=form.reason.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        message = refusal(error)
        form.stage.errors = [*form.stage.errors, message]
        return _page(account_id, 422, stage_form=form)
    flash(_("Stage changed."), "success")
    return _back(account_id, "journey")


@bp.post("/accounts/<id:account_id>/camp")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def set_camp(account_id: int) -> Response | tuple[str, int]:
    _editable(account_id)
    form = CampForm()
    if not form.validate_on_submit():
        return _page(account_id, 400, camp_form=form)
    try:
        accounts.set_former_camp(
            db_session(),
            account_id,
            Camp(form.camp.data),
            reason=form.camp_reason.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        message = refusal(error)
        form.camp_reason.errors = [*form.camp_reason.errors, message]
        return _page(account_id, 422, camp_form=form)
    flash(_("Camp saved."), "success")
    return _back(account_id, "journey")


@bp.post("/accounts/<id:account_id>/do-not-ask")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def set_do_not_ask(account_id: int) -> Response | tuple[str, int]:
    _editable(account_id)
    form = DoNotAskForm()
    if not form.validate_on_submit() or form.do_not_ask.data not in {"0", "1"}:
        return _page(account_id, 400)
    try:
        accounts.set_do_not_ask(
            db_session(),
            account_id,
            form.do_not_ask.data == "1",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        message = refusal(error)
        return _page(account_id, 422, errors={"do_not_ask": [message]})
    flash(_("Advocacy requests setting saved."), "success")
    return _back(account_id, "journey")


@bp.post("/accounts/<id:account_id>/owner")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def hand_over(account_id: int) -> Response | tuple[str, int]:
    _editable(account_id)
    form = OwnerForm()
    _owner_choices(form)
    if not form.validate_on_submit():
        return _page(account_id, 400, owner_form=form)
    owner_id = int(form.new_owner_id.data) if form.new_owner_id.data else None
    try:
        ownership.reassign_owner(
            db_session(), account_id, owner_id, by=require_user(), now=utcnow()
        )
    except RuleError as error:
        message = refusal(error)
        form.new_owner_id.errors = [*form.new_owner_id.errors, message]
        return _page(account_id, 422, owner_form=form)
    flash(_("Owner changed."), "success")
    return _back(account_id, "journey")


@bp.post("/accounts/<id:account_id>/check-in-rhythm")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def set_check_in_rhythm(account_id: int) -> Response | tuple[str, int]:
    _editable(account_id)
    form = CadenceForm()
    if not form.validate_on_submit():
        return _page(account_id, 400, cadence_form=form)
    try:
        work.set_account_cadence(
            db_session(),
            account_id,
            every_days=form.every(),
            paused_until=form.paused(),
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        message = refusal(error)
        return _page(account_id, 422, cadence_form=form, errors={"cadence": [message]})
    flash(_("Check-in rhythm saved."), "success")
    return _back(account_id, "check-ins")
