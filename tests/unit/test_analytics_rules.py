"""The analytics arithmetic: decision days, cohorts, scope, histograms, stays, repeat hires,
grouped reasons, and the stored form of an answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

from advocacy.domain.analytics import engagement_between, former_clients, pre_purchase, scope
from advocacy.domain.analytics.engagement_between import StageChangeFacts
from advocacy.domain.analytics.figures import (
    AnalyticsFilters,
    ChartKind,
    Figure,
    Headline,
    QuestionAnswer,
    Series,
    Unit,
)
from advocacy.domain.analytics.former_clients import FormerFacts
from advocacy.domain.analytics.scope import AccountFacts, EngagementFacts
from advocacy.domain.analytics.stored_form import from_json, to_json
from advocacy.domain.journey import Camp, EngagementStatus, Stage

S = EngagementStatus


def engagement(
    id_: int, status: S, *, proposed: str, updated: str, start: str | None = None, lines=(1,)
) -> EngagementFacts:
    return EngagementFacts(
        id_,
        10,
        status,
        date.fromisoformat(proposed),
        date.fromisoformat(updated),
        date.fromisoformat(start) if start else None,
        frozenset(lines),
    )


def account(**fields: object) -> AccountFacts:
    values: dict = {
        "id": 10,
        "owner_id": 1,
        "industry": "Retail",
        "cohort_year": 2024,
        "bought_line_ids": frozenset({1}),
    }
    values.update(fields)
    return AccountFacts(**values)


def test_a_hire_is_dated_by_its_start_and_a_refusal_by_its_last_change() -> None:
    completed = engagement(
        1, S.COMPLETED, proposed="2024-01-01", updated="2024-09-01", start="2024-02-01"
    )
    assert completed.decided_on == date(2024, 2, 1)
    no_start = engagement(2, S.WON, proposed="2024-01-01", updated="2024-03-01")
    assert no_start.decided_on == date(2024, 1, 1)
    lost = engagement(3, S.LOST, proposed="2024-01-01", updated="2024-01-20")
    assert lost.decided_on == date(2024, 1, 20)
    assert scope.cohort_year([lost, completed]) == 2024
    assert scope.cohort_year([lost]) is None


def test_the_outcome_of_each_status() -> None:
    assert pre_purchase.outcome_of(S.PROPOSED) is None
    assert pre_purchase.outcome_of(S.DEFERRED) is pre_purchase.Outcome.NOT_NOW
    assert pre_purchase.outcome_of(S.LOST) is pre_purchase.Outcome.NO_WAY
    for hired in (S.WON, S.ACTIVE, S.COMPLETED, S.CANCELLED):
        assert pre_purchase.outcome_of(hired) is pre_purchase.Outcome.HIRED


def test_scope_and_period_filters() -> None:
    retail = account()
    assert scope.account_in_scope(retail, AnalyticsFilters(owner_id=1, industry="Retail"))
    assert not scope.account_in_scope(retail, AnalyticsFilters(owner_id=2))
    assert not scope.account_in_scope(retail, AnalyticsFilters(cohort_year=2023))
    assert not scope.account_in_scope(retail, AnalyticsFilters(service_line_id=2))
    assert scope.account_in_scope(retail, AnalyticsFilters(service_line_id=2), by_bought_line=False)
    period = AnalyticsFilters(period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    assert scope.in_period(date(2024, 1, 1), period) and scope.in_period(date(2024, 12, 31), period)
    assert not scope.in_period(date(2025, 1, 1), period)


def test_histogram_buckets_include_their_upper_bound() -> None:
    assert scope.histogram([0, 30, 31, 90, 91, 365, 366, 730, 731, 5000]) == (2, 2, 1, 1, 2, 2)
    assert scope.share(1, 0) is None and scope.share(1, 4) == 0.25
    assert scope.median([]) is None and scope.median([1, 4]) == 2.5


def test_a_not_now_comes_back_when_the_same_account_hires_later() -> None:
    accounts = {10: account()}
    deferred = engagement(1, S.DEFERRED, proposed="2024-01-01", updated="2024-02-01")
    hired = engagement(2, S.WON, proposed="2024-06-01", updated="2024-06-01", start="2024-07-01")
    found = pre_purchase.decisions(
        accounts,
        [deferred, hired],
        first_touch={10: date(2024, 1, 1)},
        referred_ids=frozenset(),
        filters=AnalyticsFilters(),
    )
    assert [d.days_from_first_touch for d in found] == [31, 182]
    assert pre_purchase.comebacks(found, found) == [151]
    only_2024_q1 = AnalyticsFilters(period_end=date(2024, 3, 31))
    early = pre_purchase.decisions(
        accounts, [deferred, hired], first_touch={}, referred_ids=frozenset(), filters=only_2024_q1
    )
    assert pre_purchase.comebacks(early, found) == [151]  # the later hire is outside the period


def test_stays_end_at_the_next_move_and_returns_are_moves_back_to_active() -> None:
    def move(to: Stage, day: str) -> StageChangeFacts:
        return StageChangeFacts(10, to, datetime.fromisoformat(day).replace(tzinfo=UTC))

    changes = [
        move(Stage.ACTIVE, "2024-01-01"),
        move(Stage.BETWEEN, "2024-03-01"),
        move(Stage.ACTIVE, "2024-05-01"),
        move(Stage.BETWEEN, "2024-09-01"),
    ]
    stays = engagement_between.stints({10: account()}, changes, filters=AnalyticsFilters())
    assert [(s.returned, s.days(date(2024, 10, 1))) for s in stays] == [(True, 61), (False, 30)]


def test_a_repeat_hire_is_cross_sell_only_with_a_line_never_bought_before() -> None:
    hires = [
        engagement(1, S.COMPLETED, proposed="2023-01-01", updated="2023-05-01", lines=(1,)),
        engagement(2, S.COMPLETED, proposed="2024-01-01", updated="2024-05-01", lines=(1, 2)),
        engagement(3, S.ACTIVE, proposed="2025-01-01", updated="2025-01-01", lines=(2,)),
        engagement(4, S.LOST, proposed="2025-02-01", updated="2025-03-01", lines=(3,)),
    ]
    repeats = engagement_between.repeat_hires({10: account()}, hires, filters=AnalyticsFilters())
    assert [r.new_line_ids for r in repeats] == [frozenset({2}), frozenset()]


def test_reasons_group_by_their_words_not_their_case_or_full_stop() -> None:
    reasons = [("Moved in-house.", Camp.GOOD), ("moved  in-house", Camp.BAD), ("", Camp.BAD)]
    reasons += [(f"reason {n}", Camp.GOOD) for n in range(3)]
    groups = former_clients.grouped_reasons(reasons, top=2)
    assert [(g.text, g.total) for g in groups] == [("Moved in-house.", 2), ("reason 0", 1), ("", 2)]
    assert groups[0].counts == {Camp.GOOD: 1, Camp.BAD: 1}


def test_referrals_count_only_after_the_client_left() -> None:
    left = datetime(2025, 1, 1, tzinfo=UTC)
    found = former_clients.former_clients(
        {10: account()},
        [FormerFacts(10, Camp.GOOD, left, "why")],
        {10: [datetime(2024, 6, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)]},
        filters=AnalyticsFilters(),
    )
    assert [f.referrals for f in found] == [1]


def test_an_answer_survives_its_stored_form() -> None:
    answer = QuestionAnswer(
        "q",
        "Title",
        (Headline("h", "Label", 0.5, Unit.SHARE, "1 of 2"),),
        (
            Figure(
                "f",
                "Figure",
                ChartKind.LINE,
                Unit.COUNT,
                "Year",
                ("2024",),
                (Series("S", (None,)),),
            ),
        ),
        datetime(2026, 1, 1, tzinfo=UTC),
        AnalyticsFilters(owner_id=3, period_start=date(2024, 1, 1)),
    )
    assert from_json(to_json(answer)) == answer
