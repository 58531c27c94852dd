"""Analytics question: how typecast is the firm? Read-only.

The typecasting index (docs/metrics.md) across accounts: its distribution now, its average at the
end of each quarter (from the dates on the awareness records: no history of the index is stored),
and the service lines clients know the firm for least.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from advocacy.domain.analytics.figures import (
    AnalyticsFilters,
    ChartKind,
    Figure,
    Headline,
    QuestionAnswer,
    Series,
    Unit,
)
from advocacy.domain.analytics.months import (
    DEFAULT_QUARTERS,
    months_between,
    quarter_axis_start,
    quarter_key,
)
from advocacy.domain.analytics.typecasting import (
    KnownPairs,
    average_by_quarter,
    average_index,
    bucket_labels,
    defined_accounts,
    histogram,
    line_reach,
)
from advocacy.domain.awareness import relevant_lines
from advocacy.repository import nurture_facts
from advocacy.repository.analytics import typecasting as queries

SLUG: Final = "typecasting"


def title() -> str:
    """The question's name, in the reader's language."""
    return str(_("Typecasting: what clients know the firm for"))


# The lines shown as the least known.
LEAST_KNOWN: Final = 5


def _percent(value: float | None) -> float | None:
    """The index reads 0–100 (Unit.SCORE), as the account page shows it."""
    return None if value is None else round(value * 100, 1)


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """The index's distribution now, its quarterly trend, and the least known service lines."""
    threshold = current_app.config["ADVOCACY"].typecasting_relevance_threshold
    active, relevance = nurture_facts.catalogue(session)
    accounts = queries.accounts_per_industry(session, filters)
    relevant = {
        industry: relevant_lines(active, relevance.get(industry, {}), threshold)
        for industry in accounts
    }
    sizes = {industry: len(lines) for industry, lines in relevant.items()}
    rated = queries.rated_industries(session)
    by_known = queries.accounts_by_known_count(session, filters, threshold=threshold, rated=rated)
    pairs = [
        KnownPairs(industry, line, month, number)
        for industry, line, month, number in queries.known_pairs_by_month(
            session, filters, threshold=threshold, rated=rated
        )
    ]
    counted = defined_accounts(accounts, sizes)
    average = average_index(accounts, by_known, sizes)
    too_few = _("No account has an index yet.") if not counted else ""

    today = now.date()
    first = quarter_axis_start(today, start=filters.period_start, quarters=DEFAULT_QUARTERS)
    months = months_between(first, filters.period_end or today)
    quarters: dict[str, str] = {}
    for month in months:
        quarters[quarter_key(month)] = month  # the last month of the quarter within the axis
    trend = average_by_quarter(quarters.items(), accounts, pairs, sizes)

    names = queries.line_names(session)
    reach = line_reach(accounts, relevant, pairs)
    least = reach[:LEAST_KNOWN]
    return QuestionAnswer(
        slug=SLUG,
        title=title(),
        headlines=(
            Headline(
                "average_index",
                _("Average typecasting index"),
                _percent(average),
                Unit.SCORE,
                _("over %(count)s accounts with relevant service lines") % {"count": counted},
            ),
            Headline(
                "least_known_share",
                _("Least known line"),
                least[0].known_share if least else None,
                Unit.SHARE,
                _("%(line)s: %(numerator)s of %(denominator)s accounts it matters to")
                % {
                    "line": names.get(least[0].service_line_id, ""),
                    "numerator": least[0].knowing_accounts,
                    "denominator": least[0].relevant_accounts,
                }
                if least
                else "",
            ),
        ),
        figures=(
            Figure(
                key="distribution",
                title=_("Accounts by typecasting index"),
                kind=ChartKind.HISTOGRAM,
                unit=Unit.COUNT,
                category_label=_("Typecasting index"),
                categories=bucket_labels(),
                series=(
                    Series(
                        _("Accounts"), tuple(float(n) for n in histogram(accounts, by_known, sizes))
                    ),
                ),
                note=too_few or _("Today's awareness; the period does not apply."),
            ),
            Figure(
                key="average_by_quarter",
                title=_("Average typecasting index, quarter by quarter"),
                kind=ChartKind.LINE,
                unit=Unit.SCORE,
                category_label=_("Quarter"),
                categories=tuple(quarters),
                series=(Series(_("Average index"), tuple(_percent(v) for v in trend)),),
                note=too_few
                or _(
                    "Today's accounts, each line counted from its earliest dated evidence: "
                    "a line bought again later reads as unknown before."
                ),
            ),
            Figure(
                key="least_known_lines",
                title=_("Service lines clients know the firm for least"),
                kind=ChartKind.BAR,
                unit=Unit.SHARE,
                category_label=_("Service line"),
                categories=tuple(names.get(line.service_line_id, "") for line in reach),
                series=(
                    Series(_("Accounts that know it"), tuple(line.known_share for line in reach)),
                ),
                note=too_few
                or _("Share of the accounts the line is relevant to that know the firm for it."),
            ),
        ),
        computed_at=now,
        filters=filters,
    )
