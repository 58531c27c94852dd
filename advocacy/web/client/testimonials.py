"""Client pages for testimonials under /c/: write one, approve staff's text or the firm's edit,
"manage my contributions" (permissions, withdrawal), a fresh link by e-mail, and logos allowed
for use.

No sign-in: the link is the key. A bad link gets the friendly link_invalid page, a stale form the
client's form_expired page, and what was typed comes back on every refusal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from advocacy.adapters.images import PictureStore
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain import testimonials as rules
from advocacy.domain.errors import RuleError
from advocacy.domain.testimonials import Use
from advocacy.http.extensions import limiter
from advocacy.http.security import public
from advocacy.http.validation import rule_message
from advocacy.repository.testimonials import (
    as_permissions,
    permissions_of,
    testimonial_by_logo,
    testimonials_of_contact,
)
from advocacy.services.voice import testimonial_consent, testimonial_mail, testimonials
from advocacy.services.voice.testimonial_consent import ClientSide, Draft
from advocacy.web.client.pages import client_limits, client_page, form_expired, in_language
from advocacy.web.forms.testimonials import (
    AnswerForm,
    ApprovalForm,
    ManageForm,
    RenewForm,
    TestimonialForm,
    WithdrawForm,
    read_upload,
    wording_shown,
)

bp = Blueprint("testimonial_client", __name__, url_prefix="/c")

# Two pictures of up to 2 MB each and the text: a file just over 2 MB gets a message next to its
# field (and the form back) instead of the bare "too large" the app's 2 MB request limit gives.
UPLOAD_REQUEST_LIMIT = 5 * 1024 * 1024
UPLOAD_ENDPOINTS = frozenset({"testimonial_client.write", "testimonial_client.review"})
# Asking for a new link costs us an e-mail each time: a person needs one or two.
RENEW_LIMIT = "5 per hour"


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # URL value preprocessors run before every before_request hook, so the larger limit is in
    # place when the CSRF check parses the form.
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_REQUEST_LIMIT


def _store() -> PictureStore:
    return PictureStore(Path(current_app.config["ADVOCACY"].instance_path) / "uploads")


def _invalid(status: int = 404) -> Response:
    return client_page("client_mail/link_invalid.html", status)


@bp.errorhandler(CSRFError)
def _stale_form(_error: CSRFError) -> Response:
    token = (request.view_args or {}).get("token")
    endpoint = {
        "testimonial_client.write": "testimonial_client.write",
        "testimonial_client.review": "testimonial_client.review",
    }.get(request.endpoint or "", "testimonial_client.manage")
    reload_url = url_for(endpoint, token=token) if isinstance(token, str) else None
    return form_expired(reload_url)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> Response:
    return client_page("testimonial_client/too_large.html", 413, back_url=request.path)


@bp.errorhandler(RateLimitExceeded)
def _too_many(_error: RateLimitExceeded) -> Response:
    return client_page("testimonial_client/too_many.html", 429)


def _draft(form: TestimonialForm | ApprovalForm, choices: testimonial_consent.Choices) -> Draft:
    return Draft(
        body=(form.body.data or "") if isinstance(form, TestimonialForm) else "",
        rating=form.rating_value(),
        display_name=form.display_name.data or "",
        display_title=form.display_title.data or "",
        display_company=form.display_company.data or "",
        choices=choices,
        photo=read_upload(form.photo),
        logo=read_upload(form.logo),
    )


def _refused(form: Any, draft: Draft | None, error: RuleError | None) -> list[str]:
    """Put each refusal next to its field; what is left goes above the form."""
    db_session().rollback()
    if draft is not None:
        for name, message in draft.errors.items():
            form[name].errors = [*form[name].errors, _(message)]
    if error is None or (draft is not None and draft.errors):
        return []
    return [rule_message(error)]


def _write_page(
    side: ClientSide,
    token: str,
    form: TestimonialForm,
    status: int = 200,
    errors: list[str] | None = None,
) -> Response:
    return client_page(
        "testimonial_client/write.html",
        status,
        language=side.language,
        side=side,
        token=token,
        form=form,
        errors=errors or [],
    )


@bp.route("/testimonial/new/<token>", methods=["GET", "POST"])
@public
@client_limits
def write(token: str) -> Response:
    session, now = db_session(), utcnow()
    side = testimonial_consent.new_link(session, token, now=now)
    if side is None:
        return _invalid()
    with in_language(side.language):
        if request.method == "GET":
            form = TestimonialForm(
                formdata=None,
                display_name=side.name,
                display_title=side.contact.title,
                display_company=side.account.name,
            )
            return _write_page(side, token, form)
        form = TestimonialForm()
        valid = form.validate_on_submit()
        choices = form.choices()
    if form.is_robot:
        return _invalid(400)
    if not valid or choices is None:
        return _write_page(side, token, form, 400)
    draft = _draft(form, choices)
    try:
        testimonial = testimonial_consent.submit_testimonial(
            session, token, draft, store=_store(), now=now
        )
    except RuleError as error:
        with in_language(side.language):
            errors = _refused(form, draft, error)
        return _write_page(side, token, form, 422, errors)
    if testimonial is None:
        return _invalid()
    with in_language(side.language):
        testimonial_mail.queue_thanks(session, current_app.config["ADVOCACY"], testimonial, now=now)
    return client_page("testimonial_client/thanks.html", language=side.language)


def _review_page(
    side: ClientSide,
    testimonial: Any,
    token: str,
    form: Any,
    status: int = 200,
    errors: list[str] | None = None,
) -> Response:
    return client_page(
        "testimonial_client/review.html",
        status,
        language=side.language,
        side=side,
        testimonial=testimonial,
        token=token,
        form=form,
        errors=errors or [],
        diff=rules.diff_html(testimonial.body, testimonial.proposed_body)
        if testimonial.status == "awaiting_reapproval"
        else "",
    )


@bp.route("/testimonial/review/<token>", methods=["GET", "POST"])
@public
@client_limits
def review(token: str) -> Response:
    session, now = db_session(), utcnow()
    found = testimonial_consent.review_link(session, token, now=now)
    if found is None:
        return _invalid()
    side, testimonial = found
    reapproval = testimonial.status == "awaiting_reapproval"
    with in_language(side.language):
        if request.method == "GET":
            form = (
                AnswerForm(formdata=None)
                if reapproval
                else ApprovalForm(
                    formdata=None,
                    rating=str(testimonial.rating or ""),
                    display_name=testimonial.display_name,
                    display_title=testimonial.display_title,
                    display_company=testimonial.display_company,
                )
            )
            return _review_page(side, testimonial, token, form)
        form = AnswerForm() if reapproval else ApprovalForm()
        valid = form.validate_on_submit()
        choices = None if reapproval else form.choices()
    if form.is_robot:
        return _invalid(400)
    if not valid or (not reapproval and choices is None):
        return _review_page(side, testimonial, token, form, 400)
    if reapproval:
        accept = request.form.get("answer") == "accept"
        done = testimonial_consent.answer_edit(session, token, accept=accept, now=now)
        if done is None:
            return _invalid()
        return client_page(
            "testimonial_client/answered.html", language=side.language, accepted=accept
        )
    assert choices is not None
    draft = _draft(form, choices)
    try:
        done = testimonial_consent.approve_interview(session, token, draft, store=_store(), now=now)
    except RuleError as error:
        with in_language(side.language):
            errors = _refused(form, draft, error)
        return _review_page(side, testimonial, token, form, 422, errors)
    if done is None:
        return _invalid()
    with in_language(side.language):
        testimonial_mail.queue_thanks(session, current_app.config["ADVOCACY"], done, now=now)
    return client_page("testimonial_client/thanks.html", language=side.language)


def _manage_forms(session: Any, contributions: list[Any]) -> dict[int, ManageForm]:
    forms = {}
    for testimonial in contributions:
        form = ManageForm(formdata=None, prefix=f"t{testimonial.id}")
        rows = permissions_of(session, testimonial.id)
        form.fill(
            [
                (p.use, p.expires_on)
                for p, state in zip(rows, as_permissions(rows), strict=True)
                if state.live_on(utcnow().date())
            ]
        )
        forms[testimonial.id] = form
    return forms


def _manage_page(side: ClientSide, token: str, status: int = 200, **given: Any) -> Response:
    session = db_session()
    contributions = testimonials_of_contact(session, side.contact.id or 0)
    with in_language(side.language):
        forms = _manage_forms(session, contributions)
        if "form" in given:
            forms[given.pop("testimonial_id")] = given.pop("form")
        return client_page(
            "testimonial_client/manage.html",
            status,
            language=side.language,
            side=side,
            token=token,
            contributions=contributions,
            forms=forms,
            withdraw_forms={
                t.id: WithdrawForm(formdata=None, prefix=f"w{t.id}") for t in contributions
            },
            today=utcnow().date(),
            **given,
        )


@bp.get("/manage/<token>")
@public
@client_limits
def manage(token: str) -> Response:
    side = testimonial_consent.manage_link(db_session(), token, now=utcnow())
    if side is None:
        return _invalid()
    return _manage_page(side, token)


@bp.post("/manage/<token>/<id:testimonial_id>/permissions")
@public
@client_limits
def save_permissions(token: str, testimonial_id: int) -> Response:
    session, now = db_session(), utcnow()
    side = testimonial_consent.manage_link(session, token, now=now)
    if side is None:
        return _invalid()
    with in_language(side.language):
        form = ManageForm(prefix=f"t{testimonial_id}")
        valid = form.validate_on_submit()
        choices = form.choices()
    if not valid or choices is None:
        return _manage_page(side, token, 400, form=form, testimonial_id=testimonial_id)
    try:
        done = testimonial_consent.change_permissions(
            session, token, testimonial_id, choices, now=now
        )
    except RuleError as error:
        message = _refused(form, None, error)
        return _manage_page(
            side, token, 422, form=form, testimonial_id=testimonial_id, errors=message
        )
    if done is None:
        return _invalid()
    return redirect(url_for(".manage", token=token, saved=testimonial_id))


@bp.post("/manage/<token>/<id:testimonial_id>/withdraw")
@public
@client_limits
def withdraw(token: str, testimonial_id: int) -> Response:
    session, now = db_session(), utcnow()
    side = testimonial_consent.manage_link(session, token, now=now)
    if side is None:
        return _invalid()
    with in_language(side.language):
        form = WithdrawForm(prefix=f"w{testimonial_id}")
        valid = form.validate_on_submit()
        wording = wording_shown()
    if not valid:
        return _manage_page(side, token, 400)
    try:
        done = testimonial_consent.withdraw_by_client(
            session, token, testimonial_id, wording=wording, now=now
        )
    except RuleError as error:
        return _manage_page(side, token, 422, errors=_refused(form, None, error))
    if done is None:
        return _invalid()
    return redirect(url_for(".manage", token=token, withdrawn=testimonial_id))


@bp.post("/link/renew")
@public
@limiter.limit(RENEW_LIMIT)
def renew_link() -> Response:
    form = RenewForm()
    # The same answer whatever happened, so the form tells nobody who our clients are.
    if form.validate_on_submit():
        testimonial_mail.renew_manage_link(
            db_session(), current_app.config["ADVOCACY"], form.email.data or "", now=utcnow()
        )
    return client_page("testimonial_client/link_sent.html")


@bp.get("/logo/<name>")
@public
def logo(name: str) -> Response:
    """A client's logo, only while they allow its use (withdrawal stops it at the next request)."""
    path = _store().path_of(name)
    testimonial = testimonial_by_logo(db_session(), name) if path else None
    if testimonial is None or path is None:
        abort(404)
    if Use.LOGO not in testimonials.uses_today(db_session(), testimonial, now=utcnow()):
        abort(404)
    response = send_file(path, mimetype="image/png" if name.endswith(".png") else "image/jpeg")
    response.headers["Cache-Control"] = "no-cache"  # revalidate: consent can end any time
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
