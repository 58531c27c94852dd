"""Admin mail pages: the message log, one message (preview, text, headers, events), and the
suppression list."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from advocacy import repository
from advocacy import repository_mail_log as log_pages
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.mail import Category
from advocacy.models import OutboxMessage
from advocacy.services import consent
from advocacy.web.forms import ActionForm
from advocacy.web.refusals import viewer_timezone
from advocacy.web.security import allow, require_user

bp = Blueprint("mail", __name__, url_prefix="/admin")

# Message HTML is shown as data, never as part of our pages: its own document, no scripts, no
# same-origin access (sandbox without allow-*), no network (only inline styles and data: images).
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)
FILTER_ARGS = ("status", "category", "recipient", "since", "until")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


def message_filter(args: MultiDict[str, str]) -> log_pages.MessageFilter:
    """The log's filters from the query string; anything unknown is ignored, never an error."""
    status = args.get("status") or None
    category = args.get("category") or None
    known_categories = {c.value for c in Category}
    return log_pages.MessageFilter(
        status=status if status in log_pages.STATUSES else None,
        category=category if category in known_categories else None,
        recipient=(args.get("recipient") or "")[:254],
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        page=_page_number(args.get("page")),
    )


def _message_or_404(message_id: int) -> OutboxMessage:
    try:
        return repository.get_row(db_session(), OutboxMessage, message_id)
    except repository.NotFound:
        abort(404)


@bp.get("/mail")
@allow("admin")
def index() -> str:
    wanted = message_filter(request.args)
    current = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
    return render_template(
        "mail/index.html",
        found=log_pages.list_messages(db_session(), wanted, zone=viewer_timezone()),
        wanted=wanted,
        current=current,
        statuses=log_pages.STATUSES,
        categories=[c.value for c in Category],
    )


@bp.get("/mail/<id:message_id>")
@allow("admin")
def message(message_id: int) -> str:
    found = _message_or_404(message_id)
    return render_template(
        "mail/message.html",
        message=found,
        headers=log_pages.headers_of(found),
        events=log_pages.timeline(db_session(), message_id),
    )


@bp.get("/mail/<id:message_id>/preview")
@allow("admin")
def preview(message_id: int) -> Response:
    found = _message_or_404(message_id)
    response = Response(found.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/suppressions")
@allow("admin")
def suppressions() -> str:
    search = (request.args.get("q") or "")[:254]
    return render_template(
        "mail/suppressions.html",
        found=log_pages.list_suppressions(
            db_session(), search=search, page=_page_number(request.args.get("page"))
        ),
        search=search,
        action_form=ActionForm(),
    )


@bp.post("/suppressions/<id:suppression_id>/remove")
@allow("admin")
def remove_suppression(suppression_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        row = consent.remove_manual_suppression(
            db_session(), suppression_id, by=require_user(), now=utcnow()
        )
    except repository.NotFound:
        abort(404)
    except consent.NotManual:
        flash(_("Only a suppression added by staff can be removed here."), "error")
        return redirect(url_for("mail.suppressions"))
    flash(_("%(email)s is no longer suppressed by hand.", email=row.email), "success")
    return redirect(url_for("mail.suppressions"))
