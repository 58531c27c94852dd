"""The service-line catalogue, kept by administrators: list, add, rename, retire."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ADMINS
from advocacy.domain.errors import RuleError
from advocacy.http.security import allow
from advocacy.http.validation import apply_errors, rule_message
from advocacy.models import ServiceLine, ServiceLineCreate, ServiceLineUpdate
from advocacy.repository import journey
from advocacy.services.journey import catalogue
from advocacy.web.forms.journey import ServiceLineForm, ServiceLineStatusForm
from advocacy.web.refusals import discard_changes, found_and_allowed

bp = Blueprint("catalogue", __name__)


def _index(form: ServiceLineForm, status: int = 200, errors: Iterable[str] = ()) -> tuple[str, int]:
    return render_template(
        "catalogue/index.html",
        lines=journey.list_service_lines(db_session()),
        form=form,
        errors=list(errors),
    ), status


@bp.get("/service-lines")
@allow(*ADMINS)
def index() -> tuple[str, int]:
    return _index(ServiceLineForm(formdata=None))


@bp.post("/service-lines")
@allow(*ADMINS)
def add() -> Response | tuple[str, int]:
    form = ServiceLineForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    try:
        data = ServiceLineCreate.model_validate(
            {"name": form.name.data or "", "description": form.description.data or ""}
        )
        line = catalogue.create_service_line(db_session(), data, now=utcnow())
    except ValidationError as error:
        return _index(form, 422, apply_errors(form, error))
    except RuleError as error:
        discard_changes()
        form.name.errors = [*form.name.errors, rule_message(error)]
        return _index(form, 422)
    flash(_("Service line %(name)s added.", name=line.name), "success")
    return redirect(url_for("catalogue.index"))


def _edit_page(
    line: ServiceLine, form: ServiceLineForm, status: int = 200, errors: Iterable[str] = ()
) -> tuple[str, int]:
    return render_template(
        "catalogue/edit.html",
        line=line,
        form=form,
        status_form=ServiceLineStatusForm(formdata=None),
        errors=list(errors),
    ), status


@bp.route("/service-lines/<id:line_id>", methods=["GET", "POST"])
@allow(*ADMINS)
@found_and_allowed
def edit(line_id: int) -> Response | tuple[str, int]:
    line = journey.get_service_line(db_session(), line_id)
    if request.method == "GET":
        return _edit_page(line, ServiceLineForm(obj=line))
    form = ServiceLineForm()
    if not form.validate_on_submit():
        return _edit_page(line, form, 400)
    try:
        data = ServiceLineUpdate.model_validate(
            {"name": form.name.data or "", "description": form.description.data or ""}
        )
        catalogue.update_service_line(db_session(), line_id, data)
    except ValidationError as error:
        return _edit_page(line, form, 422, apply_errors(form, error))
    except RuleError as error:
        discard_changes()
        form.name.errors = [*form.name.errors, rule_message(error)]
        return _edit_page(line, form, 422)
    flash(_("Service line saved."), "success")
    return redirect(url_for("catalogue.index"))


@bp.post("/service-lines/<id:line_id>/status")
@allow(*ADMINS)
@found_and_allowed
def set_status(line_id: int) -> Response:
    journey.get_service_line(db_session(), line_id)
    form = ServiceLineStatusForm()
    if not form.validate_on_submit() or form.active.data not in {"0", "1"}:
        abort(400)
    line = catalogue.update_service_line(
        db_session(), line_id, ServiceLineUpdate(active=form.active.data == "1")
    )
    if line.active:
        flash(_("%(name)s is offered again.", name=line.name), "success")
    else:
        flash(_("%(name)s is retired: past engagements keep it.", name=line.name), "success")
    return redirect(url_for("catalogue.index"))
