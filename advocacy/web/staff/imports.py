"""CSV import and export pages: upload a file, map its columns, see the dry run, import; export
each table. For administrators and account managers."""

from __future__ import annotations

import functools
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
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from advocacy.adapters.csv_files import CsvFileError, CsvTable, read_table, write_csv
from advocacy.adapters.pending_uploads import PendingUpload, PendingUploads
from advocacy.clock import utcnow
from advocacy.db import db_session, engine
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.csv_fields import Kind
from advocacy.domain.csv_import import Rejection, field_labels
from advocacy.domain.csv_presets import detect_preset
from advocacy.domain.errors import RuleError
from advocacy.domain.journey import Stage
from advocacy.http.security import allow, require_user
from advocacy.http.validation import rule_message, translate_rule
from advocacy.services.imports import choices, csv_files

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


DATE_ORDER_CHOICES = [
    SelectChoice("dmy", _l("Day first (31/12/2024)")),
    SelectChoice("mdy", _l("Month first (12/31/2024)")),
]
STAGE_CHOICES = [
    SelectChoice("", _l("(no stage: starts as a prospect)")),
    SelectChoice(Stage.PROSPECT.value, _l("Prospect")),
    SelectChoice(Stage.ACTIVE.value, _l("Active client")),
    SelectChoice(Stage.BETWEEN.value, _l("Between engagements")),
    SelectChoice(Stage.FORMER.value, _l("Former client")),
]


class MappingForm(FlaskForm):
    save_as = StringField(_l("Save this mapping as"), validators=[Optional(), Length(max=100)])
    # Not posted when the file has no dates: day first then, as the detection would say.
    date_order = SelectField(
        _l("Dates in this file read"), choices=DATE_ORDER_CHOICES, validate_choice=False
    )
    create_accounts = BooleanField(_l("Create the companies that match no account"), default=True)
    skip_invalid = BooleanField(
        _l("Import the valid rows and give me the rejected ones back as a file")
    )


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


def _posted_stages() -> dict[str, str]:
    """The lifecycle word → stage choices of the mapping step (word and stage posted in pairs)."""
    known = {choice.value for choice in STAGE_CHOICES}
    stages: dict[str, str] = {}
    for name, word in request.form.items():
        if name.startswith("stageword-"):
            stage = request.form.get("stage-" + name.removeprefix("stageword-"), "")
            if word.strip() and stage in known:
                stages[word.strip()] = stage
    return stages


def _options(form: MappingForm, kind: Kind, stages: dict[str, str]) -> csv_files.ImportOptions:
    settings = current_app.config["ADVOCACY"]
    return csv_files.ImportOptions(
        create_accounts=bool(form.create_accounts.data) or kind is not Kind.CONTACTS,
        contacts_without_email=settings.imports_contacts_without_email,
        date_order="mdy" if form.date_order.data == "mdy" else "dmy",
        stages=stages,
    )


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
    stages: dict[str, str] | None = None,
) -> tuple[str, int]:
    preset = detect_preset(kind, table.headers)
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
        preset=preset.label if preset else None,
        has_dates=choices.has_dates(kind, table, mapping),
        lifecycle=choices.lifecycle_words(kind, table, mapping, stages or {}),
        stage_choices=STAGE_CHOICES,
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
    form = MappingForm(formdata=None)
    form.date_order.data = choices.date_order_of(kind, table, chosen)
    return _render_mapping(upload, table, kind, chosen, form=form, errors=errors)


@bp.post("/imports/<token>")
@allow(*ACCOUNT_WORKERS)
def check(token: str) -> tuple[str, int]:
    upload, table, kind = _pending(token)
    form = MappingForm()
    chosen, stages = _posted_mapping(table, kind), _posted_stages()
    render = functools.partial(
        _render_mapping, upload, table, kind, chosen, form=form, stages=stages
    )
    if not form.validate_on_submit():
        return render(status=400)
    session, user, now = db_session(), require_user(), utcnow()
    options = _options(form, kind, stages)
    try:
        if form.save_as.data:
            csv_files.save_mapping(session, kind, form.save_as.data, chosen, by=user, now=now)
        if request.form.get("action") == "import":
            report = csv_files.run_import(
                session, kind, table, chosen, now=now, by=user, options=options,
                skip_invalid=bool(form.skip_invalid.data),
            )  # fmt: skip
        else:
            report = csv_files.plan_import(
                session, kind, table, chosen, now=now, by=user, options=options
            )
    except csv_files.MappingRefused as refused:
        session.rollback()
        return render(errors=[rule_message(problem) for problem in refused.problems], status=422)
    except RuleError as error:
        session.rollback()
        return render(errors=[rule_message(error)], status=422)
    if report.applied:
        _uploads().drop(token)
        rejected = _keep_rejected(upload, table, kind, report) if report.skipped_invalid else None
        return render_template(
            "imports/result.html",
            report=report,
            upload=upload,
            kind=kind,
            preview_rows=0,
            rejected_token=rejected,
        ), 200
    may_skip = bool(form.skip_invalid.data) and report.rejected and report.outcomes
    return render(report=report, status=200 if report.ok or may_skip else 422)


def _reason(rejection: Rejection) -> str:
    reason = translate_rule(rejection.message, dict(rejection.params))
    if rejection.column:
        return _(
            'Column "%(column)s" (%(value)s): %(reason)s',
            column=rejection.column,
            value=rejection.value,
            reason=reason,
        )
    return reason


def _keep_rejected(
    upload: PendingUpload, table: CsvTable, kind: Kind, report: csv_files.ImportReport
) -> str:
    """Keep the rejected rows, in the file's own encoding and separator, for the user to download
    (as long as an upload is kept) and fix."""
    rows = csv_files.rejected_rows(table, report.rejected, _reason)
    text = "".join(write_csv(rows, bom=table.encoding == "utf-8", delimiter=table.delimiter))
    stem = upload.filename.rsplit(".", 1)[0] or "import"
    return _uploads().put(
        text.encode(table.encoding, errors="replace"),
        user_id=require_user().id or 0,
        kind=kind.value,
        filename=f"{stem}-rejected.csv",
        now=utcnow(),
    )


@bp.get("/imports/<token>/rejected.csv")
@allow(*ACCOUNT_WORKERS)
def rejected(token: str) -> Response:
    kept = _uploads().get(token, user_id=require_user().id or 0, now=utcnow())
    if kept is None:
        abort(404)
    return Response(
        kept.data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kept.filename}"'},
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
