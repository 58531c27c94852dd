"""Analytics question: what do clients say, and what does the firm do about it? Read-only.

NPS and CSAT per quarter, per service line and per account owner; detractors and how fast their
repair conversation was held; promoters asked for a testimonial, referral or reference, and how
many of them gave something.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Final

from flask_babel import gettext as _
from sqlmodel import Session

from advocacy.domain.analytics.client_voice import (
    REPAIR_BUCKETS,
    PromoterAsks,
    Repairs,
    answers,
    csat,
    merge,
    nps,
)
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
from advocacy.domain.surveys import SurveyKind
from advocacy.repository.analytics import client_voice as queries
from advocacy.repository.analytics.check_in_discipline import owner_names
from advocacy.repository.analytics.scope import period_bounds, start_of

SLUG: Final = "client_voice"


def title() -> str:
    """The question's name, in the reader's language."""
    return str(_("Client voice"))


# Fewer answers than this in a quarter or group: its NPS moves with every answer.
FEW_ANSWERS: Final = 10

Counts = dict[int, int]


def _by(rows: list[tuple[str, object, int, int]]) -> dict[str, dict[object, Counts]]:
    """kind → group → score → answers."""
    found: dict[str, dict[object, Counts]] = defaultdict(lambda: defaultdict(dict))
    for kind, group, score, number in rows:
        counts = found[kind][group]
        counts[score] = counts.get(score, 0) + number
    return found


def _group_figure(
    key: str,
    title: str,
    label: str,
    groups: dict[str, dict[object, Counts]],
    names: dict[object, str],
) -> Figure:
    keys = sorted(
        set(groups[SurveyKind.NPS.value]) | set(groups[SurveyKind.CSAT.value]),
        key=lambda group: names.get(group, "").lower(),
    )
    nps_counts, csat_counts = groups[SurveyKind.NPS.value], groups[SurveyKind.CSAT.value]
    few = any(answers(nps_counts.get(k, {})) < FEW_ANSWERS for k in keys)
    return Figure(
        key=key,
        title=title,
        kind=ChartKind.BAR,
        unit=Unit.SCORE,
        category_label=label,
        categories=tuple(names.get(k, "") for k in keys),
        series=(
            Series(_("NPS"), tuple(nps(nps_counts.get(k, {})) for k in keys)),
            Series(_("Average CSAT"), tuple(csat(csat_counts.get(k, {})) for k in keys)),
            Series(_("NPS answers"), tuple(float(answers(nps_counts.get(k, {}))) for k in keys)),
        ),
        note=(_("No answer in this period.") if not keys else "")
        or (
            _("Groups with fewer than %(count)s NPS answers say little.") % {"count": FEW_ANSWERS}
            if few
            else ""
        ),
    )


def _repair_labels() -> tuple[str, ...]:
    spans = tuple(
        _("%(low)s–%(high)s days") % {"low": low, "high": high} for low, high in REPAIR_BUCKETS
    )
    return (
        *spans,
        _("Over %(days)s days") % {"days": REPAIR_BUCKETS[-1][1]},
        _("Not repaired yet"),
    )


def _headlines(
    total_nps: Counts, total_csat: Counts, repairs: Repairs, asks: PromoterAsks
) -> tuple[Headline, ...]:
    def words(template: str, numerator: int, denominator: int) -> str:
        return template % {"numerator": numerator, "denominator": denominator}

    return (
        Headline(
            "nps",
            _("NPS"),
            nps(total_nps),
            Unit.SCORE,
            _("from %(count)s answers") % {"count": answers(total_nps)},
        ),
        Headline(
            "csat",
            _("Average CSAT"),
            csat(total_csat),
            Unit.SCORE,
            _("from %(count)s answers") % {"count": answers(total_csat)},
        ),
        Headline(
            "repaired",
            _("Detractors repaired"),
            repairs.repaired_share,
            Unit.SHARE,
            words(
                _("%(numerator)s repair conversations held of %(denominator)s detractors"),
                repairs.repaired,
                repairs.detractors,
            ),
        ),
        Headline(
            "median_repair_days",
            _("Days to repair (median)"),
            repairs.median_days,
            Unit.DAYS,
            _("from the answer to the repair conversation held, over %(count)s repaired")
            % {"count": repairs.repaired},
        ),
        Headline(
            "still_open",
            _("Detractors not repaired yet"),
            repairs.open_share,
            Unit.SHARE,
            words(
                _("%(numerator)s of %(denominator)s detractors"),
                repairs.still_open,
                repairs.detractors,
            ),
        ),
        Headline(
            "promoters_asked",
            _("Promoters asked"),
            asks.asked_share,
            Unit.SHARE,
            words(_("%(numerator)s of %(denominator)s promoters"), asks.asked, asks.promoters),
        ),
        Headline(
            "asked_gave",
            _("Asked promoters who gave"),
            asks.gave_share,
            Unit.SHARE,
            words(_("%(numerator)s of %(denominator)s asked"), asks.gave, asks.asked),
        ),
    )


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """NPS and CSAT over time and by group, detractors' repair, promoters asked and giving."""
    today = now.date()
    first = quarter_axis_start(today, start=filters.period_start, quarters=DEFAULT_QUARTERS)
    start, (_start, end) = start_of(first), period_bounds(filters)
    months = months_between(first, filters.period_end or today)
    quarters = list(dict.fromkeys(quarter_key(month) for month in months))

    by_month = _by(
        [
            (k, m, s, n)
            for k, m, s, n in queries.scores_by_month(session, filters, start=start, end=end)
        ]
    )
    per_quarter: dict[str, dict[str, list[Counts]]] = defaultdict(lambda: defaultdict(list))
    for kind, groups in by_month.items():
        for month, counts in groups.items():
            per_quarter[kind][quarter_key(str(month))].append(counts)
    quarter_counts = {
        kind: [merge(per_quarter[kind].get(q, [])) for q in quarters]
        for kind in (SurveyKind.NPS.value, SurveyKind.CSAT.value)
    }
    total_nps = merge(quarter_counts[SurveyKind.NPS.value])
    total_csat = merge(quarter_counts[SurveyKind.CSAT.value])
    few_quarters = any(answers(c) < FEW_ANSWERS for c in quarter_counts[SurveyKind.NPS.value])
    over_time = Figure(
        key="by_quarter",
        title=_("NPS and CSAT, quarter by quarter"),
        kind=ChartKind.LINE,
        unit=Unit.SCORE,
        category_label=_("Quarter"),
        categories=tuple(quarters),
        series=(
            Series(_("NPS"), tuple(nps(c) for c in quarter_counts[SurveyKind.NPS.value])),
            Series(
                _("Average CSAT"), tuple(csat(c) for c in quarter_counts[SurveyKind.CSAT.value])
            ),
        ),
        note=_("Quarters with fewer than %(count)s NPS answers say little.")
        % {"count": FEW_ANSWERS}
        if few_quarters
        else "",
    )

    by_owner = _by(
        [
            (k, o, s, n)
            for k, o, s, n in queries.scores_by_owner(session, filters, start=start, end=end)
        ]
    )
    owners = {key for groups in by_owner.values() for key in groups}
    found_names = owner_names(session, sorted(k for k in owners if isinstance(k, int)))
    owner_labels: dict[object, str] = {
        k: found_names.get(k, "") if isinstance(k, int) else _("No owner") for k in owners
    }
    by_line = _by(
        [
            (k, line, s, n)
            for k, line, s, n in queries.scores_by_line(session, filters, start=start, end=end)
        ]
    )
    lines = sorted({key for groups in by_line.values() for key in groups if isinstance(key, int)})
    line_labels: dict[object, str] = {
        key: name for key, name in queries.line_names(session, lines).items()
    }

    repairs_found = queries.detractor_repairs(session, filters, start=start, end=end)
    repairs = Repairs(
        detractors=len(repairs_found),
        days=tuple(
            (held - answered).total_seconds() / 86400 for answered, held in repairs_found if held
        ),
    )
    asks = PromoterAsks(*queries.promoters_asked(session, filters, start=start, end=end))
    return QuestionAnswer(
        slug=SLUG,
        title=title(),
        headlines=_headlines(total_nps, total_csat, repairs, asks),
        figures=(
            over_time,
            _group_figure(
                "by_service_line",
                _("NPS and CSAT per service line"),
                _("Service line"),
                by_line,
                line_labels,
            ),
            _group_figure(
                "by_owner",
                _("NPS and CSAT per account owner"),
                _("Account owner"),
                by_owner,
                owner_labels,
            ),
            Figure(
                key="repair_days",
                title=_("Days from a detractor's answer to the repair conversation"),
                kind=ChartKind.HISTOGRAM,
                unit=Unit.COUNT,
                category_label=_("Days"),
                categories=_repair_labels(),
                series=(Series(_("Detractors"), tuple(float(n) for n in repairs.histogram())),),
                note=_("No detractor in this period.") if not repairs.detractors else "",
            ),
            Figure(
                key="promoters",
                title=_("Promoters asked, and what they gave"),
                kind=ChartKind.FUNNEL,
                unit=Unit.COUNT,
                category_label=_("Stage"),
                categories=(_("Promoters"), _("Asked"), _("Gave something")),
                series=(
                    Series(
                        _("Contacts"),
                        (float(asks.promoters), float(asks.asked), float(asks.gave)),
                    ),
                ),
                note=_("No promoter in this period.") if not asks.promoters else "",
            ),
        ),
        computed_at=now,
        filters=filters,
    )
