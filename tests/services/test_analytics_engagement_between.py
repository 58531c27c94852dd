"""Between-engagements analytics on the hand-computed firm (tests/factories_analytics.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlmodel import Session

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.services.analytics import engagement_between
from tests.factories_analytics import NOW, AnalyticsFirm, build_firm
from tests.services.test_analytics_pre_purchase import numbers, table


@pytest.fixture
def firm(app: Flask, session: Session) -> Iterator[AnalyticsFirm]:
    with app.test_request_context():
        yield build_firm(session)


def test_stays_returns_and_cross_sell_of_the_whole_firm(
    firm: AnalyticsFirm, session: Session
) -> None:
    answer = engagement_between.answer(session, AnalyticsFilters(), now=NOW)
    # Stays: Alpha 180 days (back), Bravo 183 (left), Delta 366 (left), Echo 143 (back).
    # Clients ever hired: Alpha, Bravo, Delta, Echo, Foxtrot, Golf; four went between.
    # Repeat hires: Alpha's Audit (a new line) and Echo's second Tax (not new).
    assert numbers(answer) == {
        "moves": 4,
        "clients_moved": 4 / 6,
        "days_between": 181.5,
        "return_rate": 2 / 4,
        "days_to_return": 161.5,
        "cross_sell": 1 / 2,
    }
    assert table(answer, "per-year") == {"2023": (1.0, 0.0), "2024": (1.0, 1.0), "2025": (2.0, 1.0)}
    assert table(answer, "cohorts") == {
        "2023": (0.0, 1.0, 0.0),
        "2024": (0.5, 0.5, 0.0),
        "2025": (1.0, 0.0, 0.0),
    }
    assert table(answer, "cross-sell-lines") == {"Audit": (1.0,)}


def test_filters_narrow_the_stays_and_the_repeat_hires(
    firm: AnalyticsFirm, session: Session
) -> None:
    mine = engagement_between.answer(session, AnalyticsFilters(owner_id=firm.olivia.id), now=NOW)
    assert numbers(mine)["moves"] == 2 and numbers(mine)["return_rate"] == 1.0
    assert numbers(mine)["clients_moved"] == 1.0  # Alpha and Echo; Charlie never hired us
    year = AnalyticsFilters(period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    in_2024 = engagement_between.answer(session, year, now=NOW)
    assert numbers(in_2024)["moves"] == 1  # Alpha's; Delta's began on 2023-12-31
    assert numbers(in_2024)["cross_sell"] is None  # Alpha's Audit starts in 2025
    audit = engagement_between.answer(
        session, AnalyticsFilters(service_line_id=firm.audit), now=NOW
    )
    assert numbers(audit)["moves"] == 2  # Alpha and Delta bought Audit
    assert numbers(audit)["cross_sell"] == 1.0
