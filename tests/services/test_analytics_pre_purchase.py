"""Pre-purchase analytics on the hand-computed firm (tests/factories_analytics.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlmodel import Session

from advocacy.domain.analytics.figures import AnalyticsFilters, QuestionAnswer
from advocacy.services.analytics import pre_purchase
from tests.factories_analytics import NOW, AnalyticsFirm, build_firm


@pytest.fixture
def firm(app: Flask, session: Session) -> Iterator[AnalyticsFirm]:
    with app.test_request_context():
        yield build_firm(session)


def numbers(answer: QuestionAnswer) -> dict[str, float | None]:
    return {h.key: h.value for h in answer.headlines}


def table(answer: QuestionAnswer, key: str) -> dict[str, tuple[float | None, ...]]:
    figure = next(f for f in answer.figures if f.key == key)
    return dict(figure.rows())


def test_the_unfiltered_view_counts_every_decision(firm: AnalyticsFirm, session: Session) -> None:
    answer = pre_purchase.answer(session, AnalyticsFilters(), now=NOW)
    assert numbers(answer) == {
        "decisions": 10,
        "hired": 8 / 10,
        "not_now": 1 / 10,
        "no_way": 1 / 10,
        "came_back": 1.0,
        "days_to_decision": 40.0,
    }
    assert table(answer, "by-service-line") == {
        "Tax": (5 / 6, 1 / 6, 0.0),
        "Audit": (3 / 4, 0.0, 1 / 4),
    }
    assert table(answer, "by-source") == {
        "Other sources": (8 / 9, 1 / 9, 0.0),
        "Referral": (0.0, 0.0, 1.0),
    }
    assert table(answer, "by-owner") == {
        "Bruno": (4 / 5, 1 / 5, 0.0),
        "Olivia": (4 / 5, 0.0, 1 / 5),
    }
    assert table(answer, "by-year")["2024"] == (2.0, 1.0, 1.0)
    # Days from first touch: 30 (Charlie), 31 and 371 (Alpha), 40 and 228 (Bravo).
    assert table(answer, "time-to-decision") == {
        "0–30 days": (1.0,),
        "31–90 days": (2.0,),
        "91–180 days": (0.0,),
        "181–365 days": (1.0,),
        "366–730 days": (1.0,),
        "more than 730 days": (0.0,),
    }
    assert table(answer, "not-now-return")["181–365 days"] == (1.0,)  # 188 days


@pytest.mark.parametrize(
    ("filters", "decisions", "hired"),
    [
        (lambda f: AnalyticsFilters(owner_id=f.olivia.id), 5, 4 / 5),
        (lambda f: AnalyticsFilters(industry="Retail"), 3, 2 / 3),
        (lambda f: AnalyticsFilters(service_line_id=f.audit), 4, 3 / 4),
        (lambda f: AnalyticsFilters(cohort_year=2024), 4, 3 / 4),
        (
            lambda f: AnalyticsFilters(
                period_start=date(2024, 1, 1), period_end=date(2024, 12, 31)
            ),
            4,
            2 / 4,
        ),
    ],
)
def test_each_filter_narrows_the_decisions(
    firm: AnalyticsFirm, session: Session, filters: object, decisions: int, hired: float
) -> None:
    wanted = filters(firm)  # type: ignore[operator]
    answer = pre_purchase.answer(session, wanted, now=NOW)
    assert numbers(answer)["decisions"] == decisions
    assert numbers(answer)["hired"] == hired
    assert answer.filters == wanted
