"""The typecasting index across accounts from grouped counts: distribution, average, quarterly
trend and each line's reach."""

from __future__ import annotations

import pytest

from advocacy.domain.analytics.typecasting import (
    KnownPairs,
    average_by_quarter,
    average_index,
    bucket_labels,
    histogram,
    line_reach,
)

ACCOUNTS = {"Logistics": 3, "Retail": 1, "Unrated nothing relevant": 2}
RELEVANT = {"Logistics": 3, "Retail": 4, "Unrated nothing relevant": 0}
BY_KNOWN = [("Logistics", 2, 1), ("Retail", 4, 1), ("Unrated nothing relevant", 1, 2)]


def test_accounts_knowing_nothing_land_in_the_first_bar_and_those_without_an_index_nowhere() -> (
    None
):
    assert bucket_labels() == ("0–19 %", "20–39 %", "40–59 %", "60–79 %", "80–100 %")
    assert histogram(ACCOUNTS, BY_KNOWN, RELEVANT) == (2, 0, 0, 1, 1)


def test_three_of_five_is_exactly_sixty_percent() -> None:
    assert histogram({"A": 1}, [("A", 3, 1)], {"A": 5}) == (0, 0, 0, 1, 0)
    assert histogram({"A": 1}, [("A", 1, 1)], {"A": 5}) == (0, 1, 0, 0, 0)


def test_the_average_counts_only_accounts_with_an_index() -> None:
    assert average_index(ACCOUNTS, BY_KNOWN, RELEVANT) == pytest.approx((2 / 3 + 1) / 4)
    assert average_index({"A": 2}, [], {"A": 0}) is None


def test_the_trend_counts_a_pair_from_the_month_of_its_earliest_evidence() -> None:
    pairs = [
        KnownPairs("Logistics", 1, "2026-02", 1),
        KnownPairs("Retail", 1, None, 1),
        KnownPairs("Retail", 2, "2026-05", 1),
    ]
    trend = average_by_quarter(
        [("2025-Q4", "2025-12"), ("2026-Q1", "2026-03"), ("2026-Q2", "2026-05")],
        {"Logistics": 1, "Retail": 1},
        pairs,
        {"Logistics": 2, "Retail": 4},
    )
    assert trend == pytest.approx((0.25 / 2, (0.5 + 0.25) / 2, (0.5 + 0.5) / 2))
    assert average_by_quarter([("2026-Q1", "2026-03")], {}, pairs, {}) == (None,)


def test_each_lines_reach_is_over_the_accounts_it_matters_to_least_known_first() -> None:
    reach = line_reach(
        {"Logistics": 3, "Retail": 1},
        {"Logistics": [1, 2], "Retail": [1, 2, 3]},
        [
            KnownPairs("Logistics", 1, "2026-01", 2),
            KnownPairs("Retail", 1, None, 1),
            KnownPairs("Retail", 3, "2026-02", 1),
        ],
    )
    assert [(r.service_line_id, r.knowing_accounts, r.relevant_accounts) for r in reach] == [
        (2, 0, 4),
        (1, 3, 4),
        (3, 1, 1),
    ]
    assert [r.known_share for r in reach] == [0.0, 0.75, 1.0]
