"""The client voice question on a real database: NPS and CSAT per quarter, service line and
owner, detractors' repair and promoters asked, worked out by hand, narrowed by the filters, in the
same statements whatever the data size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.domain.analytics.figures import AnalyticsFilters, Figure, QuestionAnswer
from advocacy.models import CheckIn, OutboxMessage, Survey
from advocacy.services.analytics import client_voice
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import (
    make_account,
    make_engagement,
    make_mail_contact,
    make_service_line,
    make_testimonial,
    make_user,
)

_keys = count(1)


@pytest.fixture(autouse=True)
def in_a_request(app: Flask) -> Iterator[None]:
    """Titles are translated for the page being drawn: answers are computed inside a request."""
    with app.test_request_context("/analytics"):
        yield


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def answered(
    session: Session, contact: Any, kind: str, score: int, day: str, engagement: Any = None
) -> None:
    session.add(
        Survey(
            key=f"survey-{next(_keys)}",
            account_id=contact.account_id,
            contact_id=contact.id,
            engagement_id=engagement.id if engagement else None,
            kind=kind,
            trigger="on_demand",
            status="answered",
            score=score,
            created_at=at(day),
            updated_at=at(day),
            sent_at=at(day),
            answered_at=at(day),
        )
    )


def repair(session: Session, account: Any, *, closed: str | None) -> None:
    session.add(
        CheckIn(
            account_id=account.id,
            owner_id=account.owner_id,
            kind="repair",
            rule="detractor",
            status="done" if closed else "open",
            due_on=date(2026, 9, 5),
            open_for_account_id=None if closed else account.id,
            created_at=at("2026-09-01"),
            updated_at=NOW,
            closed_at=at(closed) if closed else None,
        )
    )


def build(session: Session, suffix: str = "") -> dict[str, Any]:
    ann, bob = make_user(session, name="Ann Archer"), make_user(session, name="Bob Baker")
    tax, audit = (
        make_service_line(session, "Tax" + suffix),
        make_service_line(session, "Audit" + suffix),
    )
    a = make_account(session, owner=ann, industry="Logistics")
    b = make_account(session, owner=bob, industry="Retail")
    ea = make_engagement(session, a, start_date=date(2025, 2, 1), service_line_ids=[tax.id])
    eb = make_engagement(session, b, start_date=date(2024, 3, 1), service_line_ids=[audit.id])
    a1, a2, a3 = (make_mail_contact(session, a) for _ in range(3))
    b1, b2, b3 = (make_mail_contact(session, b) for _ in range(3))
    answered(session, a1, "nps", 10, "2026-10-05", ea)
    answered(session, a2, "nps", 3, "2026-10-10", ea)
    answered(session, b1, "nps", 8, "2026-08-01", eb)
    answered(session, b2, "nps", 0, "2026-09-01", eb)
    answered(session, b3, "nps", 9, "2026-07-01", eb)
    answered(session, a3, "csat", 2, "2026-11-01", ea)
    answered(session, b1, "csat", 5, "2026-08-02", eb)
    answered(session, a1, "nps", 9, "2025-02-01")  # about no engagement
    session.add(
        Survey(
            key=f"survey-{next(_keys)}",
            account_id=a.id,
            contact_id=a2.id,
            kind="nps",
            trigger="on_demand",
            status="sent",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    repair(session, a, closed="2026-10-14")  # 4 days after a2's answer
    repair(session, a, closed="2026-11-21")  # 20 days after a3's
    repair(session, b, closed=None)  # b2 still waits
    session.add(
        CheckIn(
            account_id=a.id,
            owner_id=ann.id,
            kind="routine",
            status="done",
            due_on=date(2026, 11, 2),
            created_at=NOW,
            updated_at=NOW,
            closed_at=at("2026-11-02"),
        )
    )
    session.add(
        OutboxMessage(
            idempotency_key=f"ask-{next(_keys)}",
            category="advocacy",
            template="testimonial_ask",
            to_email=a1.email,
            contact_id=a1.id,
            account_id=a.id,
            subject="Would you tell others?",
            html_body="<p>Ask</p>",
            text_body="Ask",
            status="sent",
            next_attempt_at=at("2026-10-06"),
            queued_at=at("2026-10-06"),
            updated_at=at("2026-10-06"),
        )
    )
    session.commit()
    make_testimonial(session, a1, submitted_at=at("2026-10-20"))
    return {"ann": ann, "bob": bob, "tax": tax}


def figure(answer: QuestionAnswer, key: str) -> Figure:
    return next(item for item in answer.figures if item.key == key)


def headline(answer: QuestionAnswer, key: str) -> float | None:
    return next(item.value for item in answer.headlines if item.key == key)


def test_each_metric_is_counted_as_worked_out_by_hand(session: Session) -> None:
    build(session)

    found = client_voice.answer(session, AnalyticsFilters(), now=NOW)

    assert headline(found, "nps") == 16.7  # 3 promoters, 2 detractors of 6 answers
    assert headline(found, "csat") == 3.5
    quarters = dict(figure(found, "by_quarter").rows())
    assert len(quarters) == 8
    assert quarters["2025-Q1"] == (100.0, None)
    assert quarters["2026-Q3"] == (0.0, 5.0)
    assert quarters["2026-Q4"] == (0.0, 2.0)
    assert quarters["2026-Q2"] == (None, None)
    assert dict(figure(found, "by_service_line").rows()) == {
        "Audit": (0.0, 5.0, 3),
        "Tax": (0.0, 2.0, 2),
    }
    assert dict(figure(found, "by_owner").rows()) == {
        "Ann Archer": (33.3, 2.0, 3),
        "Bob Baker": (0.0, 5.0, 3),
    }
    assert figure(found, "repair_days").series[0].values == (0, 1, 0, 1, 0, 1)
    assert headline(found, "repaired") == 2 / 3
    assert headline(found, "median_repair_days") == 12.0
    assert headline(found, "still_open") == 1 / 3
    assert figure(found, "promoters").series[0].values == (2, 1, 1)
    assert headline(found, "promoters_asked") == 0.5
    assert headline(found, "asked_gave") == 1.0


def test_filters_narrow_every_metric(session: Session) -> None:
    firm = build(session)

    logistics = client_voice.answer(session, AnalyticsFilters(industry="Logistics"), now=NOW)
    tax = client_voice.answer(session, AnalyticsFilters(service_line_id=firm["tax"].id), now=NOW)
    bob = client_voice.answer(session, AnalyticsFilters(owner_id=firm["bob"].id), now=NOW)
    cohort = client_voice.answer(session, AnalyticsFilters(cohort_year=2024), now=NOW)
    october = client_voice.answer(
        session,
        AnalyticsFilters(period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)),
        now=NOW,
    )

    for narrowed in (logistics, tax):
        assert headline(narrowed, "nps") == 33.3
        assert headline(narrowed, "repaired") == 1.0
        assert figure(narrowed, "promoters").series[0].values == (1, 1, 1)
    for narrowed in (bob, cohort):
        assert headline(narrowed, "nps") == 0.0
        assert headline(narrowed, "repaired") == 0.0
        assert figure(narrowed, "promoters").series[0].values == (1, 0, 0)
        assert headline(narrowed, "asked_gave") is None
        assert list(dict(figure(narrowed, "by_owner").rows())) == ["Bob Baker"]
    assert figure(october, "by_quarter").categories == ("2026-Q4",)
    assert headline(october, "nps") == 0.0
    assert headline(october, "csat") is None
    assert figure(october, "repair_days").series[0].values == (0, 1, 0, 0, 0, 0)
    assert figure(october, "promoters").series[0].values == (1, 1, 1)


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
                client_voice.answer(session, AnalyticsFilters(), now=NOW)
            seen.append(len(statements))
    assert seen[0] == seen[1]
