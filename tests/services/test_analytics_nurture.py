"""The nurture question on a real database: each campaign's funnel matches the campaign page's
own counts, filters narrow it, and it reads in the same statements whatever the data size."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.domain.analytics.figures import AnalyticsFilters, Figure, QuestionAnswer
from advocacy.models import Account, MailEvent, OutboxMessage
from advocacy.repository.read_models import campaigns as read_model
from advocacy.services.analytics import nurture
from advocacy.services.nurture import campaigns
from advocacy.services.nurture.run import run_campaigns
from advocacy.settings import Settings
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.services.test_nurture_planner import build_firm

_events = count(1)


@pytest.fixture(autouse=True)
def in_a_request(app: Flask) -> Iterator[None]:
    """Titles are translated for the page being drawn: answers are computed inside a request."""
    with app.test_request_context("/analytics"):
        yield


def run(session: Session, settings: Settings, accounts: int) -> dict[str, Any]:
    firm = build_firm(session, accounts)
    campaigns.activate(session, firm["campaign"].id, by=firm["marketer"], now=NOW)
    run_campaigns(session, now=NOW, settings=settings)
    return firm


def provider_says(session: Session, message: OutboxMessage, *events: str) -> None:
    """The provider accepted `message` and reported `events` about it."""
    message.status = "sent"
    message.sent_at = NOW
    session.add(message)
    for event in events:
        session.add(
            MailEvent(
                provider_event_id=f"event-{next(_events)}",
                message_id=message.id,
                event=event,
                email=message.to_email,
                occurred_at=NOW,
                payload_json=json.dumps({"event": event}),
                received_at=NOW,
            )
        )
    session.commit()


def figure(answer: QuestionAnswer, key: str) -> Figure:
    return next(item for item in answer.figures if item.key == key)


def headline(answer: QuestionAnswer, key: str) -> float | None:
    return next(item.value for item in answer.headlines if item.key == key)


def test_each_campaign_funnel_is_counted_as_the_campaign_page_counts_it(
    session: Session, settings: Settings
) -> None:
    firm = run(session, settings, 4)
    messages = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == 2  # half the accounts still had a line to learn
    provider_says(session, messages[0], "delivered", "open", "open", "click")
    provider_says(session, messages[1], "delivered")

    found = nurture.answer(session, AnalyticsFilters(), now=NOW)

    page = read_model.counts(session, firm["campaign"].id)
    table = dict(figure(found, "funnel_by_campaign").rows())
    assert table["Next line"] == (
        page.enrolled,
        page.planned,
        page.sent,
        page.delivered,
        page.opened,
        page.clicked,
        sum(page.stopped.values()),
    )
    assert table["Next line"][:6] == (4, 2, 2, 2, 1, 1)
    assert figure(found, "funnel").series[0].values == (4, 2, 2, 2, 1, 1)
    assert headline(found, "campaigns") == 1
    assert headline(found, "enrolled") == 4
    assert headline(found, "open_rate") == 0.5  # one opened of two delivered
    assert headline(found, "click_rate") == 0.5
    rates = dict(figure(found, "rates_by_campaign").rows())
    assert rates["Next line"] == (0.5, 0.5)
    assert found.slug == "nurture" and found.computed_at == NOW


def test_filters_narrow_the_funnel_to_the_accounts_they_keep(
    session: Session, settings: Settings
) -> None:
    firm = run(session, settings, 4)
    retail = session.get(Account, firm["contacts"][0].account_id)
    assert retail is not None
    retail.industry = "Retail"
    session.add(retail)
    session.commit()

    logistics = nurture.answer(session, AnalyticsFilters(industry="Logistics"), now=NOW)
    nobody = nurture.answer(session, AnalyticsFilters(owner_id=firm["marketer"].id), now=NOW)
    later = nurture.answer(
        session, AnalyticsFilters(period_start=NOW.date().replace(year=2027)), now=NOW
    )

    assert headline(logistics, "enrolled") == 3
    # The first contact was one of those e-mailed: one e-mail is left.
    assert dict(figure(logistics, "funnel_by_campaign").rows())["Next line"][1] == 1
    assert headline(nobody, "enrolled") == 0
    assert figure(nobody, "funnel").note
    assert headline(nobody, "open_rate") is None
    assert headline(later, "enrolled") == 0


def test_the_question_reads_in_the_same_statements_whatever_the_data_size(
    engine: Engine, app: Any
) -> None:
    seen = []
    with app.test_request_context("/analytics"):
        settings = app.config["ADVOCACY"]
        for accounts in (2, 6):
            empty_all_tables(engine)
            with Session(engine, expire_on_commit=False) as session:
                run(session, settings, accounts)
                with count_queries(engine) as statements:
                    nurture.answer(session, AnalyticsFilters(industry="Logistics"), now=NOW)
                seen.append(len(statements))
    assert seen[0] == seen[1]
