"""The mail log says why a campaign sent an e-mail: the campaign, its step, the line it
introduces and the planner's reason; an e-mail no campaign sent shows no such section."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import OutboxMessage
from advocacy.services.nurture.campaigns import activate
from advocacy.services.nurture.run import run_campaigns
from tests.conftest import NOW
from tests.factories import make_sent_message, make_user, page_html, signed_in_client
from tests.factories_campaigns import ALWAYS_OPEN, build_firm


@pytest.fixture
def open_app(app_factory: Any) -> Flask:
    return app_factory(**ALWAYS_OPEN)


def test_a_campaign_email_shows_its_campaign_step_line_and_reason_in_the_mail_log(
    open_app: Flask,
) -> None:
    firm = build_firm(open_app)
    with open_app.app_context():
        session = db_session()
        activate(session, firm.campaign, by=firm.marketer, now=NOW)
        run_campaigns(session, now=NOW, settings=open_app.config["ADVOCACY"])
        message = session.exec(
            select(OutboxMessage).where(OutboxMessage.to_email == firm.contacts[0].email)
        ).one()
        admin = make_user(session, role="admin")
    html = page_html(signed_in_client(open_app, admin), f"/admin/mail/{message.id}")
    assert "Why this message" in html
    assert f'href="/campaigns/{firm.campaign}">Between engagements</a>' in html
    assert "introduces Transfer pricing." in html
    assert "Our clients who bought Tax often also bought Transfer pricing" in html


def test_an_email_no_campaign_sent_has_no_reason_section(open_app: Flask) -> None:
    with open_app.app_context():
        session = db_session()
        message = make_sent_message(session)
        admin = make_user(session, role="admin")
    html = page_html(signed_in_client(open_app, admin), f"/admin/mail/{message.id}")
    assert "Why this message" not in html
