"""The content library's pages: the list with its filters, and the forms marketing uses to add,
change, archive and restore items. Account managers read the list (they offer items in their
check-ins); marketing and administrators keep it."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import MARKETERS, STAFF, may_manage_content
from advocacy.domain.content import ContentKind, ContentLanguage, industry_key
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.domain.journey import Stage
from advocacy.http.security import allow, require_user
from advocacy.http.validation import apply_errors
from advocacy.models import ContentItem, ContentItemCreate, ContentItemUpdate
from advocacy.repository import content
from advocacy.repository.journey import list_service_lines
from advocacy.services.content import items
from advocacy.web.forms.common import ActionForm
from advocacy.web.forms.content import FILTER_ARGS, ContentForm, content_filter
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("content", __name__)

PAGE_SIZE = 25


@bp.get("/content")
@allow(*STAFF)
def index() -> tuple[str, int]:
    session = db_session()
    wanted, page, errors = content_filter(request.args)
    found = None if errors else content.list_content(session, wanted, page=page, size=PAGE_SIZE)
    lines = list_service_lines(session)
    return render_template(
        "content/index.html",
        found=found,
        wanted=wanted,
        args=request.args,
        errors=errors,
        current={k: v for k, v in request.args.items() if k in FILTER_ARGS and v},
        service_lines=lines,
        line_names={line.id: line.name for line in lines},
        industries=content.content_industries(session),
        kinds=list(ContentKind),
        languages=list(ContentLanguage),
        stages=list(Stage),
        today=utcnow().date(),
        may_manage=may_manage_content(Role(require_user().role)),
        action_form=ActionForm(),
    ), (400 if errors else 200)


def _fill_choices(form: ContentForm, chosen_industries: Iterable[str] = ()) -> None:
    session = db_session()
    lines = list_service_lines(session)
    chosen_lines = set(form.service_line_ids.data or [])
    form.service_line_ids.choices = [
        SelectChoice(line.id, line.name)
        for line in lines
        if line.active or line.id in chosen_lines  # a retired line stays on items that have it
    ]
    # Every industry the firm knows, and those of the item itself (even if nobody uses them).
    known = {industry_key(name): name for name in content.known_industries(session)}
    for name in chosen_industries:
        known.setdefault(industry_key(name), name)
    form.industries.choices = [
        SelectChoice(name, name) for _key, name in sorted(known.items(), key=lambda kv: kv[0])
    ]


def _render_form(
    form: ContentForm, item: ContentItem | None, status: int = 200, errors: Iterable[str] = ()
) -> tuple[str, int]:
    return render_template("content/form.html", form=form, item=item, errors=list(errors)), status


@bp.route("/content/new", methods=["GET", "POST"])
@allow(*MARKETERS)
def new() -> Response | tuple[str, int]:
    user = require_user()
    form = ContentForm()
    _fill_choices(form, form.industries.data or [])
    if request.method == "GET":
        return _render_form(form, None)
    if not form.validate_on_submit():
        return _render_form(form, None, 400)
    try:
        data = ContentItemCreate.model_validate(form.payload())
        item = items.create_item(db_session(), data, by=user, now=utcnow())
    except ValidationError as error:
        return _render_form(form, None, 422, apply_errors(form, error))
    except RuleError as error:
        return _render_form(form, None, 422, [refusal(error)])
    flash(_("%(title)s added to the content library.", title=item.title), "success")
    return redirect(url_for("content.index"))


@bp.route("/content/<id:item_id>/edit", methods=["GET", "POST"])
@allow(*MARKETERS)
@found_and_allowed
def edit(item_id: int) -> Response | tuple[str, int]:
    user = require_user()
    session = db_session()
    item = content.get_item(session, item_id)
    links = content.links_of(session, [item_id])[item_id]
    if request.method == "GET":
        form = ContentForm(
            obj=item,
            data={
                "service_line_ids": links.service_line_ids,
                "industries": links.industries,
                "stages": links.stages,
            },
        )
        form.valid_from.data = item.valid_from.isoformat() if item.valid_from else ""
        form.valid_until.data = item.valid_until.isoformat() if item.valid_until else ""
        _fill_choices(form, links.industries)
        return _render_form(form, item)
    form = ContentForm()
    _fill_choices(form, [*links.industries, *(form.industries.data or [])])
    if not form.validate_on_submit():
        return _render_form(form, item, 400)
    try:
        data = ContentItemUpdate.model_validate(form.payload())
        items.update_item(session, item_id, data, by=user, now=utcnow())
    except ValidationError as error:
        return _render_form(form, item, 422, apply_errors(form, error))
    except RuleError as error:
        return _render_form(form, item, 422, [refusal(error)])
    flash(_("Content item saved."), "success")
    return redirect(url_for("content.index"))


def _back_to_list() -> Response:
    # Back to the list as it was (its filters), never to another site.
    target = request.form.get("next", "")
    if not target.startswith("/content") or target.startswith("//"):
        target = url_for("content.index")
    return redirect(target)


@bp.post("/content/<id:item_id>/archive")
@allow(*MARKETERS)
@found_and_allowed
def archive(item_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        item = items.archive_item(db_session(), item_id, by=require_user(), now=utcnow())
    except RuleError as error:
        flash(refusal(error), "error")
    else:
        flash(_("%(title)s is archived: it is offered to nobody.", title=item.title), "success")
    return _back_to_list()


@bp.post("/content/<id:item_id>/restore")
@allow(*MARKETERS)
@found_and_allowed
def restore(item_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        item = items.restore_item(db_session(), item_id, by=require_user(), now=utcnow())
    except RuleError as error:
        flash(refusal(error), "error")
    else:
        flash(_("%(title)s is in use again.", title=item.title), "success")
    return _back_to_list()
