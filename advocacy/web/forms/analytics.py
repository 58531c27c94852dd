"""The analytics filters from the query string, with a message for each value that is wrong."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from advocacy.domain.analytics.figures import AnalyticsFilters

# The query-string names of the filters, in the form's order.
FILTER_ARGS = ("owner", "industry", "service_line", "cohort", "from", "to")
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _whole(value: str, name: str, errors: list[str]) -> int | None:
    if value.isdigit() and len(value) <= 9:
        return int(value)
    errors.append(gettext("%(field)s: choose one of the listed values.", field=name))
    return None


def _day(value: str, name: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(gettext("%(field)s: enter a date as YYYY-MM-DD.", field=name))
        return None


def analytics_filters(args: MultiDict[str, str]) -> tuple[AnalyticsFilters, list[str]]:
    """The filters asked for, and a message per wrong value (a wrong value narrows nothing)."""
    errors: list[str] = []
    value = {name: (args.get(name) or "").strip() for name in FILTER_ARGS}
    owner = _whole(value["owner"], gettext("Owner"), errors) if value["owner"] else None
    line = (
        _whole(value["service_line"], gettext("Service line"), errors)
        if value["service_line"]
        else None
    )
    cohort = None
    if value["cohort"]:
        year = value["cohort"]
        if year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR:
            cohort = int(year)
        else:
            errors.append(gettext("Cohort: enter a year such as 2024."))
    start = _day(value["from"], gettext("From"), errors) if value["from"] else None
    end = _day(value["to"], gettext("To"), errors) if value["to"] else None
    if start and end and end < start:
        errors.append(gettext("The period ends before it starts: swap the two dates."))
        start = end = None
    filters = AnalyticsFilters(
        owner_id=owner,
        industry=value["industry"][:80] or None,
        service_line_id=line,
        cohort_year=cohort,
        period_start=start,
        period_end=end,
    )
    return filters, errors


def filter_args(filters: AnalyticsFilters) -> dict[str, str]:
    """The query string that asks for `filters` (only what narrows the view)."""
    pairs = {
        "owner": filters.owner_id,
        "industry": filters.industry,
        "service_line": filters.service_line_id,
        "cohort": filters.cohort_year,
        "from": filters.period_start.isoformat() if filters.period_start else None,
        "to": filters.period_end.isoformat() if filters.period_end else None,
    }
    return {name: str(v) for name, v in pairs.items() if v is not None}
