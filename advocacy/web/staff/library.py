"""Marketing's library: search quotes with filters, see what of each may go outside the firm and
copy it with its attribution, and the tabs of case-study candidates, reference-ready contacts
and logos allowed for use. Account managers may read it too; collections are marketing's."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import MARKETERS, STAFF
from advocacy.domain.journey import Stage
from advocacy.domain.library import MAX_PAGE, LibraryQuery, PermissionFilter, copy_text
from advocacy.domain.numbers import whole_number
from advocacy.http.security import allow, require_user
from advocacy.models.accounts import SIZE_BANDS
from advocacy.repository.journey import list_service_lines
from advocacy.repository.library import account_countries, list_collections, quote_industries
from advocacy.services.library import search
from advocacy.services.library.search import Found
from advocacy.services.voice.references import cap_of
from advocacy.settings import LANGUAGES

bp = Blueprint("library", __name__)


def copy_of(found: Found) -> str:
    """What the copy button puts on the clipboard ("" for a quote that stays inside the firm)."""
    if not found.export.shown:
        return ""
    return copy_text(found.quote, found.export_attribution or _("a client"))


def _number(args: MultiDict[str, str], name: str, errors: list[str], message: str) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    number = whole_number(raw)
    if number is None:
        errors.append(message)
    return number


def _choice(
    args: MultiDict[str, str], name: str, allowed: Any, errors: list[str], message: str
) -> str:
    value = args.get(name, "").strip()
    if value and value not in allowed:
        errors.append(message)
        return ""
    return value


def query_from(args: MultiDict[str, str]) -> tuple[LibraryQuery, list[str]]:
    """The search as typed in the address bar, and what was wrong with it (translated)."""
    errors: list[str] = []
    line = _number(args, "service_line", errors, _("Choose a service line from the list."))
    rating = _number(args, "rating", errors, _("Choose a rating from 1 to 5."))
    if rating is not None and not 1 <= rating <= 5:
        errors.append(_("Choose a rating from 1 to 5."))
        rating = None
    since: date | None = None
    raw_since = args.get("since", "").strip()
    if raw_since:
        try:
            since = date.fromisoformat(raw_since)
        except ValueError:
            errors.append(_("Enter the date as YYYY-MM-DD."))
    permission = _choice(
        args, "permission", {p.value for p in PermissionFilter}, errors, _("Unknown permission.")
    )
    page = _number(args, "page", errors, _("Unknown page.")) or 1
    query = LibraryQuery(
        text=args.get("q", "")[:200],
        service_line_id=line,
        industry=args.get("industry", "").strip()[:80],
        size_band=_choice(args, "size", SIZE_BANDS, errors, _("Unknown size band.")),
        country=args.get("country", "").strip().upper()[:2],
        language=_choice(args, "language", LANGUAGES, errors, _("Unknown language.")),
        permission=PermissionFilter(permission) if permission else None,
        min_rating=rating,
        approved_since=since,
        stage=_choice(args, "stage", {s.value for s in Stage}, errors, _("Unknown stage.")),
        page=min(max(page, 1), MAX_PAGE),
    )
    return query, errors


def _choices() -> dict[str, Any]:
    session = db_session()
    return {
        "service_lines": list_service_lines(session),
        "industries": quote_industries(session),
        "countries": account_countries(session),
        "size_bands": [band for band in SIZE_BANDS if band],
        "languages": LANGUAGES,
        "stages": list(Stage),
        "permissions": list(PermissionFilter),
    }


def _marketer() -> bool:
    return require_user().role in MARKETERS


@bp.get("/library")
@allow(*STAFF)
def index() -> tuple[str, int]:
    query, errors = query_from(request.args)
    result = None if errors else search.search_library(db_session(), query, today=utcnow().date())
    marketer = _marketer()
    page_args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "library/index.html",
        args=request.args,
        result=result,
        errors=errors,
        copy_of=copy_of,
        page_args=page_args,
        collections=list_collections(db_session()) if marketer else [],
        marketer=marketer,
        here=request.full_path,
        **_choices(),
    ), (400 if errors else 200)


@bp.get("/library/case-studies")
@allow(*STAFF)
def case_studies() -> str:
    found = search.case_study_candidates(db_session(), today=utcnow().date())
    return render_template("library/case_studies.html", found=found, copy_of=copy_of)


@bp.get("/library/references")
@allow(*STAFF)
def references() -> str:
    cap = cap_of(current_app.config["ADVOCACY"])
    ready = search.reference_ready(db_session(), cap, now=utcnow())
    return render_template("library/references.html", ready=ready, cap=cap)


@bp.get("/library/logos")
@allow(*STAFF)
def logos() -> str:
    found = search.logos_allowed(db_session(), today=utcnow().date())
    return render_template("library/logos.html", found=found)
