"""The typecasting question on a real database: the index's distribution, its quarterly trend
from the awareness records' dates, and the least known lines, worked out by hand, narrowed by
the filters, in the same statements whatever the data size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete

from advocacy.domain.analytics.figures import AnalyticsFilters, Figure, QuestionAnswer
from advocacy.models import AccountLineAwareness, ServiceLineIndustry
from advocacy.services.analytics import typecasting
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import make_account, make_engagement, make_service_line, make_user


@pytest.fixture(autouse=True)
def in_a_request(app: Flask) -> Iterator[None]:
    """Titles are translated for the page being drawn: answers are computed inside a request."""
    with app.test_request_context("/analytics"):
        yield


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def knows(
    session: Session, account: Any, line: Any, state: str, *, since: str | None = None
) -> None:
    dated = at(since) if since else None
    session.add(
        AccountLineAwareness(
            account_id=account.id,
            service_line_id=line.id,
            state=state,
            bought_at=dated if state == "bought" else None,
            engaged_at=dated if state == "engaged" else None,
            introduced_at=dated if state == "introduced" else None,
            updated_at=NOW,
        )
    )


def build(session: Session, suffix: str = "") -> dict[str, Any]:
    """Logistics rates Tax, Transfer pricing and M&A relevant (ESG is rated 2); Retail rated
    nothing, so every active line is relevant to it."""
    ann, bob = make_user(session), make_user(session)
    tax, tp, mna, esg = (
        make_service_line(session, name + suffix)
        for name in ("Tax", "Transfer pricing", "M&A", "ESG reporting")
    )
    for line, rating in ((tax, 5), (tp, 4), (mna, 3), (esg, 2)):
        session.add(
            ServiceLineIndustry(
                service_line_id=line.id, industry="Logistics" + suffix, relevance=rating
            )
        )
    l1 = make_account(session, owner=ann, industry="Logistics" + suffix)
    l2 = make_account(session, owner=ann, industry="Logistics" + suffix)
    l3 = make_account(session, owner=ann, industry="Logistics" + suffix)
    r1 = make_account(session, owner=bob, industry="Retail" + suffix)
    make_engagement(session, l1, start_date=date(2024, 5, 1), service_line_ids=[tax.id])
    make_engagement(session, r1, start_date=date(2025, 3, 1), service_line_ids=[esg.id])
    # The engagements' own awareness is replaced by the records written out below.
    session.exec(
        delete(AccountLineAwareness).where(
            col(AccountLineAwareness.account_id).in_([l1.id, l2.id, l3.id, r1.id])
        )
    )  # type: ignore[call-overload]
    knows(session, l1, tax, "bought", since="2026-02-10")
    knows(session, l1, mna, "engaged", since="2026-08-01")
    knows(session, l1, esg, "engaged", since="2025-01-05")  # known, but not relevant to logistics
    knows(session, l3, tp, "introduced", since="2026-05-01")  # introduced is not known
    knows(session, r1, tax, "bought", since="2025-06-01")
    knows(session, r1, tp, "engaged", since="2026-10-01")
    knows(session, r1, mna, "bought")  # no date: known all along
    knows(session, r1, esg, "bought", since="2026-11-01")
    session.commit()
    return {"ann": ann, "bob": bob, "tax": tax, "tp": tp, "l2": l2}


def figure(answer: QuestionAnswer, key: str) -> Figure:
    return next(item for item in answer.figures if item.key == key)


def headline(answer: QuestionAnswer, key: str) -> Any:
    return next(item for item in answer.headlines if item.key == key)


def test_each_metric_is_counted_as_worked_out_by_hand(session: Session) -> None:
    build(session)

    found = typecasting.answer(session, AnalyticsFilters(), now=NOW)

    # L1 knows 2 of 3 (66.7 %), L2 and L3 none, R1 all 4.
    distribution = figure(found, "distribution")
    assert distribution.categories == ("0–19 %", "20–39 %", "40–59 %", "60–79 %", "80–100 %")
    assert distribution.series[0].values == (2, 0, 0, 1, 1)
    assert headline(found, "average_index").value == pytest.approx(41.7)
    trend = figure(found, "average_by_quarter")
    assert trend.categories == (
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    )
    assert trend.series[0].values == pytest.approx(
        (6.2, 12.5, 12.5, 12.5, 20.8, 20.8, 29.2, 41.7), abs=0.051
    )
    least = figure(found, "least_known_lines")
    assert least.categories == ("Transfer pricing", "Tax", "M&A", "ESG reporting")
    assert least.series[0].values == (0.25, 0.5, 0.5, 1.0)
    assert headline(found, "least_known_share").value == 0.25
    assert (
        headline(found, "least_known_share").detail
        == "Transfer pricing: 1 of 4 accounts it matters to"
    )


def test_filters_narrow_every_figure(session: Session) -> None:
    firm = build(session)

    logistics = typecasting.answer(session, AnalyticsFilters(industry="Logistics"), now=NOW)
    bob = typecasting.answer(session, AnalyticsFilters(owner_id=firm["bob"].id), now=NOW)
    cohort = typecasting.answer(session, AnalyticsFilters(cohort_year=2024), now=NOW)
    tax = typecasting.answer(session, AnalyticsFilters(service_line_id=firm["tax"].id), now=NOW)
    half = typecasting.answer(
        session,
        AnalyticsFilters(period_start=date(2026, 1, 1), period_end=date(2026, 6, 30)),
        now=NOW,
    )
    nobody = typecasting.answer(session, AnalyticsFilters(industry="Mining"), now=NOW)

    assert figure(logistics, "distribution").series[0].values == (2, 0, 0, 1, 0)
    assert headline(logistics, "average_index").value == pytest.approx(22.2)
    assert figure(logistics, "least_known_lines").categories == ("Transfer pricing", "Tax", "M&A")
    assert figure(bob, "distribution").series[0].values == (0, 0, 0, 0, 1)
    assert headline(bob, "average_index").value == 100.0
    assert figure(cohort, "distribution").series[0].values == (0, 0, 0, 1, 0)
    assert figure(tax, "distribution").series[0].values == (0, 0, 0, 1, 0)
    assert figure(half, "average_by_quarter").categories == ("2026-Q1", "2026-Q2")
    assert figure(half, "distribution").series[0].values == (2, 0, 0, 1, 1)  # a state now
    assert headline(nobody, "average_index").value is None
    assert figure(nobody, "distribution").note
    assert figure(nobody, "average_by_quarter").series[0].values == (None,) * 8


def test_the_question_reads_in_the_same_statements_whatever_the_data_size(
    engine: Engine, app: Any
) -> None:
    seen = []
    for copies in (1, 3):
        empty_all_tables(engine)
        with Session(engine, expire_on_commit=False) as session:
            for number in range(copies):
                build(session, suffix=f" {number}" if number else "")
            with count_queries(engine) as statements:
                typecasting.answer(session, AnalyticsFilters(), now=NOW)
            seen.append(len(statements))
    assert seen[0] == seen[1]
