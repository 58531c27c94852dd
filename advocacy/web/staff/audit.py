"""The audit log page for admins: search and filter the entries, export them as CSV. Read-only:
no route here (or anywhere) edits or deletes an entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, tzinfo

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.engine import Engine
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from advocacy.adapters.csv_files import write_csv
from advocacy.clock import utcnow
from advocacy.db import db_session, engine
from advocacy.domain.access import ADMINS
from advocacy.domain.audit import Action, ActorKind, action_of
from advocacy.domain.paging import page_number
from advocacy.http.security import allow, require_user
from advocacy.repository.read_models import audit_log
from advocacy.services.audit import export
from advocacy.web.refusals import viewer_timezone

bp = Blueprint("audit", __name__, url_prefix="/admin")

FILTER_ARGS = ("action", "actor_kind", "actor", "subject_type", "subject_id", "since", "until")

ACTION_LABELS = {
    Action.SIGN_IN: _l("Signed in"),
    Action.SIGN_IN_FAILED: _l("Sign-in refused"),
    Action.SIGN_OUT: _l("Signed out"),
    Action.USER_CREATED: _l("User created"),
    Action.USER_ROLE_CHANGED: _l("Role changed"),
    Action.USER_DEACTIVATED: _l("User deactivated"),
    Action.USER_REACTIVATED: _l("User reactivated"),
    Action.USER_PASSWORD_SET: _l("Password set"),
    Action.TOKEN_CREATED: _l("API token created"),
    Action.TOKEN_REVOKED: _l("API token revoked"),
    Action.TESTIMONIAL_APPROVED: _l("Testimonial approved"),
    Action.TESTIMONIAL_PUBLISHED: _l("Testimonial published"),
    Action.TESTIMONIAL_WITHDRAWN: _l("Testimonial withdrawn"),
    Action.TESTIMONIAL_PERMISSION_CHANGED: _l("Testimonial permission changed"),
    Action.CONSENT_CHANGED: _l("Mail consent changed"),
    Action.STAGE_CHANGED: _l("Journey stage changed by hand"),
    Action.IMPORT_RUN: _l("File imported"),
    Action.EXPORT_RUN: _l("Data exported"),
    Action.AUDIT_EXPORTED: _l("Audit log exported"),
    Action.AUDIT_PURGED: _l("Old audit entries deleted"),
    Action.PERSON_EXPORTED: _l("A person's data exported"),
    Action.PERSON_ERASED: _l("A person erased"),
    Action.WEBHOOK_ENDPOINT_REGISTERED: _l("Webhook endpoint registered"),
    Action.WEBHOOK_ENDPOINT_CHANGED: _l("Webhook endpoint switched on or off"),
    Action.WEBHOOK_ENDPOINT_DELETED: _l("Webhook endpoint deleted"),
}
ACTOR_LABELS = {
    ActorKind.USER: _l("User"),
    ActorKind.TOKEN: _l("API token"),
    ActorKind.CLIENT_LINK: _l("Client link"),
    ActorKind.JOB: _l("Scheduled job"),
    ActorKind.COMMAND_LINE: _l("Command line"),
    ActorKind.SYSTEM: _l("System"),
}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _kind(value: str | None) -> ActorKind | None:
    try:
        return ActorKind(value) if value else None
    except ValueError:
        return None


def _whole(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def audit_filter(args: MultiDict[str, str]) -> audit_log.AuditFilter:
    """The log's filters from the query string; anything unknown is ignored, never an error."""
    return audit_log.AuditFilter(
        action=action_of(args.get("action") or ""),
        actor_kind=_kind(args.get("actor_kind")),
        actor=(args.get("actor") or "")[:254],
        subject_type=(args.get("subject_type") or "")[:40],
        subject_id=_whole(args.get("subject_id")),
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        page=page_number(args.get("page")),
    )


@bp.get("/audit")
@allow(*ADMINS)
def index() -> str:
    wanted = audit_filter(request.args)
    current = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
    session = db_session()
    found = audit_log.list_entries(session, wanted, zone=viewer_timezone())
    return render_template(
        "audit/index.html",
        found=found,
        wanted=wanted,
        current=current,
        details={entry.id: audit_log.details_of(entry) for entry in found.rows},
        action_labels=ACTION_LABELS,
        actor_labels=ACTOR_LABELS,
        subject_types=audit_log.subject_types(session),
    )


@bp.get("/audit.csv")
@allow(*ADMINS)
def export_csv() -> Response:
    wanted = audit_filter(request.args)
    zone = viewer_timezone()
    export.record_export(db_session(), wanted, by=require_user(), zone=zone, now=utcnow())
    filename = f"audit-{utcnow():%Y%m%d}.csv"
    return Response(
        _stream(engine(), wanted, zone),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _stream(bound: Engine, wanted: audit_log.AuditFilter, zone: tzinfo) -> Iterator[str]:
    # The stream outlives the request and its session, so it reads through a session of its own.
    with Session(bound) as session:
        yield from write_csv(export.export_rows(session, wanted, zone=zone))
