"""The calibration arithmetic: deciles by score, best first, with their share and lift; period
starts on full recompute days whose window is over; too little data said as such."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from advocacy.domain.calibration import ScoreGroup, calibrate, period_starts

TODAY = date(2026, 11, 23)


def test_ten_deciles_best_first_each_with_its_share_and_lift_over_the_average() -> None:
    # 100 scores 0..99 once each; the best 10 all gave, nobody else did.
    groups = [ScoreGroup(score, 1, int(score >= 90)) for score in range(100)]
    result = calibrate(groups, periods=1, min_observations=10, min_outcomes=5)
    assert [d.contacts for d in result.deciles] == [10] * 10
    top = result.deciles[0]
    assert (top.lowest, top.highest, top.share, top.lift) == (90, 99, 1.0, 10.0)
    assert all(d.lift == 0 for d in result.deciles[1:])
    assert result.average_share == 0.1 and result.enough


def test_a_score_group_split_across_two_deciles_shares_its_outcomes_pro_rata() -> None:
    groups = [ScoreGroup(80, 15, 6), ScoreGroup(10, 85, 0)]
    result = calibrate(groups, periods=2, min_observations=10, min_outcomes=1)
    first, second = result.deciles[0], result.deciles[1]
    assert (first.contacts, first.gave) == (10, 4.0)
    assert (second.contacts, second.gave) == (10, 2.0)
    assert sum(d.gave for d in result.deciles) == 6


def test_too_few_outcomes_or_contacts_is_too_little_data_to_judge() -> None:
    few = [ScoreGroup(score, 30, 1) for score in range(0, 100, 10)]  # 300 contacts, 10 gave
    assert not calibrate(few, periods=1).enough
    tiny = [ScoreGroup(50, 5, 5)]
    assert calibrate(tiny, periods=1).deciles == ()
    plenty = [ScoreGroup(score, 30, 5) for score in range(0, 100, 10)]
    assert calibrate(plenty, periods=1).enough


def test_periods_start_on_full_recompute_days_whose_window_is_over_a_quarter_apart() -> None:
    days = {TODAY - timedelta(days=d): 100 for d in range(0, 800)}
    days[TODAY - timedelta(days=271)] = 3  # an evidence hook rescored three contacts that day
    starts = period_starts(days, today=TODAY, months=6, every_days=91)
    assert starts[-1] == TODAY - timedelta(days=180)
    assert TODAY - timedelta(days=271) not in starts
    assert TODAY - timedelta(days=272) in starts
    assert all((b - a).days >= 91 for a, b in pairwise(starts))
    assert len(starts) <= 12
    assert period_starts({}, today=TODAY, months=6, every_days=91) == []
