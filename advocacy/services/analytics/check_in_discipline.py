"""Analytics question: do account managers hold their check-ins on time? Read-only.

The team punctuality view (`/check-ins/team`, `services.check_ins.my_week.team_discipline`) as
figures, with its trend per month of closing. Days are UTC days here, where the team view counts
in the viewer's calendar.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from flask_babel import gettext as _
from sqlmodel import Session

from advocacy.domain.analytics.check_in_discipline import combined, disciplines, skipped_share
from advocacy.domain.analytics.figures import (
    AnalyticsFilters,
    ChartKind,
    Figure,
    Headline,
    QuestionAnswer,
    Series,
    Unit,
)
from advocacy.domain.analytics.months import DEFAULT_MONTHS, axis_start, months_between
from advocacy.domain.cadence import Discipline
from advocacy.repository.analytics import check_in_discipline as queries
from advocacy.repository.analytics.scope import period_bounds, start_of

SLUG: Final = "check_in_discipline"


def title() -> str:
    """The question's name, in the reader's language."""
    return str(_("Check-in discipline"))


# Fewer check-ins done than this in a month: its on-time share says little.
FEW_DONE: Final = 5


def _counts(row: Discipline) -> tuple[float, ...]:
    return (
        float(row.on_time),
        float(row.late),
        float(row.skipped),
        float(row.overdue),
        float(row.open - row.overdue),
    )


def _label(key: object, names: dict[int, str]) -> str:
    return names.get(key, "") if isinstance(key, int) else _("No owner")


def _outcome_names() -> tuple[str, ...]:
    return (_("On time"), _("Late"), _("Skipped"), _("Overdue"), _("Open, not yet due"))


def _headlines(total: Discipline) -> tuple[Headline, ...]:
    done = total.on_time + total.late
    closed = done + total.skipped
    return (
        Headline(
            "on_time_share",
            _("Done on time"),
            total.on_time_share,
            Unit.SHARE,
            _("%(numerator)s on time of %(denominator)s done")
            % {"numerator": total.on_time, "denominator": done},
        ),
        Headline(
            "skipped_share",
            _("Skipped"),
            skipped_share(total),
            Unit.SHARE,
            _("%(numerator)s skipped of %(denominator)s closed")
            % {"numerator": total.skipped, "denominator": closed},
        ),
        Headline(
            "overdue",
            _("Overdue now"),
            float(total.overdue),
            Unit.COUNT,
            _("%(numerator)s overdue of %(denominator)s open")
            % {"numerator": total.overdue, "denominator": total.open},
        ),
    )


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """Per owner and per month: check-ins done on time, late, skipped; overdue ones now."""
    today = now.date()
    first_day = axis_start(today, start=filters.period_start, months=DEFAULT_MONTHS)
    _start, end = period_bounds(filters)
    start = start_of(first_day)
    owners = disciplines(queries.by_owner(session, filters, start=start, end=end, today=today))
    months = disciplines(queries.by_month(session, filters, start=start, end=end, today=today))
    names = queries.owner_names(session, sorted(key for key in owners if isinstance(key, int)))
    owner_keys = sorted(owners, key=lambda key: (key is None, _label(key, names).lower()))
    owner_labels = tuple(_label(key, names) for key in owner_keys)
    outcome_names = _outcome_names()
    per_owner = [_counts(owners[key]) for key in owner_keys]
    total = combined(owners.values())
    note = _("No check-in yet for these filters.") if not owners else ""
    by_owner = Figure(
        key="by_owner",
        title=_("Check-ins per account manager"),
        kind=ChartKind.STACKED_BAR,
        unit=Unit.COUNT,
        category_label=_("Account manager"),
        categories=owner_labels,
        series=tuple(
            Series(name, tuple(counts[i] for counts in per_owner))
            for i, name in enumerate(outcome_names)
        ),
        note=note or _("Closed check-ins of the period; open and overdue ones as of today."),
    )
    share_by_owner = Figure(
        key="on_time_by_owner",
        title=_("Share done on time per account manager"),
        kind=ChartKind.BAR,
        unit=Unit.SHARE,
        category_label=_("Account manager"),
        categories=owner_labels,
        series=(Series(_("Done on time"), tuple(owners[k].on_time_share for k in owner_keys)),),
        note=note,
    )
    axis = months_between(first_day, filters.period_end or today)
    month_rows = [months.get(month, Discipline()) for month in axis]
    few = sum(1 for row in month_rows if row.on_time + row.late < FEW_DONE)
    trend = Figure(
        key="on_time_by_month",
        title=_("Share done on time, month by month"),
        kind=ChartKind.LINE,
        unit=Unit.SHARE,
        category_label=_("Month closed"),
        categories=tuple(axis),
        series=(Series(_("Done on time"), tuple(row.on_time_share for row in month_rows)),),
        note=_("Months with fewer than %(count)s check-ins done say little.") % {"count": FEW_DONE}
        if few
        else "",
    )
    monthly_counts = Figure(
        key="closed_by_month",
        title=_("Check-ins closed, month by month"),
        kind=ChartKind.STACKED_BAR,
        unit=Unit.COUNT,
        category_label=_("Month closed"),
        categories=tuple(axis),
        series=tuple(
            Series(name, tuple(float(getattr(row, field)) for row in month_rows))
            for name, field in zip(outcome_names[:3], ("on_time", "late", "skipped"), strict=True)
        ),
    )
    return QuestionAnswer(
        slug=SLUG,
        title=title(),
        headlines=_headlines(total),
        figures=(by_owner, share_by_owner, trend, monthly_counts),
        computed_at=now,
        filters=filters,
    )
