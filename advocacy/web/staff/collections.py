"""Marketing's collections of quotes: create one, add quotes from the library, remove and reorder
them (plain forms, no script), and export as CSV or as a page to print. Every view opens the
collection through the service, which judges each quote again against today's consent."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from advocacy.adapters.csv_files import write_csv
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import MARKETERS
from advocacy.domain.errors import RuleError
from advocacy.domain.library import ItemState
from advocacy.domain.numbers import whole_number
from advocacy.http.security import allow, require_user
from advocacy.repository import library
from advocacy.services.library import collections
from advocacy.web.forms.common import ActionForm
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("collections", __name__)


def _index(status: int = 200, errors: list[str] | None = None, **form: str) -> tuple[str, int]:
    return render_template(
        "library/collections.html",
        rows=library.list_collections(db_session()),
        errors=errors or [],
        form={"name": form.get("name", ""), "purpose": form.get("purpose", "")},
    ), status


@bp.get("/library/collections")
@allow(*MARKETERS)
def index() -> tuple[str, int]:
    return _index()


@bp.post("/library/collections")
@allow(*MARKETERS)
@found_and_allowed
def create() -> WerkzeugResponse | tuple[str, int]:
    name, purpose = request.form.get("name", ""), request.form.get("purpose", "")
    if not ActionForm().validate_on_submit():
        return _index(400, [_("This form has expired. Reload the page and try again.")], name=name)
    try:
        collection = collections.create_collection(
            db_session(), name, purpose, by=require_user(), now=utcnow()
        )
    except RuleError as error:
        return _index(422, [refusal(error)], name=name, purpose=purpose)
    flash(_("Collection created. Add quotes to it from the library."), "success")
    return redirect(url_for("collections.show", collection_id=collection.id))


def _show(
    collection_id: int, status: int = 200, errors: list[str] | None = None
) -> tuple[str, int]:
    opened = collections.open_collection(db_session(), collection_id, today=utcnow().date())
    return render_template(
        "library/collection.html",
        opened=opened,
        errors=errors or [],
        states=ItemState,
    ), status


@bp.get("/library/collections/<id:collection_id>")
@allow(*MARKETERS)
@found_and_allowed
def show(collection_id: int) -> tuple[str, int]:
    return _show(collection_id)


def _back_to(default: str) -> str:
    # Only a page of the library itself: never an address someone slipped into the form.
    wanted = request.form.get("next", "")
    if wanted.startswith("/library") and "//" not in wanted and "\\" not in wanted:
        return wanted
    return default


def _form_id(name: str) -> int | None:
    raw = request.form.get(name, "")
    return whole_number(raw)


@bp.post("/library/collections/items")
@allow(*MARKETERS)
@found_and_allowed
def add() -> WerkzeugResponse:
    """Add a quote from a library page to the collection chosen beside it, then go back there."""
    back = _back_to(url_for("library.index"))
    collection_id, testimonial_id = _form_id("collection_id"), _form_id("testimonial_id")
    if not ActionForm().validate_on_submit():
        flash(_("This form has expired. Reload the page and try again."), "error")
        return redirect(back)
    if collection_id is None or testimonial_id is None:
        flash(_("Choose a collection and a quote from the library."), "error")
        return redirect(back)
    try:
        collections.add_to_collection(
            db_session(), collection_id, testimonial_id, by=require_user(), now=utcnow()
        )
    except RuleError as error:
        flash(refusal(error), "error")
        return redirect(back)
    flash(_("Quote added to the collection."), "success")
    return redirect(back)


def _item_action(
    collection_id: int, item_id: int, action: Any, message: str, **options: Any
) -> Any:
    if not ActionForm().validate_on_submit():
        return _show(
            collection_id, 400, [_("This form has expired. Reload the page and try again.")]
        )
    try:
        action(db_session(), collection_id, item_id, by=require_user(), now=utcnow(), **options)
    except RuleError as error:
        return _show(collection_id, 422, [refusal(error)])
    if message:
        flash(message, "success")
    return redirect(url_for("collections.show", collection_id=collection_id))


@bp.post("/library/collections/<id:collection_id>/items/<id:item_id>/remove")
@allow(*MARKETERS)
@found_and_allowed
def remove(collection_id: int, item_id: int) -> Any:
    return _item_action(
        collection_id, item_id, collections.remove_from_collection, _("Quote removed.")
    )


@bp.post("/library/collections/<id:collection_id>/items/<id:item_id>/up")
@allow(*MARKETERS)
@found_and_allowed
def up(collection_id: int, item_id: int) -> Any:
    return _item_action(collection_id, item_id, collections.move_in_collection, "", up=True)


@bp.post("/library/collections/<id:collection_id>/items/<id:item_id>/down")
@allow(*MARKETERS)
@found_and_allowed
def down(collection_id: int, item_id: int) -> Any:
    return _item_action(collection_id, item_id, collections.move_in_collection, "", up=False)


@bp.post("/library/collections/<id:collection_id>/items/<id:item_id>/keep")
@allow(*MARKETERS)
@found_and_allowed
def keep(collection_id: int, item_id: int) -> Any:
    return _item_action(
        collection_id,
        item_id,
        collections.keep_under_new_terms,
        _("The quote is kept as it may be used today."),
    )


def csv_labels() -> dict[str, str]:
    return {
        "named": _("Named"),
        "anonymised": _("Anonymised"),
        "yes": _("yes"),
        "no": _("no"),
        "changed": _("Permission changed since it was added"),
    }


@bp.get("/library/collections/<id:collection_id>/export.csv")
@allow(*MARKETERS)
@found_and_allowed
def export_csv(collection_id: int) -> Response:
    opened = collections.open_collection(db_session(), collection_id, today=utcnow().date())
    rows = collections.export_rows(opened, anonymous=_("a client"), labels=csv_labels())
    filename = f"collection-{collection_id}-{utcnow():%Y%m%d}.csv"
    return Response(
        "".join(write_csv(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/library/collections/<id:collection_id>/print")
@allow(*MARKETERS)
@found_and_allowed
def printable(collection_id: int) -> str:
    opened = collections.open_collection(db_session(), collection_id, today=utcnow().date())
    return render_template("library/print.html", opened=opened)
