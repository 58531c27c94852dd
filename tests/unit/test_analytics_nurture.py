"""Nurture results across campaigns: rates, the sum of funnels, and the shared month arithmetic."""

from __future__ import annotations

from datetime import date

from advocacy.domain.analytics.months import (
    axis_start,
    median,
    months_between,
    quarter_axis_start,
    quarter_end,
    quarter_key,
    quarters_between,
    share,
)
from advocacy.domain.analytics.nurture import CampaignFunnel, stage_values, total


def test_rates_divide_by_the_stage_before_and_are_blank_without_one() -> None:
    funnel = CampaignFunnel(
        "Spring", enrolled=10, sent=8, delivered=6, opened=3, clicked=2, stopped=1
    )
    assert funnel.delivery_rate == 0.75
    assert funnel.open_rate == 0.5
    assert funnel.click_rate == 2 / 6
    assert funnel.stop_rate == 0.1
    empty = CampaignFunnel("Draft-like")
    assert (empty.delivery_rate, empty.open_rate, empty.click_rate, empty.stop_rate) == (
        None,
        None,
        None,
        None,
    )


def test_the_total_adds_every_stage_of_every_campaign() -> None:
    first = CampaignFunnel("A", enrolled=4, planned=2, sent=2, delivered=2, opened=1, clicked=1)
    second = CampaignFunnel("B", enrolled=6, planned=5, sent=4, delivered=3, stopped=2)
    assert stage_values(total([first, second], "All")) == (10, 7, 6, 5, 1, 1, 2)
    assert total([], "All") == CampaignFunnel("All")


def test_months_and_quarters_along_an_axis() -> None:
    assert months_between(date(2025, 11, 20), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert months_between(date(2026, 2, 1), date(2026, 1, 1)) == []
    assert quarter_key("2026-01") == "2026-Q1" and quarter_key("2026-12") == "2026-Q4"
    assert quarters_between(date(2025, 12, 1), date(2026, 4, 30)) == [
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    assert quarter_end("2026-Q4") == date(2027, 1, 1)
    assert quarter_end("2026-Q1") == date(2026, 4, 1)


def test_an_axis_starts_at_the_period_or_counts_back_from_today() -> None:
    today = date(2026, 11, 23)
    assert axis_start(today, start=None, months=12) == date(2025, 12, 1)
    assert axis_start(today, start=date(2026, 3, 4), months=12) == date(2026, 3, 4)
    assert quarter_axis_start(today, start=None, quarters=8) == date(2025, 1, 1)
    assert quarter_axis_start(today, start=None, quarters=1) == date(2026, 10, 1)


def test_share_and_median() -> None:
    assert share(1, 4) == 0.25 and share(3, 0) is None
    assert median([]) is None
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 10]) == 3.5
