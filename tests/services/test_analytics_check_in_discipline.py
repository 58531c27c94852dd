"""The check-in discipline question on a real database: on time, late, skipped and overdue per
account manager and per month, as the team view counts them, narrowed by the filters, in the same
statements whatever the data size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.domain.analytics.figures import AnalyticsFilters, Figure, QuestionAnswer
from advocacy.domain.cadence import CheckInStatus
from advocacy.models import CheckIn, User
from advocacy.services.analytics import check_in_discipline
from advocacy.services.check_ins.my_week import team_discipline
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import make_account, make_user


@pytest.fixture(autouse=True)
def in_a_request(app: Flask) -> Iterator[None]:
    """Titles are translated for the page being drawn: answers are computed inside a request."""
    with app.test_request_context("/analytics"):
        yield


def check_in(
    session: Session,
    owner: User,
    *,
    due: date,
    closed: datetime | None = None,
    skipped: bool = False,
    industry: str = "Logistics",
) -> None:
    account = make_account(session, owner=owner, industry=industry)
    status = (
        CheckInStatus.SKIPPED if skipped else CheckInStatus.DONE if closed else CheckInStatus.OPEN
    )
    session.add(
        CheckIn(
            account_id=account.id,
            owner_id=owner.id,
            kind="routine",
            status=status.value,
            due_on=due,
            open_for_account_id=account.id if closed is None else None,
            created_at=NOW - timedelta(days=400),
            updated_at=NOW,
            closed_at=closed,
        )
    )
    session.commit()


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def build(session: Session) -> dict[str, User]:
    ann = make_user(session, name="Ann Archer")
    bob = make_user(session, name="Bob Baker")
    check_in(session, ann, due=date(2026, 11, 10), closed=at("2026-11-12"), industry="Retail")
    check_in(session, ann, due=date(2026, 11, 1), closed=at("2026-11-04"), industry="Retail")
    check_in(session, ann, due=date(2026, 10, 20), closed=at("2026-10-21"), skipped=True)
    check_in(session, ann, due=date(2026, 11, 20))  # overdue today
    check_in(session, bob, due=date(2026, 10, 5), closed=at("2026-10-05"))
    check_in(session, bob, due=date(2026, 12, 1))  # open, not yet due
    check_in(session, bob, due=date(2025, 6, 1), closed=at("2025-06-02"))  # before the window
    return {"ann": ann, "bob": bob}


def figure(answer: QuestionAnswer, key: str) -> Figure:
    return next(item for item in answer.figures if item.key == key)


def headline(answer: QuestionAnswer, key: str) -> float | None:
    return next(item.value for item in answer.headlines if item.key == key)


def test_each_metric_is_counted_as_worked_out_by_hand(session: Session) -> None:
    build(session)

    found = check_in_discipline.answer(session, AnalyticsFilters(), now=NOW)

    assert headline(found, "on_time_share") == 2 / 3  # Ann's 12 Nov and Bob's; Ann's 4 Nov is late
    assert headline(found, "skipped_share") == 0.25  # one skipped of four closed
    assert headline(found, "overdue") == 1
    by_owner = dict(figure(found, "by_owner").rows())
    assert by_owner == {"Ann Archer": (1, 1, 1, 1, 0), "Bob Baker": (1, 0, 0, 0, 1)}
    assert dict(figure(found, "on_time_by_owner").rows()) == {
        "Ann Archer": (0.5,),
        "Bob Baker": (1.0,),
    }
    trend = figure(found, "on_time_by_month")
    assert trend.categories[0] == "2025-12" and trend.categories[-1] == "2026-11"
    months = dict(trend.rows())
    assert months["2026-10"] == (1.0,) and months["2026-11"] == (0.5,)
    assert months["2026-09"] == (None,)
    assert trend.note  # every month has fewer than five done
    closed = dict(figure(found, "closed_by_month").rows())
    assert closed["2026-10"] == (1, 0, 1) and closed["2026-11"] == (1, 1, 0)


def test_the_figures_agree_with_the_team_view(session: Session) -> None:
    people = build(session)
    days = 90
    start = NOW.date() - timedelta(days=days)

    found = check_in_discipline.answer(session, AnalyticsFilters(period_start=start), now=NOW)
    team = team_discipline(session, days=days, now=NOW, tz=UTC)

    by_owner = dict(figure(found, "by_owner").rows())
    compared = 0
    for row in team.rows:
        if row.user_id in (people["ann"].id, people["bob"].id):
            figures = row.figures
            assert by_owner[row.name] == (
                figures.on_time,
                figures.late,
                figures.skipped,
                figures.overdue,
                figures.open - figures.overdue,
            )
            compared += 1
    assert compared == 2


def test_filters_narrow_every_figure(session: Session) -> None:
    people = build(session)

    bob = check_in_discipline.answer(session, AnalyticsFilters(owner_id=people["bob"].id), now=NOW)
    retail = check_in_discipline.answer(session, AnalyticsFilters(industry="Retail"), now=NOW)
    november = check_in_discipline.answer(
        session,
        AnalyticsFilters(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)),
        now=NOW,
    )
    nobody = check_in_discipline.answer(session, AnalyticsFilters(industry="Mining"), now=NOW)

    assert (headline(bob, "on_time_share"), headline(bob, "overdue")) == (1.0, 0)
    assert dict(figure(bob, "by_owner").rows()) == {"Bob Baker": (1, 0, 0, 0, 1)}
    assert headline(retail, "on_time_share") == 0.5
    assert headline(retail, "overdue") == 0
    assert headline(november, "on_time_share") == 0.5
    assert headline(november, "skipped_share") == 0
    assert figure(november, "on_time_by_month").categories == ("2026-11",)
    assert headline(nobody, "on_time_share") is None
    assert figure(nobody, "by_owner").categories == ()
    assert figure(nobody, "by_owner").note


def test_the_question_reads_in_the_same_statements_whatever_the_data_size(
    engine: Engine, app: Any
) -> None:
    seen = []
    for copies in (1, 3):
        empty_all_tables(engine)
        with Session(engine, expire_on_commit=False) as session:
            for _ in range(copies):
                build(session)
            with count_queries(engine) as statements:
                check_in_discipline.answer(session, AnalyticsFilters(industry="Retail"), now=NOW)
            seen.append(len(statements))
    assert seen[0] == seen[1]
