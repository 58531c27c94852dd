"""The analytics pages: the dashboard, one page per question (charts with their tables), and the
CSV of each figure. Filters travel in the query string so a view can be shared."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import format_decimal, format_percent, get_locale, gettext
from markupsafe import Markup

from advocacy.adapters.charts import render_svg
from advocacy.adapters.csv_files import write_csv
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ANALYSTS, may_read_question
from advocacy.domain.analytics.figures import AnalyticsFilters, Figure, QuestionAnswer, Unit
from advocacy.domain.csv_import import neutralise_cell
from advocacy.domain.identity import Role
from advocacy.http.security import allow, require_user
from advocacy.repository.journey import list_service_lines
from advocacy.repository.read_models import accounts
from advocacy.services.analytics import questions, stored
from advocacy.services.analytics.questions import Question
from advocacy.web.forms.analytics import analytics_filters, filter_args

bp = Blueprint("analytics", __name__)


def value_text(value: float | None, unit: Unit) -> str:
    """A number as the reader expects it: a percentage, a count, days, or a score as is."""
    if value is None:
        return "—"
    if unit is Unit.SHARE:
        return format_percent(value, "#,##0.#%")
    if unit is Unit.DAYS:
        return gettext("%(num)s days", num=format_decimal(round(value)))
    if unit is Unit.COUNT:
        return format_decimal(round(value))
    return format_decimal(value, "#,##0.##")


def _question(slug: str) -> Question:
    question = questions.find(slug)
    if question is None:
        abort(404)
    if not may_read_question(Role(require_user().role), for_marketing=question.marketing_reads):
        abort(403)
    return question


def _answer(question: Question, filters: AnalyticsFilters) -> QuestionAnswer:
    fresh = timedelta(minutes=current_app.config["ADVOCACY"].analytics_fresh_minutes)
    return stored.current_answer(
        db_session(),
        question,
        filters,
        now=utcnow(),
        locale=str(get_locale() or "en"),
        fresh_for=fresh,
    )


def _chart(figure: Figure, slug: str) -> Markup:
    # ElementTree escaped every text and attribute of the SVG: it may go into the page as is.
    return Markup(  # noqa: S704
        render_svg(
            figure,
            lambda value: value_text(value, figure.unit),
            element_id=f"chart-{slug}-{figure.key}",
        )
    )


@bp.get("/analytics")
@allow(*ANALYSTS)
def index() -> str:
    readable = questions.readable_by(Role(require_user().role))
    answers = [(q, _answer(q, AnalyticsFilters())) for q in readable]
    return render_template("analytics/index.html", answers=answers, value_text=value_text)


@bp.get("/analytics/<slug>")
@allow(*ANALYSTS)
def question(slug: str) -> str:
    asked = _question(slug)
    filters, errors = analytics_filters(request.args)
    session = db_session()
    answer = _answer(asked, filters)
    return render_template(
        "analytics/question.html",
        answer=answer,
        charts={f.key: _chart(f, asked.slug) for f in answer.figures},
        filters=filters,
        args=filter_args(filters),
        errors=errors,
        value_text=value_text,
        owners=accounts.possible_owners(session),
        industries=accounts.industries(session),
        service_lines=list_service_lines(session),
    )


def _csv_rows(figure: Figure) -> Iterator[list[str]]:
    unit = {Unit.SHARE: gettext("share"), Unit.DAYS: gettext("days")}.get(figure.unit)
    yield [neutralise_cell(figure.category_label)] + [
        neutralise_cell(f"{s.name} ({unit})" if unit else s.name) for s in figure.series
    ]
    for category, values in figure.rows():
        cells = [
            "" if v is None else (f"{v:.4f}" if figure.unit is Unit.SHARE else f"{v:g}")
            for v in values
        ]
        yield [neutralise_cell(category), *cells]


@bp.get("/analytics/<slug>/<key>.csv")
@allow(*ANALYSTS)
def figure_csv(slug: str, key: str) -> Response:
    asked = _question(slug)
    filters, errors = analytics_filters(request.args)
    if errors:
        return Response(" ".join(errors), status=400, mimetype="text/plain")
    figure = next((f for f in _answer(asked, filters).figures if f.key == key), None)
    if figure is None:
        abort(404)
    name = f"{asked.slug}-{figure.key}.csv"
    return Response(
        "".join(write_csv(_csv_rows(figure))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
