"""Pre-purchase: of the prospects' decisions, how many hired us, said "not now" or "no way"."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime

from flask_babel import gettext
from sqlmodel import Session

from advocacy.domain.analytics import pre_purchase as rules
from advocacy.domain.analytics.figures import (
    AnalyticsFilters,
    ChartKind,
    QuestionAnswer,
)
from advocacy.domain.analytics.pre_purchase import Decision, Outcome
from advocacy.domain.analytics.scope import EngagementFacts
from advocacy.repository.analytics import facts
from advocacy.repository.analytics import names as known_names
from advocacy.repository.analytics import pre_purchase as queries
from advocacy.services.analytics.figure_shapes import (
    count_headline,
    duration_histogram,
    median_days_headline,
    share_headline,
    stacked_counts,
    stacked_shares,
)

SLUG = "pre-purchase"


def title() -> str:
    return str(gettext("What do prospects decide?"))


def outcome_names() -> dict[str, str]:
    return {
        Outcome.HIRED: gettext("Hired"),
        Outcome.NOT_NOW: gettext("Not now"),
        Outcome.NO_WAY: gettext("No way"),
    }


def _groups(
    found: list[Decision],
    keys: Callable[[Decision], Iterable[Hashable]],
    label: Callable[[Hashable], str],
) -> list[tuple[str, dict[str, int]]]:
    by = rules.counts_by(found, keys)
    rows = [(label(key), {str(o): n for o, n in counts.items()}) for key, counts in by.items()]
    return sorted(rows, key=lambda row: (-sum(row[1].values()), row[0].casefold()))


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """Decisions in scope: shares per outcome and per group, time to decide, "not now" returns."""
    engagements = facts.engagement_facts(session)
    accounts = facts.account_facts(session, engagements)
    touches = queries.first_touches(session)
    referred = queries.referred_account_ids(session)

    def decided(wanted: AnalyticsFilters, among: list[EngagementFacts]) -> list[Decision]:
        return rules.decisions(
            accounts, among, first_touch=touches, referred_ids=referred, filters=wanted
        )

    found = decided(filters, engagements)
    # A "not now" came back when its account hired the firm later, whatever the filters: every
    # decision of those accounts (only theirs: a filtered view has few).
    waiting = {d.account.id for d in found if d.outcome is Outcome.NOT_NOW}
    every = (
        found
        if filters.is_default()
        else decided(AnalyticsFilters(), [e for e in engagements if e.account_id in waiting])
    )
    counts = rules.outcome_counts(found)
    total = sum(counts.values())
    waits = rules.comebacks(found, every)
    to_decide = [d.days_from_first_touch for d in found if d.days_from_first_touch is not None]
    lines = known_names.service_line_names(session)
    owners = known_names.user_names(session)
    outcomes = outcome_names()
    decisions_word = gettext("decisions")
    headlines = (
        count_headline("decisions", gettext("Decisions"), total),
        share_headline("hired", gettext("Hired"), counts[Outcome.HIRED], total, decisions_word),
        share_headline(
            "not_now", gettext("Not now"), counts[Outcome.NOT_NOW], total, decisions_word
        ),
        share_headline("no_way", gettext("No way"), counts[Outcome.NO_WAY], total, decisions_word),
        share_headline(
            "came_back",
            gettext("“Not now” who later hired us"),
            len(waits),
            counts[Outcome.NOT_NOW],
            gettext("“not now” decisions"),
        ),
        median_days_headline(
            "days_to_decision",
            gettext("Time from first touch to decision"),
            to_decide,
            decisions_word,
        ),
    )
    no_line, no_industry, nobody = (
        gettext("No service line"),
        gettext("No industry"),
        gettext("Nobody"),
    )
    figures = (
        stacked_shares(
            "by-service-line",
            gettext("Outcomes by service line"),
            gettext("Service line"),
            _groups(
                found,
                lambda d: d.line_ids or {None},
                lambda key: lines.get(key, no_line) if isinstance(key, int) else no_line,
            ),
            outcomes,
        ),
        stacked_shares(
            "by-industry",
            gettext("Outcomes by industry"),
            gettext("Industry"),
            _groups(found, lambda d: [d.account.industry], lambda key: str(key) or no_industry),
            outcomes,
        ),
        stacked_shares(
            "by-source",
            gettext("Outcomes by source"),
            gettext("Source"),
            _groups(
                found,
                lambda d: [d.referred],
                lambda key: gettext("Referral") if key else gettext("Other sources"),
            ),
            outcomes,
        ),
        stacked_shares(
            "by-owner",
            gettext("Outcomes by owner"),
            gettext("Owner"),
            _groups(
                found,
                lambda d: [d.account.owner_id],
                lambda key: owners.get(key, nobody) if isinstance(key, int) else nobody,
            ),
            outcomes,
        ),
        stacked_counts(
            "by-year",
            gettext("Decisions per year"),
            gettext("Year"),
            sorted(_groups(found, lambda d: [d.on.year], str), key=lambda row: row[0]),
            outcomes,
            kind=ChartKind.LINE,
        ),
        duration_histogram(
            "time-to-decision", gettext("Time from first touch to decision"), to_decide
        ),
        duration_histogram("not-now-return", gettext("Time from “not now” to hiring us"), waits),
    )
    return QuestionAnswer(SLUG, title(), headlines, figures, now, filters)
