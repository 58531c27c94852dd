"""Client voice arithmetic: NPS and CSAT from counts per score, the scale's detractor and
promoter bounds, repair delays and promoters asked."""

from __future__ import annotations

from advocacy.domain.analytics.client_voice import (
    PromoterAsks,
    Repairs,
    csat,
    detractor_ceiling,
    merge,
    nps,
    promoter_floor,
)
from advocacy.domain.surveys import SurveyKind


def test_the_bounds_come_from_how_a_score_reads() -> None:
    assert detractor_ceiling(SurveyKind.NPS) == 6
    assert detractor_ceiling(SurveyKind.CSAT) == 2
    assert promoter_floor(SurveyKind.NPS) == 9
    assert promoter_floor(SurveyKind.CSAT) is None


def test_nps_is_promoters_minus_detractors_in_points_and_csat_the_mean() -> None:
    assert nps({10: 2, 9: 1, 8: 1, 6: 1, 0: 1}) == 16.7  # (3 - 2) / 6
    assert nps({10: 1, 8: 1, 2: 1}) == 0.0
    assert nps({7: 4}) == 0.0
    assert nps({}) is None
    assert csat({5: 1, 2: 1, 4: 2}) == 3.75
    assert csat({}) is None


def test_months_merge_into_a_quarter() -> None:
    assert merge([{10: 1, 3: 1}, {10: 2}, {}]) == {10: 3, 3: 1}


def test_repair_delays_fall_in_bars_and_unrepaired_answers_in_the_last() -> None:
    repairs = Repairs(detractors=6, days=(0.5, 2.9, 3.0, 14.2, 45.0))
    assert repairs.histogram() == (2, 1, 1, 0, 1, 1)
    assert repairs.median_days == 3.0
    assert (repairs.repaired, repairs.still_open) == (5, 1)
    assert repairs.repaired_share == 5 / 6 and repairs.open_share == 1 / 6
    nothing = Repairs(detractors=0, days=())
    assert (nothing.repaired_share, nothing.median_days) == (None, None)


def test_promoter_shares_divide_by_promoters_then_by_those_asked() -> None:
    asks = PromoterAsks(promoters=8, asked=4, gave=1)
    assert (asks.asked_share, asks.gave_share) == (0.5, 0.25)
    assert PromoterAsks(0, 0, 0).gave_share is None
