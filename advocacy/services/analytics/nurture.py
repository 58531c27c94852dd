"""Analytics question: what did each nurture campaign do, from enrolment to click? Read-only."""

from __future__ import annotations

from datetime import datetime
from typing import Final

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
from advocacy.domain.analytics.nurture import STAGES, CampaignFunnel, stage_values, total
from advocacy.repository.analytics import nurture as queries

SLUG: Final = "nurture"


def title() -> str:
    """The question's name, in the reader's language."""
    return str(_("Nurture campaign results"))


def _stage_labels() -> dict[str, str]:
    return {
        "enrolled": _("Enrolled"),
        "planned": _("Steps carried out"),
        "sent": _("Sent"),
        "delivered": _("Delivered"),
        "opened": _("Opened"),
        "clicked": _("Clicked"),
        "stopped": _("Stopped early"),
    }


def funnels(session: Session, filters: AnalyticsFilters) -> list[CampaignFunnel]:
    """Every campaign past its draft, with its funnel over the enrolments the filters keep."""
    counts = queries.counts_by_campaign(session, filters)
    result = []
    for campaign_id, name in queries.campaign_names(session):
        found = counts.get(campaign_id)
        if found is None:
            result.append(CampaignFunnel(name=name))
            continue
        result.append(
            CampaignFunnel(
                name=name,
                enrolled=found.enrolled,
                planned=found.planned,
                sent=found.sent,
                delivered=found.delivered,
                opened=found.opened,
                clicked=found.clicked,
                stopped=sum(found.stopped.values()),
            )
        )
    return result


def _headlines(all_: CampaignFunnel, campaigns: int) -> tuple[Headline, ...]:
    def of(numerator: int, denominator: int, words: str) -> str:
        return words % {"numerator": numerator, "denominator": denominator}

    return (
        Headline(
            "campaigns",
            _("Campaigns"),
            float(campaigns),
            Unit.COUNT,
            _("campaigns that have left their draft"),
        ),
        Headline(
            "enrolled",
            _("Contacts enrolled"),
            float(all_.enrolled),
            Unit.COUNT,
            _("enrolments in every campaign"),
        ),
        Headline(
            "open_rate",
            _("Open rate"),
            all_.open_rate,
            Unit.SHARE,
            of(all_.opened, all_.delivered, _("%(numerator)s opened of %(denominator)s delivered")),
        ),
        Headline(
            "click_rate",
            _("Click rate"),
            all_.click_rate,
            Unit.SHARE,
            of(
                all_.clicked,
                all_.delivered,
                _("%(numerator)s clicked of %(denominator)s delivered"),
            ),
        ),
        Headline(
            "stop_rate",
            _("Stopped early"),
            all_.stop_rate,
            Unit.SHARE,
            of(
                all_.stopped,
                all_.enrolled,
                _("%(numerator)s stopped early of %(denominator)s enrolled"),
            ),
        ),
    )


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """Each campaign's funnel (enrolled to clicked, and stopped), as figures and headlines."""
    campaigns = funnels(session, filters)
    all_ = total(campaigns, _("All campaigns"))
    labels = _stage_labels()
    empty = _("No campaign has enrolled anyone yet.") if all_.enrolled == 0 else ""
    names = tuple(funnel.name for funnel in campaigns)
    by_campaign = Figure(
        key="funnel_by_campaign",
        title=_("Results per campaign"),
        kind=ChartKind.BAR,
        unit=Unit.COUNT,
        category_label=_("Campaign"),
        categories=names,
        series=tuple(
            Series(labels[stage], tuple(float(getattr(funnel, stage)) for funnel in campaigns))
            for stage in STAGES
        ),
        note=empty,
    )
    funnel = Figure(
        key="funnel",
        title=_("From enrolment to click, every campaign"),
        kind=ChartKind.FUNNEL,
        unit=Unit.COUNT,
        category_label=_("Stage"),
        categories=tuple(labels[stage] for stage in STAGES if stage != "stopped"),
        series=(Series(_("Count"), tuple(float(v) for v in stage_values(all_)[:-1])),),
        note=empty,
    )
    rates = Figure(
        key="rates_by_campaign",
        title=_("Open and click rates per campaign"),
        kind=ChartKind.BAR,
        unit=Unit.SHARE,
        category_label=_("Campaign"),
        categories=names,
        series=(
            Series(_("Open rate"), tuple(funnel.open_rate for funnel in campaigns)),
            Series(_("Click rate"), tuple(funnel.click_rate for funnel in campaigns)),
        ),
        note=_("A rate is blank until the campaign has delivered an e-mail."),
    )
    return QuestionAnswer(
        slug=SLUG,
        title=title(),
        headlines=_headlines(all_, len(campaigns)),
        figures=(funnel, by_campaign, rates),
        computed_at=now,
        filters=filters,
    )
