"""The advocacy pipeline question on a real database: tiers, what clients gave and withdrew per
month, reference outcomes and the score's calibration, each worked out by hand, narrowed by the
filters, in the same statements whatever the data size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.domain.analytics.figures import AnalyticsFilters, Figure, QuestionAnswer
from advocacy.models import (
    ConsentChange,
    ContactScore,
    PermissionChange,
    Referral,
    ScoreSnapshot,
    User,
)
from advocacy.services.analytics import advocacy_pipeline
from advocacy.services.scoring import history
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import make_account, make_mail_contact, make_testimonial, make_user
from tests.factories_referrals import make_reference_call, make_reference_request

SNAPSHOT_DAY = (NOW - timedelta(days=300)).date()


@pytest.fixture(autouse=True)
def in_a_request(app: Flask) -> Iterator[None]:
    """Titles are translated for the page being drawn: answers are computed inside a request."""
    with app.test_request_context("/analytics"):
        yield


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def score(session: Session, contact: Any, tier: str, value: int = 50) -> None:
    session.add(
        ContactScore(
            contact_id=contact.id,
            account_id=contact.account_id,
            score=value,
            tier=tier,
            ask="testimonial",
            reason="score",
            factors_json="{}",
            computed_at=NOW,
        )
    )


def referral(session: Session, contact: Any, created: datetime) -> None:
    session.add(
        Referral(
            referrer_contact_id=contact.id,
            referrer_account_id=contact.account_id,
            name="Paul Prospect",
            company="Newco",
            created_at=created,
            updated_at=created,
        )
    )


def request(session: Session, by: User, made: datetime, **fields: Any) -> Any:
    """A reference request made on `made`."""
    found = make_reference_request(session, by, **fields)
    found.created_at = made
    session.add(found)
    session.commit()
    return found


def build(session: Session) -> dict[str, User]:
    ann, bob = make_user(session), make_user(session)
    logistics = make_account(session, owner=ann, industry="Logistics")
    retail = make_account(session, owner=bob, industry="Retail")
    other = make_account(session, industry="Other")
    a1, a2, a3 = (make_mail_contact(session, logistics) for _ in range(3))
    b1, b2 = (make_mail_contact(session, retail) for _ in range(2))
    others = [make_mail_contact(session, other) for _ in range(5)]
    for contact, tier in ((a1, "champion"), (a2, "advocate"), (a3, "passive")):
        score(session, contact, tier)
    score(session, b1, "at_risk")
    score(session, b2, "champion")
    written = make_testimonial(session, a1, submitted_at=at("2026-10-05"))
    make_testimonial(session, b2, submitted_at=at("2026-11-02"))
    make_testimonial(session, a2, status="awaiting_client")  # not given yet
    referral(session, a2, at("2026-11-10"))
    referral(session, b1, at("2025-01-01"))  # before the months shown
    referral(session, others[4], at("2026-03-01"))  # also the calibration's one outcome
    fulfilled = request(
        session, ann, NOW - timedelta(days=20), industry="Logistics", status="fulfilled"
    )
    still_open = request(session, bob, NOW - timedelta(days=10), industry="Retail")
    request(session, ann, NOW - timedelta(days=400), industry="Logistics", status="cancelled")
    held = make_reference_call(session, fulfilled, a1, status="held", asked_at=at("2026-11-01"))
    declined = make_reference_call(
        session, fulfilled, b1, status="declined", asked_at=at("2026-11-01")
    )
    make_reference_call(session, still_open, a3, status="asked", asked_at=at("2026-11-15"))
    held.answered_at, declined.answered_at = at("2026-11-03"), at("2026-11-02")
    session.add_all([held, declined])
    session.add(
        PermissionChange(
            testimonial_id=written.id,
            contact_id=a1.id,
            use="internal",
            action="withdraw",
            wording="withdrawn",
            via="link",
            at=at("2026-11-05"),
        )
    )
    for contact, action, day in ((b1, "unsubscribe", "2026-10-15"), (a3, "consent", "2026-10-16")):
        session.add(
            ConsentChange(
                contact_id=contact.id,
                email=contact.email,
                category="nurture",
                action=action,
                via="preference_page",
                at=at(day),
            )
        )
    for number, contact in enumerate([a1, a2, a3, b1, b2, *others], start=1):
        session.add(
            ScoreSnapshot(
                contact_id=contact.id,
                day=SNAPSHOT_DAY,
                score=100 if contact is others[4] else number * 5,
                tier="passive",
                at=at(SNAPSHOT_DAY.isoformat()),
            )
        )
    session.commit()
    return {"ann": ann, "bob": bob}


def figure(answer: QuestionAnswer, key: str) -> Figure:
    return next(item for item in answer.figures if item.key == key)


def headline(answer: QuestionAnswer, key: str) -> float | None:
    return next(item.value for item in answer.headlines if item.key == key)


def test_each_metric_is_counted_as_worked_out_by_hand(session: Session) -> None:
    build(session)

    found = advocacy_pipeline.answer(session, AnalyticsFilters(), now=NOW)

    assert figure(found, "tiers").series[0].values == (2, 1, 1, 1, 0)
    assert headline(found, "ready") == 3 / 5
    given = dict(figure(found, "given_by_month").rows())
    assert given["2026-03"] == (0, 1, 0)
    assert given["2026-10"] == (1, 0, 0)
    assert given["2026-11"] == (1, 1, 1)
    assert "2025-01" not in given
    assert headline(found, "given") == 5
    assert figure(found, "references").series[0].values == (2, 1, 0, 2, 1)
    assert headline(found, "requests_fulfilled") == 0.5
    assert headline(found, "calls_declined") == 0.5
    withdrawn = dict(figure(found, "withdrawals_by_month").rows())
    assert withdrawn["2026-10"] == (0, 1) and withdrawn["2026-11"] == (1, 0)
    assert sum(sum(values) for values in withdrawn.values()) == 2


def test_the_calibration_figure_is_the_reports_lift_per_decile(session: Session) -> None:
    build(session)

    found = figure(advocacy_pipeline.answer(session, AnalyticsFilters(), now=NOW), "calibration")
    report = history.calibration_report(session, today=NOW.date(), months=6, every_days=91)

    # Ten contacts, one gave: the top decile gave ten times the average, the others nothing.
    assert found.series[0].values == (10.0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert found.series[0].values == tuple(decile.lift for decile in report.result.deciles)
    assert found.categories == tuple(str(n) for n in range(1, 11))
    assert found.note  # one outcome is too few to trust


def test_filters_narrow_every_metric_they_apply_to(session: Session) -> None:
    people = build(session)

    logistics = advocacy_pipeline.answer(session, AnalyticsFilters(industry="Logistics"), now=NOW)
    bob = advocacy_pipeline.answer(session, AnalyticsFilters(owner_id=people["bob"].id), now=NOW)
    october = advocacy_pipeline.answer(
        session,
        AnalyticsFilters(period_start=at("2026-10-01").date(), period_end=at("2026-10-31").date()),
        now=NOW,
    )

    assert figure(logistics, "tiers").series[0].values == (1, 1, 1, 0, 0)
    assert dict(figure(logistics, "given_by_month").rows())["2026-11"] == (0, 1, 1)
    assert headline(logistics, "given") == 3
    assert figure(logistics, "references").series[0].values == (1, 1, 0, 1, 0)
    assert dict(figure(logistics, "withdrawals_by_month").rows())["2026-10"] == (0, 0)
    assert figure(bob, "tiers").series[0].values == (1, 0, 0, 1, 0)
    # A request names no account: the owner filter leaves requests alone, narrows calls.
    assert figure(bob, "references").series[0].values == (2, 1, 0, 1, 1)
    assert figure(october, "given_by_month").categories == ("2026-10",)
    assert headline(october, "given") == 1
    assert headline(october, "requests_fulfilled") is None


def test_the_question_reads_in_the_same_statements_whatever_the_data_size(
    engine: Engine, app: Any
) -> None:
    seen = []
    for copies in (1, 2):
        empty_all_tables(engine)
        with Session(engine, expire_on_commit=False) as session:
            build(session)
            for _ in range(copies - 1):
                extra = make_account(session, industry="Logistics")
                contact = make_mail_contact(session, extra)
                score(session, contact, "champion")
                referral(session, contact, at("2026-11-11"))
                session.commit()
            with count_queries(engine) as statements:
                advocacy_pipeline.answer(session, AnalyticsFilters(industry="Logistics"), now=NOW)
            seen.append(len(statements))
    assert seen[0] == seen[1]
