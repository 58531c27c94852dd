"""The pages say why nobody may be asked: after a client answers NPS 3 through their survey link,
the account's testimonial page and the library's reference-ready tab show the rule's reason, and
an ask posted anyway is refused with it."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import OutboxMessage
from advocacy.services.voice.survey_answers import answer_survey
from tests.factories import (
    make_account,
    make_mail_contact,
    make_survey,
    make_user,
    sign_in,
)
from tests.factories_referrals import make_reference_permission

REASON = "This account has an open detractor signal: repair it first."


def detractor_at_account(app: Flask) -> dict[str, Any]:
    with app.app_context():
        session, settings = db_session(), app.config["ADVOCACY"]
        owner = make_user(session, role="admin", email="owner@firm.example")
        account = make_account(session, owner=owner, name="Unhappy SA")
        colin = make_mail_contact(session, account, full_name="Colin Colleague")
        make_reference_permission(session, colin)
        now = utcnow()
        _survey, token = make_survey(
            session, settings, owner=owner, account=account, full_name="Dana", now=now
        )
        answer_survey(session, token, 3, "Late again.", settings=settings, now=now)
        return {"account": account.id, "colin": colin.id}


def test_the_testimonial_page_and_a_posted_ask_say_why_nobody_may_be_asked(
    app: Flask, client: FlaskClient
) -> None:
    made = detractor_at_account(app)
    sign_in(client, "owner@firm.example")
    page = f"/accounts/{made['account']}/testimonials"
    html = client.get(page).get_data(as_text=True)
    assert REASON in html
    token = re.search(r'name="ask-csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html
    )
    assert token
    response = client.post(
        f"{page}/ask",
        data={"ask-csrf_token": token.group(1), "ask-contact_id": str(made["colin"])},
    )
    assert response.status_code in {400, 422}
    assert REASON in response.get_data(as_text=True)
    with app.app_context():
        asks = db_session().exec(
            select(OutboxMessage).where(OutboxMessage.template == "testimonial_ask")
        )
        assert asks.all() == []


def test_the_reference_ready_tab_shows_the_colleague_unavailable_with_the_reason(
    app: Flask, client: FlaskClient
) -> None:
    detractor_at_account(app)
    sign_in(client, "owner@firm.example")
    html = client.get("/library/references").get_data(as_text=True)
    row = html.split("Colin Colleague", 1)[1].split("</tr>", 1)[0]
    assert "Available" not in row
    assert REASON in row
