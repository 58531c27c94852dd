"""CSV import and export pages: upload a file, map its columns, see the dry run, import; export
each table. For administrators and account managers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.engine import Engine
from sqlmodel import Session
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from advocacy.adapters.csv_files import CsvFileError, CsvTable, read_table, write_csv
from advocacy.adapters.pending_uploads import PendingUpload, PendingUploads
from advocacy.clock import utcnow
from advocacy.db import db_session, engine
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.csv_fields import Kind
from advocacy.domain.csv_import import field_labels
from advocacy.domain.errors import RuleError
from advocacy.http.security import allow, require_user
from advocacy.http.validation import rule_message
from advocacy.services.imports import csv_files

bp = Blueprint("imports", __name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# The request also carries the form fields and multipart headers around the file.
MAX_UPLOAD_REQUEST = MAX_UPLOAD_BYTES + 64 * 1024
UPLOAD_LIFETIME = timedelta(hours=2)
PREVIEW_ROWS = 200
KIND_CHOICES = [
    SelectChoice(Kind.ACCOUNTS.value, _l("Accounts")),
    SelectChoice(Kind.CONTACTS.value, _l("Contacts")),
    SelectChoice(Kind.ENGAGEMENTS.value, _l("Engagements")),
    SelectChoice(Kind.TOUCHPOINTS.value, _l("Touchpoints")),
]


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=KIND_CHOICES)
    file = FileField(_l("CSV file"))


class MappingForm(FlaskForm):
    save_as = StringField(_l("Save this mapping as"), validators=[Optional(), Length(max=100)])


def _uploads() -> PendingUploads:
    folder = Path(current_app.config["ADVOCACY"].instance_path) / "imports"
    return PendingUploads(folder, max_age=UPLOAD_LIFETIME)


@bp.url_value_preprocessor
def _allow_larger_upload(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Runs before the app's before_request hooks, which read the form: the file must fit by then.
    if endpoint == "imports.upload":
        request.max_content_length = MAX_UPLOAD_REQUEST


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    return _start(UploadForm(formdata=None), 413, [_too_large_message()])


def _too_large_message() -> str:
    return _(
        "This file is larger than %(limit)d MB. Split it, or import it with the command line "
        "(advocacy import).",
        limit=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


def _start(form: UploadForm, status: int = 200, errors: list[str] | None = None) -> tuple[str, int]:
    return render_template(
        "imports/start.html", form=form, errors=errors or [], kinds=KIND_CHOICES
    ), status


@bp.get("/imports")
@allow(*ACCOUNT_WORKERS)
def start() -> tuple[str, int]:
    return _start(UploadForm(formdata=None))


@bp.post("/imports")
@allow(*ACCOUNT_WORKERS)
def upload() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return _start(form, 400)
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return _start(form, 422, [_("Choose a CSV file to upload.")])
    data = storage.read(MAX_UPLOAD_BYTES + 1)
    try:
        read_table(data, max_bytes=MAX_UPLOAD_BYTES)
    except CsvFileError as error:
        return _start(form, 422, [rule_message(error)])
    token = _uploads().put(
        data,
        user_id=require_user().id or 0,
        kind=form.kind.data or Kind.ACCOUNTS.value,
        filename=storage.filename,
        now=utcnow(),
    )
    return redirect(url_for("imports.mapping", token=token))


def _pending(token: str) -> tuple[PendingUpload, CsvTable, Kind]:
    upload = _uploads().get(token, user_id=require_user().id or 0, now=utcnow())
    if upload is None:
        abort(404)
    try:
        table = read_table(upload.data, max_bytes=MAX_UPLOAD_BYTES)
        kind = Kind(upload.kind)
    except (CsvFileError, ValueError):
        abort(404)
    return upload, table, kind


def _posted_mapping(table: CsvTable, kind: Kind) -> dict[str, str]:
    known = {name for name, _label in field_labels(kind)}
    mapping = {}
    for index, header in enumerate(table.headers):
        value = request.form.get(f"col-{index}", "")
        mapping[header] = value if value in known else ""
    return mapping


def _render_mapping(
    upload: PendingUpload,
    table: CsvTable,
    kind: Kind,
    mapping: dict[str, str],
    *,
    form: MappingForm,
    report: csv_files.ImportReport | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "imports/mapping.html",
        upload=upload,
        table=table,
        kind=kind,
        kind_label=dict((c.value, c.label) for c in KIND_CHOICES)[kind.value],
        mapping=mapping,
        fields=field_labels(kind),
        samples=[row.cells for row in table.rows[:3]],
        saved=csv_files.list_mappings(db_session(), kind),
        form=form,
        report=report,
        errors=errors or [],
        preview_rows=PREVIEW_ROWS,
    ), status


@bp.get("/imports/<token>")
@allow(*ACCOUNT_WORKERS)
def mapping(token: str) -> tuple[str, int]:
    upload, table, kind = _pending(token)
    saved_name = request.args.get("mapping", "")
    errors: list[str] = []
    saved = None
    if saved_name:
        try:
            saved = csv_files.load_mapping(db_session(), kind, saved_name)
        except RuleError as error:
            errors.append(rule_message(error))
    chosen = csv_files.mapping_for(kind, table.headers, saved=saved)
    return _render_mapping(
        upload, table, kind, chosen, form=MappingForm(formdata=None), errors=errors
    )


@bp.post("/imports/<token>")
@allow(*ACCOUNT_WORKERS)
def check(token: str) -> tuple[str, int]:
    upload, table, kind = _pending(token)
    form = MappingForm()
    chosen = _posted_mapping(table, kind)
    if not form.validate_on_submit():
        return _render_mapping(upload, table, kind, chosen, form=form, status=400)
    session, user, now = db_session(), require_user(), utcnow()
    errors: list[str] = []
    try:
        if form.save_as.data:
            csv_files.save_mapping(session, kind, form.save_as.data, chosen, by=user, now=now)
        if request.form.get("action") == "import":
            report = csv_files.run_import(session, kind, table, chosen, now=now, by=user)
        else:
            report = csv_files.plan_import(session, kind, table, chosen, now=now, by=user)
    except csv_files.MappingRefused as refused:
        session.rollback()
        errors = [rule_message(problem) for problem in refused.problems]
        return _render_mapping(upload, table, kind, chosen, form=form, errors=errors, status=422)
    except RuleError as error:
        session.rollback()
        return _render_mapping(
            upload, table, kind, chosen, form=form, errors=[rule_message(error)], status=422
        )
    if report.applied:
        _uploads().drop(token)
        return render_template(
            "imports/result.html", report=report, upload=upload, kind=kind, preview_rows=0
        ), 200
    status = 200 if report.ok else 422
    return _render_mapping(
        upload, table, kind, chosen, form=form, report=report, errors=errors, status=status
    )


@bp.get("/exports/<kind>.csv")
@allow(*ACCOUNT_WORKERS)
def export(kind: str) -> Response:
    try:
        the_kind = Kind(kind)
    except ValueError:
        abort(404)
    csv_files.record_export(db_session(), the_kind, by=require_user(), now=utcnow())
    filename = f"{the_kind.value}-{utcnow():%Y%m%d}.csv"
    return Response(
        _stream_export(engine(), the_kind),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _stream_export(bound: Engine, kind: Kind) -> Iterator[str]:
    # The stream outlives the request and its session (closed at teardown, before the first
    # chunk is sent), so it opens and closes a session of its own.
    with Session(bound) as session:
        yield from write_csv(csv_files.export_rows(session, kind))
