"""Analytics question: how many clients are ready to advocate, and what did they give? Read-only.

Contacts per stored tier, testimonials, referrals and references per month, reference requests
fulfilled and calls declined, consent withdrawn per month, and the score's calibration (its lift
per decile, the `/advocates/calibration` report).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from flask_babel import gettext as _
from sqlmodel import Session

from advocacy.domain.analytics.advocacy_pipeline import (
    TIER_ORDER,
    ReferenceOutcomes,
    ready_share,
    reference_outcomes,
    tier_counts,
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
from advocacy.domain.analytics.months import DEFAULT_MONTHS, along, axis_start, months_between
from advocacy.domain.score_asks import Tier
from advocacy.repository.analytics import advocacy_pipeline as queries
from advocacy.repository.analytics.scope import period_bounds, start_of
from advocacy.services.scoring.history import calibration_report

SLUG: Final = "advocacy_pipeline"


def title() -> str:
    """The question's name, in the reader's language."""
    return str(_("Advocacy pipeline"))


# The calibration as the report shows it by default: outcomes within six months, periods a
# quarter apart.
CALIBRATION_MONTHS: Final = 6
CALIBRATION_EVERY_DAYS: Final = 91


def _tier_labels() -> dict[Tier, str]:
    return {
        Tier.CHAMPION: _("Champion"),
        Tier.ADVOCATE: _("Advocate"),
        Tier.PASSIVE: _("Passive"),
        Tier.AT_RISK: _("At risk"),
        Tier.DO_NOT_ASK: _("Do not ask"),
    }


def _words(template: str, numerator: int, denominator: int) -> str:
    return template % {"numerator": numerator, "denominator": denominator}


def _headlines(
    tiers: dict[str, int], gifts: dict[str, dict[str, int]], outcomes: ReferenceOutcomes
) -> tuple[Headline, ...]:
    scored = sum(tiers.values())
    ready = tiers.get(Tier.CHAMPION.value, 0) + tiers.get(Tier.ADVOCATE.value, 0)
    given = sum(sum(months.values()) for months in gifts.values())
    return (
        Headline(
            "ready",
            _("Champions and advocates"),
            ready_share(tiers),
            Unit.SHARE,
            _words(_("%(numerator)s of %(denominator)s scored contacts"), ready, scored),
        ),
        Headline(
            "given",
            _("Testimonials, referrals and references"),
            float(given),
            Unit.COUNT,
            _("given in the months shown"),
        ),
        Headline(
            "requests_fulfilled",
            _("Reference requests fulfilled"),
            outcomes.fulfilled_share,
            Unit.SHARE,
            _words(
                _("%(numerator)s fulfilled of %(denominator)s requests"),
                outcomes.fulfilled,
                outcomes.requests,
            ),
        ),
        Headline(
            "calls_declined",
            _("Reference calls declined"),
            outcomes.declined_share,
            Unit.SHARE,
            _words(
                _("%(numerator)s declined of %(denominator)s answered"),
                outcomes.calls_declined,
                outcomes.calls_answered,
            ),
        ),
    )


def _calibration_figure(session: Session, now: datetime) -> Figure:
    report = calibration_report(
        session,
        today=now.date(),
        months=CALIBRATION_MONTHS,
        every_days=CALIBRATION_EVERY_DAYS,
    )
    found = report.result
    if not found.deciles:
        note = _("Too few scored contacts with a past period to calibrate the score yet.")
    elif not found.enough:
        note = _("Few contacts or outcomes so far: read the lift with care.")
    else:
        note = _("A lift of 1 is no better than chance; the whole firm, whatever the filters.")
    return Figure(
        key="calibration",
        title=_("Score calibration: lift per decile"),
        kind=ChartKind.BAR,
        unit=Unit.SCORE,
        category_label=_("Score decile (1 is the top)"),
        categories=tuple(str(decile.number) for decile in found.deciles),
        series=(Series(_("Lift"), tuple(decile.lift for decile in found.deciles)),),
        note=note,
    )


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """Tiers now, what clients gave and withdrew month by month, references, calibration."""
    today = now.date()
    first_day = axis_start(today, start=filters.period_start, months=DEFAULT_MONTHS)
    _period_start, end = period_bounds(filters)
    start = start_of(first_day)
    axis = tuple(months_between(first_day, filters.period_end or today))
    tiers = queries.contacts_per_tier(session, filters)
    gifts = queries.gifts_per_month(session, filters, start=start, end=end)
    outcomes = reference_outcomes(
        queries.requests_by_status(session, filters, start=start, end=end),
        queries.calls_by_status(session, filters, start=start, end=end),
    )
    withdrawn = queries.withdrawals_per_month(session, filters, start=start, end=end)
    labels = _tier_labels()
    tier_figure = Figure(
        key="tiers",
        title=_("Contacts per tier"),
        kind=ChartKind.BAR,
        unit=Unit.COUNT,
        category_label=_("Tier"),
        categories=tuple(labels[tier] for tier in TIER_ORDER),
        series=(Series(_("Contacts"), tuple(float(n) for n in tier_counts(tiers))),),
        note=_("No contact has a score yet.") if not tiers else _("Today's scores."),
    )
    gifts_figure = Figure(
        key="given_by_month",
        title=_("What clients gave, month by month"),
        kind=ChartKind.STACKED_BAR,
        unit=Unit.COUNT,
        category_label=_("Month"),
        categories=axis,
        series=(
            Series(_("Testimonials"), along(axis, gifts["testimonials"])),
            Series(_("Referrals"), along(axis, gifts["referrals"])),
            Series(_("References"), along(axis, gifts["references"])),
        ),
    )
    references = Figure(
        key="references",
        title=_("Reference requests and calls"),
        kind=ChartKind.BAR,
        unit=Unit.COUNT,
        category_label=_("Outcome"),
        categories=(
            _("Requests made"),
            _("Requests fulfilled"),
            _("Requests cancelled"),
            _("Calls answered"),
            _("Calls declined"),
        ),
        series=(
            Series(
                _("Count"),
                (
                    float(outcomes.requests),
                    float(outcomes.fulfilled),
                    float(outcomes.cancelled),
                    float(outcomes.calls_answered),
                    float(outcomes.calls_declined),
                ),
            ),
        ),
        note=_("No reference request in this period.") if not outcomes.requests else "",
    )
    withdrawals = Figure(
        key="withdrawals_by_month",
        title=_("Consent withdrawn, month by month"),
        kind=ChartKind.STACKED_BAR,
        unit=Unit.COUNT,
        category_label=_("Month"),
        categories=axis,
        series=(
            Series(_("Testimonial permissions"), along(axis, withdrawn["permissions"])),
            Series(_("E-mail consent"), along(axis, withdrawn["mail"])),
        ),
    )
    return QuestionAnswer(
        slug=SLUG,
        title=title(),
        headlines=_headlines(tiers, gifts, outcomes),
        figures=(
            tier_figure,
            gifts_figure,
            references,
            withdrawals,
            _calibration_figure(session, now),
        ),
        computed_at=now,
        filters=filters,
    )
