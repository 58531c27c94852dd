"""Former clients: which camp they are in, whether they still refer us, and why they left."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask_babel import gettext
from sqlmodel import Session

from advocacy.domain.analytics import former_clients as rules
from advocacy.domain.analytics.figures import (
    AnalyticsFilters,
    ChartKind,
    Figure,
    Headline,
    QuestionAnswer,
    Series,
    Unit,
)
from advocacy.domain.analytics.former_clients import ReasonGroup
from advocacy.domain.analytics.scope import share
from advocacy.domain.journey import Camp
from advocacy.repository.analytics import facts
from advocacy.repository.analytics import former_clients as queries
from advocacy.services.analytics.figure_shapes import share_headline, stacked_counts

SLUG = "former-clients"


def title() -> str:
    return str(gettext("Do former clients still speak for us?"))


def camp_names() -> dict[str, str]:
    return {
        Camp.GOOD: gettext("Good experience"),
        Camp.BAD: gettext("Bad experience"),
        Camp.UNKNOWN: gettext("Not known"),
    }


def _reasons_figure(key: str, figure_title: str, groups: list[ReasonGroup]) -> Figure:
    camps = camp_names()
    return Figure(
        key=key,
        title=figure_title,
        kind=ChartKind.STACKED_BAR,
        unit=Unit.COUNT,
        category_label=gettext("Reason"),
        categories=tuple(g.text or gettext("Other reasons") for g in groups),
        series=tuple(
            Series(name, tuple(float(g.counts.get(Camp(code), 0)) for g in groups))
            for code, name in camps.items()
        ),
        note="" if groups else gettext("Nothing written down yet."),
    )


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """Former clients in scope: camp split, referrals since they left, their reasons grouped."""
    engagements = facts.engagement_facts(session)
    accounts = facts.account_facts(session, engagements)
    found = rules.former_clients(
        accounts, queries.former_facts(session), queries.referral_times(session), filters=filters
    )
    camps = rules.camp_counts(found)
    total = len(found)
    referring = [f for f in found if f.referrals]
    referrals = sum(f.referrals for f in found)
    clients_word = gettext("former clients")
    headlines = (
        Headline("former", gettext("Former clients"), float(total), Unit.COUNT),
        share_headline("good", gettext("Good experience"), camps[Camp.GOOD], total, clients_word),
        share_headline("bad", gettext("Bad experience"), camps[Camp.BAD], total, clients_word),
        share_headline(
            "referring",
            gettext("Former clients who referred us since leaving"),
            len(referring),
            total,
            clients_word,
        ),
        Headline(
            "referrals_per_client",
            gettext("Referrals per former client"),
            share(referrals, total),
            Unit.SCORE,
            gettext("referrals: %(num)d, former clients: %(total)d", num=referrals, total=total),
        ),
    )
    camp_of = {f.account.id: f.camp for f in found}
    comments = [
        (text, camp_of[account_id])
        for account_id, text in queries.former_survey_comments(session)
        if account_id in camp_of
    ]
    referrals_by_camp: dict[str, Counter[str]] = {}
    names = camp_names()
    for former in found:
        row = referrals_by_camp.setdefault(former.camp, Counter())
        row["clients"] += 1
        row["referring"] += 1 if former.referrals else 0
        row["referrals"] += former.referrals
    by_cohort: dict[int, Counter[str]] = {}
    for former in found:
        if former.account.cohort_year is not None:
            by_cohort.setdefault(former.account.cohort_year, Counter())[former.camp] += 1
    figures = (
        stacked_counts(
            "camps-by-cohort",
            gettext("Former clients by camp and cohort (year of first engagement)"),
            gettext("Cohort"),
            [(str(y), dict(by_cohort[y])) for y in sorted(by_cohort)],
            names,
        ),
        stacked_counts(
            "referrals-by-camp",
            gettext("Referrals since leaving, by camp"),
            gettext("Camp"),
            [(names[c], dict(referrals_by_camp[c])) for c in names if c in referrals_by_camp],
            {
                "clients": gettext("Former clients"),
                "referring": gettext("Who referred us"),
                "referrals": gettext("Referrals"),
            },
            kind=ChartKind.BAR,
        ),
        _reasons_figure(
            "reasons",
            gettext("Why they left (account managers' reasons), by camp"),
            rules.grouped_reasons((f.reason, f.camp) for f in found),
        ),
        _reasons_figure(
            "survey-comments",
            gettext("What they told us in surveys, by camp"),
            rules.grouped_reasons(comments),
        ),
    )
    return QuestionAnswer(SLUG, title(), headlines, figures, now, filters)
