"""The advocacy pipeline's arithmetic: tiers in order, the ready share, reference outcomes."""

from __future__ import annotations

from advocacy.domain.analytics.advocacy_pipeline import (
    ready_share,
    reference_outcomes,
    tier_counts,
)
from advocacy.domain.analytics.months import along


def test_tiers_come_in_order_with_zeros_and_the_ready_share_counts_the_top_two() -> None:
    found = {"passive": 5, "champion": 2, "advocate": 3}
    assert tier_counts(found) == (2, 3, 5, 0, 0)
    assert ready_share(found) == 0.5
    assert ready_share({}) is None


def test_reference_outcomes_divide_by_requests_made_and_calls_answered() -> None:
    outcomes = reference_outcomes(
        {"open": 1, "fulfilled": 2, "cancelled": 1},
        {"asked": 4, "accepted": 1, "held": 2, "declined": 1, "cancelled": 3},
    )
    assert (outcomes.requests, outcomes.fulfilled, outcomes.cancelled) == (4, 2, 1)
    assert outcomes.fulfilled_share == 0.5
    assert (outcomes.calls_answered, outcomes.calls_declined) == (4, 1)
    assert outcomes.declined_share == 0.25
    empty = reference_outcomes({}, {"asked": 2})
    assert (empty.fulfilled_share, empty.declined_share) == (None, None)


def test_counts_along_an_axis_are_zero_where_nothing_happened() -> None:
    assert along(["2026-01", "2026-02", "2026-03"], {"2026-02": 4, "2025-12": 9}) == (0, 4, 0)
