"""Staff pages for testimonials: the list (marketing, admins), the detail page with its workflow
actions, the pictures, and the account's page to ask for one or enter one from an interview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.adapters.images import PictureStore
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain import testimonials as rules
from advocacy.domain.access import (
    ACCOUNT_WORKERS,
    MARKETERS,
    STAFF,
    may_edit_account,
    sees_private_details,
)
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.domain.numbers import whole_number
from advocacy.domain.testimonials import Status
from advocacy.http.security import allow, require_user
from advocacy.repository.journey import get_account, list_service_lines, team_user_ids
from advocacy.repository.read_models import accounts
from advocacy.repository.testimonials import (
    as_permissions,
    get_testimonial,
    list_testimonials,
    testimonial_detail,
    testimonials_of_account,
)
from advocacy.services.voice import asks, testimonials
from advocacy.web.forms.common import ActionForm
from advocacy.web.forms.testimonials import (
    AskForm,
    EditForm,
    InterviewForm,
    TagsForm,
    WithdrawOnBehalfForm,
)
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("testimonials", __name__)


def _settings() -> Any:
    return current_app.config["ADVOCACY"]


@bp.get("/testimonials")
@allow(*MARKETERS)
def index() -> str:
    status = request.args.get("status", "")
    if status not in {s.value for s in Status}:
        status = ""
    return render_template(
        "testimonials/index.html",
        rows=list_testimonials(db_session(), status),
        status=status,
        statuses=list(Status),
    )


def _detail(
    testimonial_id: int, status: int = 200, errors: list[str] | None = None, **given: Any
) -> tuple[str, int]:
    session, user = db_session(), require_user()
    detail = testimonial_detail(session, testimonial_id)
    today = utcnow().date()
    states = as_permissions(detail.permissions)
    tags_form = given.get("tags_form") or TagsForm(
        formdata=None,
        service_line_ids=[str(line.id) for line in detail.service_lines],
        industry=detail.testimonial.industry,
        outcomes=detail.testimonial.outcomes,
    )
    tags_form.service_line_ids.choices = [
        SelectChoice(str(line.id), line.name) for line in list_service_lines(session)
    ]
    return render_template(
        "testimonials/show.html",
        detail=detail,
        testimonial=detail.testimonial,
        permissions=[
            (row, rules.permission_state(state, today))
            for row, state in zip(detail.permissions, states, strict=True)
        ],
        uses_today=testimonials.uses_today(session, detail.testimonial, now=utcnow()),
        users={
            u.id: accounts.user_label(u)
            for u in accounts.users_by_ids(
                session, {c.by_user_id for c in detail.changes if c.by_user_id}
            )
        },
        private=sees_private_details(Role(user.role)),
        marketer=Role(user.role) in MARKETERS,
        action_form=ActionForm(formdata=None),
        edit_form=given.get("edit_form")
        or EditForm(
            formdata=None, body=detail.testimonial.proposed_body or detail.testimonial.body
        ),
        withdraw_form=given.get("withdraw_form") or WithdrawOnBehalfForm(formdata=None),
        tags_form=tags_form,
        diff=rules.diff_html(detail.testimonial.body, detail.testimonial.proposed_body)
        if detail.testimonial.proposed_body
        else "",
        errors=errors or [],
    ), status


@bp.get("/testimonials/<id:testimonial_id>")
@allow(*STAFF)
@found_and_allowed
def show(testimonial_id: int) -> tuple[str, int]:
    return _detail(testimonial_id)


def _back(testimonial_id: int, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("testimonials.show", testimonial_id=testimonial_id))


def _simple_action(testimonial_id: int, action: Any, message: str) -> Response | tuple[str, int]:
    if not ActionForm().validate_on_submit():
        return _detail(
            testimonial_id, 400, [_("This form has expired. Reload the page and try again.")]
        )
    try:
        action(db_session(), testimonial_id, by=require_user(), now=utcnow())
    except RuleError as error:
        return _detail(testimonial_id, 422, [refusal(error)])
    return _back(testimonial_id, message)


@bp.post("/testimonials/<id:testimonial_id>/approve")
@allow(*MARKETERS)
@found_and_allowed
def approve(testimonial_id: int) -> Response | tuple[str, int]:
    return _simple_action(testimonial_id, testimonials.approve, _("Testimonial approved."))


@bp.post("/testimonials/<id:testimonial_id>/publish")
@allow(*MARKETERS)
@found_and_allowed
def publish(testimonial_id: int) -> Response | tuple[str, int]:
    return _simple_action(testimonial_id, testimonials.publish, _("Testimonial published."))


@bp.post("/testimonials/<id:testimonial_id>/withdraw")
@allow(*STAFF)
@found_and_allowed
def withdraw(testimonial_id: int) -> Response | tuple[str, int]:
    form = WithdrawOnBehalfForm()
    if not form.validate_on_submit():
        return _detail(testimonial_id, 400, withdraw_form=form)
    try:
        testimonials.withdraw_on_behalf(
            db_session(), testimonial_id, form.reason.data or "", by=require_user(), now=utcnow()
        )
    except RuleError as error:
        return _detail(testimonial_id, 422, [refusal(error)], withdraw_form=form)
    return _back(testimonial_id, _("Testimonial withdrawn: no use of it is allowed any more."))


@bp.post("/testimonials/<id:testimonial_id>/edit")
@allow(*STAFF)
@found_and_allowed
def edit(testimonial_id: int) -> Response | tuple[str, int]:
    form = EditForm()
    if not form.validate_on_submit():
        return _detail(testimonial_id, 400, edit_form=form)
    try:
        testimonials.propose_edit(
            db_session(),
            _settings(),
            testimonial_id,
            form.body.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _detail(testimonial_id, 422, [refusal(error)], edit_form=form)
    return _back(testimonial_id, _("The change was sent to the client for approval."))


@bp.post("/testimonials/<id:testimonial_id>/tags")
@allow(*STAFF)
@found_and_allowed
def tags(testimonial_id: int) -> Response | tuple[str, int]:
    form = TagsForm()
    form.service_line_ids.choices = [
        SelectChoice(str(line.id), line.name) for line in list_service_lines(db_session())
    ]
    if not form.validate_on_submit():
        return _detail(testimonial_id, 400, tags_form=form)
    try:
        testimonials.set_tags(
            db_session(),
            testimonial_id,
            service_line_ids={int(v) for v in form.service_line_ids.data or []},
            industry=form.industry.data or "",
            outcomes=form.outcomes.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _detail(testimonial_id, 422, [refusal(error)], tags_form=form)
    return _back(testimonial_id, _("Tags saved."))


def _picture(testimonial_id: int, kind: str) -> Response:
    testimonial = get_testimonial(db_session(), testimonial_id)
    name = testimonial.photo_path if kind == "photo" else testimonial.logo_path
    path = PictureStore(Path(_settings().instance_path) / "uploads").path_of(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png" if name.endswith(".png") else "image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/testimonials/<id:testimonial_id>/photo")
@allow(*STAFF)
@found_and_allowed
def photo(testimonial_id: int) -> Response:
    return _picture(testimonial_id, "photo")


@bp.get("/testimonials/<id:testimonial_id>/logo")
@allow(*STAFF)
@found_and_allowed
def logo(testimonial_id: int) -> Response:
    return _picture(testimonial_id, "logo")


def _account_page(
    account_id: int, status: int = 200, errors: list[str] | None = None, **given: Any
) -> tuple[str, int]:
    session, user = db_session(), require_user()
    account = get_account(session, account_id)
    interview_form = given.get("interview_form") or InterviewForm(formdata=None, prefix="interview")
    ask_form = given.get("ask_form") or AskForm(formdata=None, prefix="ask")
    interview_form.contact_id.choices = ask_form.contact_id.choices = _contacts(account_id)
    may_edit = may_edit_account(
        Role(user.role),
        user.id or 0,
        owner_id=account.owner_id,
        team_user_ids=team_user_ids(session, account_id),
    )
    return render_template(
        "testimonials/account.html",
        account=account,
        testimonials=testimonials_of_account(session, account_id),
        may_edit=may_edit,
        refusal=asks.account_verdicts(session, [account_id])[account_id].message,
        interview_form=interview_form,
        ask_form=ask_form,
        errors=errors or [],
    ), status


def _contacts(account_id: int) -> list[SelectChoice]:
    """The people still at the account, as choices."""
    rows = accounts.contacts_at(db_session(), account_id)
    return [SelectChoice(str(r.contact.id), r.name) for r in rows if r.contact.status == "active"]


@bp.get("/accounts/<id:account_id>/testimonials")
@allow(*STAFF)
@found_and_allowed
def of_account(account_id: int) -> tuple[str, int]:
    return _account_page(account_id)


def _contact_id(value: str | None) -> int:
    return whole_number(value) or 0


@bp.post("/accounts/<id:account_id>/testimonials/ask")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def ask(account_id: int) -> Response | tuple[str, int]:
    get_account(db_session(), account_id)
    form = AskForm(prefix="ask")
    form.contact_id.choices = _contacts(account_id)
    if not form.validate_on_submit():
        return _account_page(account_id, 400, ask_form=form)
    try:
        result = testimonials.ask_for_testimonial(
            db_session(),
            _settings(),
            account_id,
            _contact_id(form.contact_id.data),
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _account_page(account_id, 422, [refusal(error)], ask_form=form)
    flash(
        _("The request was e-mailed.")
        if result.created
        else _("This contact was already asked today."),
        "success",
    )
    return redirect(url_for("testimonials.of_account", account_id=account_id))


@bp.post("/accounts/<id:account_id>/testimonials/interview")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def interview(account_id: int) -> Response | tuple[str, int]:
    get_account(db_session(), account_id)
    form = InterviewForm(prefix="interview")
    form.contact_id.choices = _contacts(account_id)
    if not form.validate_on_submit():
        return _account_page(account_id, 400, interview_form=form)
    rating = form.rating.data
    try:
        testimonial = testimonials.record_interview(
            db_session(),
            _settings(),
            account_id,
            testimonials.Interview(
                contact_id=_contact_id(form.contact_id.data),
                body=form.body.data or "",
                rating=whole_number(rating, max_digits=2),
                display_title=" ".join((form.display_title.data or "").split()),
            ),
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        return _account_page(account_id, 422, [refusal(error)], interview_form=form)
    return _back(testimonial.id or 0, _("Saved: the client was e-mailed a link to approve it."))
