"""Staff pages of reference requests: ask for one, see who fits (and who is left out and why), ask
a client by e-mail, and record the call once held. Marketing has no access: these pages name
clients and their moods."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.errors import RuleError
from advocacy.domain.numbers import whole_number
from advocacy.http.security import allow, require_user
from advocacy.models import ReferenceCall, ReferenceRequest
from advocacy.repository import get_row, journey
from advocacy.repository.references import calls_of, list_requests
from advocacy.services.voice import references
from advocacy.web.forms.advocacy import (
    AskReferenceForm,
    CallHeldForm,
    ReferenceRequestForm,
    parse_date,
)
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("references", __name__)

STATUSES = ("open", "fulfilled", "cancelled")


def held_form(call_id: int | None, **options: Any) -> CallHeldForm:
    """One call's form; the prefix keeps element ids apart when a request has several calls."""
    return CallHeldForm(prefix=f"call{call_id}", **options)


def _line_choices(form: ReferenceRequestForm) -> ReferenceRequestForm:
    form.service_line_id.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(str(line.id), line.name)
        for line in journey.list_service_lines(db_session(), active_only=True)
    ]
    return form


@bp.get("/references")
@allow(*ACCOUNT_WORKERS)
def index() -> str:
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    rows = list_requests(db_session(), status=status)
    return render_template("references/index.html", rows=rows, status=status, statuses=STATUSES)


def _new_page(form: ReferenceRequestForm, status: int = 200, **ctx: Any) -> tuple[str, int]:
    return render_template("references/new.html", form=form, errors=ctx.get("errors", [])), status


@bp.get("/references/new")
@allow(*ACCOUNT_WORKERS)
def new() -> tuple[str, int]:
    return _new_page(_line_choices(ReferenceRequestForm(formdata=None)))


@bp.post("/references/new")
@allow(*ACCOUNT_WORKERS)
def create() -> Response | tuple[str, int]:
    form = _line_choices(ReferenceRequestForm())
    if not form.validate_on_submit():
        return _new_page(form, 400)
    need = references.ReferenceNeed(
        prospect_name=form.prospect_name.data or "",
        industry=form.industry.data or "",
        service_line_id=int(form.service_line_id.data) if form.service_line_id.data else None,
        size_band=form.size_band.data or "",
        language=form.language.data or "",
        deadline=parse_date(form.deadline.data),
        notes=form.notes.data or "",
    )
    try:
        created = references.create_reference_request(
            db_session(), need, by=require_user(), now=utcnow()
        )
    except RuleError as error:
        return _new_page(form, 422, errors=[refusal(error)])
    flash(_("Reference request saved: choose whom to ask."), "success")
    return redirect(url_for("references.show", request_id=created.id))


def _page(request_id: int, status: int = 200, **given: Any) -> tuple[str, int]:
    session = db_session()
    found = get_row(session, ReferenceRequest, request_id)
    line = (
        journey.get_service_line(session, found.service_line_id) if found.service_line_id else None
    )
    candidates = references.candidates_for(
        session, current_app.config["ADVOCACY"], request_id, now=utcnow()
    )
    calls = calls_of(session, request_id)
    held_forms = {
        row.call.id: given["held_form"]
        if given.get("held_call_id") == row.call.id
        else held_form(row.call.id, formdata=None)
        for row in calls
    }
    return render_template(
        "references/show.html",
        reference=found,
        service_line=line.name if line else "",
        candidates=candidates,
        calls=calls,
        held_forms=held_forms,
        ask_form=AskReferenceForm(formdata=None),
        errors=given.get("errors", []),
    ), status


@bp.get("/references/<id:request_id>")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def show(request_id: int) -> tuple[str, int]:
    return _page(request_id)


@bp.post("/references/<id:request_id>/ask")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def ask(request_id: int) -> Response | tuple[str, int]:
    get_row(db_session(), ReferenceRequest, request_id)
    form = AskReferenceForm()
    raw = form.contact_id.data or ""
    if not form.validate_on_submit() or whole_number(raw) is None:
        return _page(request_id, 400, errors=[_("Choose someone from the list.")])
    try:
        references.ask_for_reference(
            db_session(),
            current_app.config["ADVOCACY"],
            request_id,
            int(raw),
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _page(request_id, 422, errors=[refusal(error)])
    flash(_("Reference request e-mailed."), "success")
    return redirect(url_for("references.show", request_id=request_id))


@bp.post("/reference-calls/<id:call_id>/held")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def record_held(call_id: int) -> Response | tuple[str, int]:
    call = get_row(db_session(), ReferenceCall, call_id)
    request_id = call.request_id
    form = held_form(call_id)
    if not form.validate_on_submit():
        return _page(request_id, 400, held_form=form, held_call_id=call_id)
    held_on = parse_date(form.held_on.data)
    assert held_on is not None  # the validators required a date
    try:
        references.record_call_held(
            db_session(),
            call_id,
            held_on=held_on,
            outcome=form.outcome.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _page(request_id, 422, held_form=form, held_call_id=call_id, errors=[refusal(error)])
    flash(_("Call recorded on the client's timeline."), "success")
    return redirect(url_for("references.show", request_id=request_id))
