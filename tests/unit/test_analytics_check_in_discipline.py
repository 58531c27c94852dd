"""Check-in punctuality from grouped counts: the team view's `Discipline` per group."""

from __future__ import annotations

from advocacy.domain.analytics.check_in_discipline import (
    Tally,
    combined,
    disciplines,
    skipped_share,
)
from advocacy.domain.cadence import Discipline


def test_grouped_counts_become_the_team_views_discipline() -> None:
    found = disciplines(
        [
            Tally(1, "on_time", 3),
            Tally(1, "late", 1),
            Tally(1, "overdue", 2),
            Tally(1, "open", 1),
            Tally(None, "skipped", 4),
        ]
    )
    assert found[1] == Discipline(on_time=3, late=1, skipped=0, overdue=2, open=3)
    assert found[1].on_time_share == 0.75
    assert found[None] == Discipline(skipped=4)
    assert found[None].on_time_share is None


def test_groups_add_up_and_the_skipped_share_counts_every_closed_check_in() -> None:
    total = combined([Discipline(on_time=2, late=1, skipped=1), Discipline(skipped=1, open=2)])
    assert total == Discipline(on_time=2, late=1, skipped=2, overdue=0, open=2)
    assert skipped_share(total) == 2 / 5
    assert skipped_share(Discipline(open=3)) is None
