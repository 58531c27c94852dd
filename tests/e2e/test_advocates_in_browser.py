"""The Advocates page in Chromium: the account manager opens /advocates, expands a champion's
explanation and sends the recommended testimonial ask with one click."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.scoring import ScoreWeights
from advocacy.models import OutboxMessage, Survey, User
from advocacy.services.scoring import recompute
from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in
from tests.factories import make_account, make_mail_contact

pytestmark = pytest.mark.browser


def test_the_owner_expands_why_and_starts_the_recommended_ask_in_one_click(
    live_server: LiveServer,
    person: Callable[..., User],
    new_context: Callable[..., BrowserContext],
) -> None:
    owner = person(email="owen@firm.example", name="Owen")
    with live_server.app.app_context():
        session = db_session()
        account = make_account(session, name="Happy Client SA", owner=owner)
        anna = make_mail_contact(
            session,
            account,
            full_name="Anna Champion",
            seniority="c_level",
            influence=5,
            roles=["decision_maker"],
        )
        at = utcnow() - timedelta(days=20)
        session.add(
            Survey(
                key="nps:anna",
                account_id=account.id,
                contact_id=anna.id,
                kind="nps",
                trigger="on_demand",
                status="answered",
                score=10,
                created_at=at,
                updated_at=at,
                answered_at=at,
            )
        )
        session.commit()
        rules = recompute.ScoringRules(weights=ScoreWeights(champion_at=40, advocate_at=30))
        recompute.recompute_all(session, now=utcnow(), rules=rules)
        anna_id = anna.id

    page = new_context().new_page()
    sign_in(page, live_server, "owen@firm.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Advocates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advocates")
    row = page.locator(f"#contact-{anna_id}")
    expect(row.get_by_text("Champion", exact=True)).to_be_visible()
    reason = row.get_by_text("their first words")
    expect(reason).to_be_hidden()
    row.get_by_text("Why?").click()
    expect(reason).to_be_visible()
    expect(row.get_by_text("promoter: NPS 10, 3 weeks ago")).to_be_visible()

    row.get_by_role("button", name="Ask for a testimonial").click()
    expect(page.get_by_text("The request was e-mailed.")).to_be_visible()
    with live_server.app.app_context():
        sent = db_session().exec(select(OutboxMessage).where(OutboxMessage.contact_id == anna_id))
        assert [message.category for message in sent] == ["advocacy_ask"]
