"""Between engagements: how often clients get there, how long they stay, who comes back and
buys something new."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask_babel import gettext
from sqlmodel import Session

from advocacy.domain.analytics import engagement_between as rules
from advocacy.domain.analytics.figures import AnalyticsFilters, ChartKind, QuestionAnswer
from advocacy.domain.analytics.scope import account_in_scope
from advocacy.repository.analytics import engagement_between as queries
from advocacy.repository.analytics import facts
from advocacy.repository.analytics import names as known_names
from advocacy.services.analytics.figure_shapes import (
    count_headline,
    duration_histogram,
    median_days_headline,
    share_headline,
    stacked_counts,
    stacked_shares,
)

SLUG = "between-engagements"


def title() -> str:
    return str(gettext("Do clients come back between engagements?"))


def answer(session: Session, filters: AnalyticsFilters, *, now: datetime) -> QuestionAnswer:
    """Stays between engagements, returns and their wait, and the cross-sell of repeat hires."""
    engagements = facts.engagement_facts(session)
    accounts = facts.account_facts(session, engagements)
    in_scope = (
        None
        if filters.is_default()
        else {a.id for a in accounts.values() if account_in_scope(a, filters)}
    )
    stays = rules.stints(accounts, queries.stage_changes(session, in_scope), filters=filters)
    clients = rules.clients_in_scope(accounts.values(), filters)
    repeats = rules.repeat_hires(accounts, engagements, filters=filters)
    today = now.date()
    moved = {s.account.id for s in stays}
    returned = [s for s in stays if s.returned]
    ended = [s.days(today) for s in stays if s.ended_on is not None]
    waits = [s.days(today) for s in returned]
    cross = [r for r in repeats if r.cross_sell]
    stays_word = gettext("stays between engagements")
    headlines = (
        count_headline("moves", gettext("Moves between engagements"), len(stays)),
        share_headline(
            "clients_moved",
            gettext("Clients who went between engagements"),
            len(moved),
            clients,
            gettext("clients who hired us"),
        ),
        median_days_headline(
            "days_between",
            gettext("Time spent between engagements"),
            ended,
            gettext("finished stays"),
        ),
        share_headline(
            "return_rate", gettext("Return rate"), len(returned), len(stays), stays_word
        ),
        median_days_headline(
            "days_to_return", gettext("Time to return"), waits, gettext("returns")
        ),
        share_headline(
            "cross_sell",
            gettext("Cross-sell rate"),
            len(cross),
            len(repeats),
            gettext("repeat engagements"),
        ),
    )
    per_year: dict[int, Counter[str]] = {}
    for stay in stays:
        per_year.setdefault(stay.started_on.year, Counter())["moved"] += 1
        if stay.returned:
            per_year[stay.started_on.year]["returned"] += 1
    by_cohort: dict[int, Counter[str]] = {}
    for stay in stays:
        if stay.account.cohort_year is not None:
            outcome = "returned" if stay.returned else ("left" if stay.ended_on else "waiting")
            by_cohort.setdefault(stay.account.cohort_year, Counter())[outcome] += 1
    lines = known_names.service_line_names(session)
    new_lines: Counter[int] = Counter(line for r in cross for line in r.new_line_ids)
    figures = (
        stacked_counts(
            "per-year",
            gettext("Moves between engagements and returns, by year of the move"),
            gettext("Year"),
            [(str(y), dict(per_year[y])) for y in sorted(per_year)],
            {"moved": gettext("Moved between engagements"), "returned": gettext("Came back")},
            kind=ChartKind.LINE,
        ),
        duration_histogram(
            "time-between", gettext("Time spent between engagements (finished stays)"), ended
        ),
        duration_histogram("time-to-return", gettext("Time to return"), waits),
        stacked_shares(
            "cohorts",
            gettext("What became of the stays, by cohort (year of first engagement)"),
            gettext("Cohort"),
            [(str(y), dict(by_cohort[y])) for y in sorted(by_cohort)],
            {
                "returned": gettext("Came back"),
                "left": gettext("Became former clients"),
                "waiting": gettext("Still between engagements"),
            },
        ),
        stacked_counts(
            "cross-sell-lines",
            gettext("Service lines bought for the first time on a return"),
            gettext("Service line"),
            sorted(
                ((lines.get(line, "?"), {"count": n}) for line, n in new_lines.items()),
                key=lambda row: (-row[1]["count"], row[0].casefold()),
            ),
            {"count": gettext("Repeat engagements")},
            kind=ChartKind.BAR,
        ),
    )
    return QuestionAnswer(SLUG, title(), headlines, figures, now, filters)
