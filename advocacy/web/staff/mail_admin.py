"""Admin mail pages: the message log, one message (preview, text, headers, events), and the
suppression list, where staff add and remove their own manual suppressions."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import EmailField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from advocacy import repository
from advocacy.adapters.reason_sentences import send_reasons
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ADMINS
from advocacy.domain.errors import NotFound
from advocacy.domain.mail import ALL, Category
from advocacy.domain.paging import page_number
from advocacy.http.security import allow, require_user
from advocacy.http.validation import rule_message
from advocacy.models import OutboxMessage
from advocacy.repository import nurture_facts
from advocacy.repository.read_models import campaign_pages, mail_log
from advocacy.services.mail import consent
from advocacy.services.operations.heartbeats import mail_events_report
from advocacy.web.forms.common import ActionForm
from advocacy.web.forms.journey import CheckboxesField
from advocacy.web.refusals import discard_changes, viewer_timezone

bp = Blueprint("mail", __name__, url_prefix="/admin")

# Message HTML is shown as data, never as part of our pages: its own document, no scripts, no
# same-origin access (sandbox without allow-*), no network (only inline styles and data: images).
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)
FILTER_ARGS = ("status", "category", "recipient", "since", "until")
CHOSEN = "chosen"


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SuppressionForm(FlaskForm):
    """A manual suppression: which address, which client-facing mail, and why."""

    email = EmailField(
        _l("E-mail"),
        filters=[_stripped],
        validators=[
            DataRequired(),
            Length(max=consent.MAX_EMAIL_LENGTH),
            Email(message=_l("Enter a valid e-mail address.")),
        ],
    )
    scope = RadioField(
        _l("Mail to stop"),
        choices=[
            SelectChoice(ALL, _l("All client-facing mail")),
            SelectChoice(CHOSEN, _l("Only the categories ticked below")),
        ],
        default=ALL,
        validators=[InputRequired()],
    )
    categories = CheckboxesField(
        _l("Categories"),
        choices=[
            SelectChoice(Category.NURTURE.value, _l("Nurture")),
            SelectChoice(Category.SURVEY.value, _l("Survey")),
            SelectChoice(Category.ADVOCACY_ASK.value, _l("Advocacy ask")),
            SelectChoice(Category.REFERENCE_REQUEST.value, _l("Reference request")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        filters=[_stripped],
        validators=[DataRequired(), Length(max=consent.MAX_MANUAL_REASON_LENGTH)],
    )

    def validate_categories(self, field: CheckboxesField) -> None:
        if self.scope.data == CHOSEN and not field.data:
            raise ValidationError(
                _("Tick at least one category, or choose all client-facing mail.")
            )

    def wanted(self) -> list[str]:
        return [ALL] if self.scope.data == ALL else list(self.categories.data or [])


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def message_filter(args: MultiDict[str, str]) -> mail_log.MessageFilter:
    """The log's filters from the query string; anything unknown is ignored, never an error."""
    status = args.get("status") or None
    category = args.get("category") or None
    known_categories = {c.value for c in Category}
    return mail_log.MessageFilter(
        status=status if status in mail_log.STATUSES else None,
        category=category if category in known_categories else None,
        recipient=(args.get("recipient") or "")[:254],
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        page=page_number(args.get("page")),
    )


def _message_or_404(message_id: int) -> OutboxMessage:
    try:
        return repository.get_row(db_session(), OutboxMessage, message_id)
    except NotFound:
        abort(404)


@bp.get("/mail")
@allow(*ADMINS)
def index() -> str:
    wanted = message_filter(request.args)
    current = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
    settings = current_app.config["ADVOCACY"]
    silence = timedelta(minutes=settings.mail_events_silence_minutes)
    events = (
        mail_events_report(db_session(), now=utcnow(), silence=silence)
        if settings.mail_backend == "sendgrid"
        else None
    )
    return render_template(
        "mail/index.html",
        events_silent=events is not None and events.status == "silent",
        silence_minutes=settings.mail_events_silence_minutes,
        found=mail_log.list_messages(db_session(), wanted, zone=viewer_timezone()),
        wanted=wanted,
        current=current,
        statuses=mail_log.STATUSES,
        categories=[c.value for c in Category],
    )


def _why(because: campaign_pages.SentBecause, line_names: dict[int, str]) -> list[str]:
    """The sentences of the reason a campaign stored with the e-mail it sent."""
    if because.service_line_id is None:
        return []
    try:
        stored = json.loads(because.reason_json)
    except ValueError:
        return []  # an unreadable stored reason shows as none, never as an error page
    line = line_names.get(because.service_line_id, "")
    return send_reasons(stored, line, line_names) if isinstance(stored, dict) else []


@bp.get("/mail/<id:message_id>")
@allow(*ADMINS)
def message(message_id: int) -> str:
    found = _message_or_404(message_id)
    session = db_session()
    because = campaign_pages.sent_because(session, message_id)
    line_names = nurture_facts.line_names(session) if because else {}
    return render_template(
        "mail/message.html",
        message=found,
        because=because,
        line_name=line_names.get(because.service_line_id or 0) if because else None,
        why=_why(because, line_names) if because else [],
        headers=mail_log.headers_of(found),
        events=mail_log.timeline(db_session(), message_id),
    )


@bp.get("/mail/<id:message_id>/preview")
@allow(*ADMINS)
def preview(message_id: int) -> Response:
    found = _message_or_404(message_id)
    response = Response(found.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def _suppressions_page(form: SuppressionForm | None = None) -> str:
    search = (request.args.get("q") or "")[:254]
    return render_template(
        "mail/suppressions.html",
        found=mail_log.list_suppressions(
            db_session(), search=search, page=page_number(request.args.get("page"))
        ),
        search=search,
        action_form=ActionForm(),
        form=form or SuppressionForm(formdata=None),
    )


@bp.get("/suppressions")
@allow(*ADMINS)
def suppressions() -> str:
    return _suppressions_page()


@bp.post("/suppressions")
@allow(*ADMINS)
def add_suppression() -> Response | tuple[str, int]:
    form = SuppressionForm()
    if not form.validate_on_submit():
        return _suppressions_page(form), 400
    try:
        done = consent.add_manual_suppression(
            db_session(),
            form.email.data or "",
            form.wanted(),
            reason=form.reason.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except consent.SuppressionRefused as error:
        discard_changes()
        field = form[error.field]
        field.errors = [*field.errors, rule_message(error)]
        return _suppressions_page(form), 422
    if done.changed:
        flash(_("%(email)s is now suppressed by hand.", email=done.email), "success")
    else:
        flash(
            _("%(email)s was already suppressed for this mail: nothing changed.", email=done.email),
            "info",
        )
    return redirect(url_for("mail.suppressions"))


@bp.post("/suppressions/<id:suppression_id>/remove")
@allow(*ADMINS)
def remove_suppression(suppression_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        row = consent.remove_manual_suppression(
            db_session(), suppression_id, by=require_user(), now=utcnow()
        )
    except NotFound:
        abort(404)
    except consent.NotManual:
        flash(_("Only a suppression added by staff can be removed here."), "error")
        return redirect(url_for("mail.suppressions"))
    flash(_("%(email)s is no longer suppressed by hand.", email=row.email), "success")
    return redirect(url_for("mail.suppressions"))
