"""Campaign results: what counts as following a touch, the index at a past moment from the dates
of the awareness records, and the comparison with comparable untargeted accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from advocacy.domain.awareness import Awareness, LineAwareness
from advocacy.domain.nurture_results import index_at, index_change, won_within

T0 = datetime(2026, 9, 1, tzinfo=UTC)


def test_only_what_falls_within_the_window_after_the_first_touch_counts() -> None:
    touches = {1: T0, 2: T0 + timedelta(days=30)}
    events = [
        (1, T0 - timedelta(days=1)),  # before: not the campaign's doing
        (1, T0 + timedelta(days=60)),  # the last day of the window counts
        (1, T0 + timedelta(days=61)),
        (2, T0 + timedelta(days=31)),
        (3, T0 + timedelta(days=1)),  # never touched
    ]
    assert won_within(touches, events, 60) == 2


def test_the_index_at_a_moment_counts_what_was_known_by_then() -> None:
    records = {
        1: LineAwareness(1, Awareness.BOUGHT, bought_at=T0 - timedelta(days=100)),
        2: LineAwareness(2, Awareness.ENGAGED, engaged_at=T0 + timedelta(days=5)),
        3: LineAwareness(3, Awareness.INTRODUCED, introduced_at=T0 - timedelta(days=5)),
    }
    relevant = [1, 2, 3, 4]
    assert index_at(records, relevant, T0) == 0.25
    assert index_at(records, relevant, None) == 0.5
    assert index_at(records, [], T0) is None


def test_targeted_accounts_are_compared_with_untargeted_ones_of_the_same_groups() -> None:
    changes = {1: 0.5, 2: 0.25, 3: 0.0, 4: 0.25, 5: 1.0}
    groups = {
        1: ("Logistics", "between"),
        2: ("Logistics", "between"),
        3: ("Logistics", "between"),
        4: ("Banking", "between"),
        5: ("Banking", "former"),  # no targeted account in its group: not comparable
    }
    result = index_change(changes, {1, 4}, groups)
    assert (result.targeted_accounts, result.targeted_change) == (2, 0.375)
    assert (result.comparable_accounts, result.comparable_change) == (2, 0.125)
    assert result.difference == 0.25
    assert index_change({}, {1}, groups).difference is None
