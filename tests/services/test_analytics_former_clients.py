"""Former-client analytics on the hand-computed firm (tests/factories_analytics.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlmodel import Session

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.services.analytics import former_clients
from tests.factories_analytics import NOW, AnalyticsFirm, build_firm
from tests.services.test_analytics_pre_purchase import numbers, table


@pytest.fixture
def firm(app: Flask, session: Session) -> Iterator[AnalyticsFirm]:
    with app.test_request_context():
        yield build_firm(session)


def test_camps_referrals_since_leaving_and_grouped_reasons(
    firm: AnalyticsFirm, session: Session
) -> None:
    answer = former_clients.answer(session, AnalyticsFilters(), now=NOW)
    # Bravo (good), Delta (bad), Golf (not known); Bravo referred once after leaving (its
    # referral of 2024 came before).
    assert numbers(answer) == {
        "former": 3,
        "good": 1 / 3,
        "bad": 1 / 3,
        "referring": 1 / 3,
        "referrals_per_client": 1 / 3,
    }
    assert table(answer, "reasons") == {
        "Moved the work in-house": (1.0, 0.0, 1.0),
        "No budget this year": (0.0, 1.0, 0.0),
    }
    assert table(answer, "survey-comments") == {
        "Deadlines slipped.": (0.0, 1.0, 0.0),
        "Great team": (1.0, 0.0, 0.0),
    }
    assert table(answer, "referrals-by-camp") == {
        "Good experience": (1.0, 1.0, 1.0),
        "Bad experience": (1.0, 0.0, 0.0),
        "Not known": (1.0, 0.0, 0.0),
    }
    assert table(answer, "camps-by-cohort") == {
        "2022": (0.0, 0.0, 1.0),
        "2023": (0.0, 1.0, 0.0),
        "2024": (1.0, 0.0, 0.0),
    }


def test_the_period_is_the_day_they_left(firm: AnalyticsFirm, session: Session) -> None:
    wanted = AnalyticsFilters(period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    answer = former_clients.answer(session, wanted, now=NOW)
    assert numbers(answer)["former"] == 1 and numbers(answer)["good"] == 1.0
    retail = former_clients.answer(session, AnalyticsFilters(industry="Retail"), now=NOW)
    assert numbers(retail)["former"] == 1 and numbers(retail)["bad"] == 1.0
