"""Admin mail pages: the message log and its filters, one message with its events and a preview
that can never run the message's scripts in our origin, and the suppression list."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.outbox import MESSAGE_ID_ARG
from advocacy.models import ConsentChange, Suppression
from advocacy.repository.mail import messages_for_contact
from advocacy.services.mail.events import process_pending_events
from tests.conftest import NOW
from tests.factories import (
    csrf_token,
    make_account,
    make_contact,
    make_sent_message,
    make_user,
    sign_in,
)
from tests.sendgrid_events import Signer, post_events


def admin_client(app: Flask) -> FlaskClient:
    with app.app_context():
        make_user(db_session(), role="admin", email="boss@firm.example")
    client = app.test_client()
    sign_in(client, "boss@firm.example")
    return client


def test_the_log_filters_by_status_category_recipient_and_date(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        make_sent_message(session, to_email="ann@client.example", subject="Letter to Ann")
        make_sent_message(
            session,
            to_email="bob@client.example",
            subject="Survey for Bob",
            category="survey",
            status="failed",
        )
        make_sent_message(
            session,
            to_email="old@client.example",
            subject="Old news",
            queued_at=NOW - timedelta(days=30),
        )
    client = admin_client(app)

    def subjects(query: str) -> set[str]:
        html = client.get("/admin/mail" + query).get_data(as_text=True)
        return {s for s in ("Letter to Ann", "Survey for Bob", "Old news") if s in html}

    assert subjects("") == {"Letter to Ann", "Survey for Bob", "Old news"}
    assert subjects("?status=failed") == {"Survey for Bob"}
    assert subjects("?category=nurture") == {"Letter to Ann", "Old news"}
    assert subjects("?recipient=ANN") == {"Letter to Ann"}
    since = (NOW - timedelta(days=2)).date().isoformat()
    assert subjects(f"?since={since}") == {"Letter to Ann", "Survey for Bob"}
    until = (NOW - timedelta(days=2)).date().isoformat()
    assert subjects(f"?until={until}") == {"Old news"}
    # Nonsense filters are ignored, not errors.
    assert client.get("/admin/mail?status=x&since=yesterday&page=-4").status_code == 200


def test_the_log_pages_through_many_messages(app: Flask) -> None:
    with app.app_context():
        for number in range(55):
            make_sent_message(db_session(), subject=f"Number {number:02d}")
    client = admin_client(app)
    first = client.get("/admin/mail").get_data(as_text=True)
    second = client.get("/admin/mail?page=2").get_data(as_text=True)
    assert "55 messages" in first and 'rel="next"' in first
    assert first.count("Number ") == 50 and second.count("Number ") == 5


def test_a_message_shows_text_headers_and_its_event_timeline(app_factory: Any) -> None:
    signer = Signer()
    app = app_factory(sendgrid_webhook_public_key=signer.public_key)
    with app.app_context():
        session = db_session()
        message = make_sent_message(
            session,
            subject="Hello <b>there</b>",
            text_body="Plain words",
            headers_json=json.dumps({"List-Unsubscribe": "<https://x.example/c/unsubscribe/t>"}),
        )
    bounce = {
        "event": "bounce",
        "email": message.to_email,
        "timestamp": int(NOW.timestamp()),
        "sg_event_id": "e1",
        "reason": "550 unknown user",
        "type": "bounce",
        MESSAGE_ID_ARG: str(message.id),
    }
    post_events(app.test_client(), signer, [bounce])  # signed, through the real webhook
    with app.app_context():
        process_pending_events(db_session(), NOW)
    client = admin_client(app)
    html = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in html
    assert "Plain words" in html
    assert "List-Unsubscribe" in html
    assert "550 unknown user" in html
    assert f'src="/admin/mail/{message.id}/preview" sandbox' in html
    assert client.get("/admin/mail/999999").status_code == 404


def test_the_html_preview_is_sandboxed_with_its_own_strict_policy(app: Flask) -> None:
    with app.app_context():
        message = make_sent_message(
            db_session(), html_body="<p>Hi</p><script>alert(document.cookie)</script>"
        )
    client = admin_client(app)
    response = client.get(f"/admin/mail/{message.id}/preview")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'unsafe-inline'" in policy
    assert "img-src data:" in policy
    assert "script-src" not in policy
    assert policy.rstrip().endswith("sandbox")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_mail_pages_are_for_admins_only(app: Flask) -> None:
    with app.app_context():
        make_user(db_session(), role="account_manager", email="am@firm.example")
        message = make_sent_message(db_session())
    client = app.test_client()
    sign_in(client, "am@firm.example")
    for path in (
        "/admin/mail",
        f"/admin/mail/{message.id}",
        f"/admin/mail/{message.id}/preview",
        "/admin/suppressions",
    ):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")
    adding = {"csrf_token": token, "email": "x@client.example", "scope": "all", "reason": "No"}
    assert client.post("/admin/suppressions", data=adding).status_code == 403
    with app.app_context():
        assert db_session().exec(select(Suppression)).all() == []


def test_the_suppression_list_shows_reasons_and_removes_only_manual_ones(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        for email, category, reason in [
            ("manual@client.example", "all", "manual"),
            ("bounced@client.example", "all", "bounce"),
            ("chose@client.example", "survey", "unsubscribe"),
        ]:
            session.add(Suppression(email=email, category=category, reason=reason, created_at=NOW))
        session.commit()
        ids = {row.email: row.id for row in session.exec(select(Suppression))}
    client = admin_client(app)
    html = client.get("/admin/suppressions").get_data(as_text=True)
    assert "Bounced" in html and "Added by staff" in html and "Unsubscribed" in html
    assert html.count(">Remove</button>") == 1
    assert "chose@client.example" in client.get("/admin/suppressions?q=CHOSE").get_data(
        as_text=True
    )
    token = csrf_token(client, "/admin/suppressions")
    refused = client.post(
        f"/admin/suppressions/{ids['bounced@client.example']}/remove", data={"csrf_token": token}
    )
    assert refused.status_code == 302
    removed = client.post(
        f"/admin/suppressions/{ids['manual@client.example']}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 302
    with app.app_context():
        left = {row.email for row in db_session().exec(select(Suppression))}
        assert left == {"bounced@client.example", "chose@client.example"}
        [change] = db_session().exec(select(ConsentChange)).all()
        assert (change.action, change.via) == ("lift", "staff")


def suppression_rows(app: Flask) -> set[tuple[str, str, str]]:
    with app.app_context():
        found = db_session().exec(select(Suppression))
        return {(row.email, row.category, row.reason) for row in found}


def add_form(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    data = {"email": "ann@client.example", "scope": "all", "reason": "Asked by phone"}
    return {"csrf_token": csrf_token(client, "/admin/suppressions"), **data, **fields}


def test_an_admin_suppresses_an_address_by_hand_with_a_reason(app: Flask) -> None:
    client = admin_client(app)
    page = client.get("/admin/suppressions").get_data(as_text=True)
    assert 'action="/admin/suppressions"' in page and 'name="reason"' in page
    response = client.post(
        "/admin/suppressions",
        data=add_form(client, email="  Ann@Client.EXAMPLE "),
        follow_redirects=True,
    )
    assert response.request.path == "/admin/suppressions"
    html = response.get_data(as_text=True)
    assert "ann@client.example is now suppressed by hand." in html
    assert "staff boss@firm.example: Asked by phone" in html
    assert suppression_rows(app) == {("ann@client.example", "all", "manual")}
    with app.app_context():
        [change] = db_session().exec(select(ConsentChange)).all()
        assert (change.email, change.category, change.action, change.via) == (
            "ann@client.example",
            "all",
            "suppress",
            "staff",
        )
        assert "Asked by phone" in change.detail and "boss@firm.example" in change.detail


def test_suppressing_chosen_categories_twice_changes_nothing_the_second_time(app: Flask) -> None:
    client = admin_client(app)
    chosen = {"scope": "chosen", "categories": ["survey", "advocacy_ask"]}
    first = client.post("/admin/suppressions", data=add_form(client, **chosen))
    assert first.status_code == 302 and first.headers["Location"] == "/admin/suppressions"
    again = client.post(
        "/admin/suppressions", data=add_form(client, **chosen), follow_redirects=True
    )
    assert "was already suppressed for this mail: nothing changed." in again.get_data(as_text=True)
    assert suppression_rows(app) == {
        ("ann@client.example", "survey", "manual"),
        ("ann@client.example", "advocacy_ask", "manual"),
    }
    with app.app_context():
        assert len(db_session().exec(select(ConsentChange)).all()) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"email": "ann@" + "x" * 260 + ".example"}, "longer than 254 characters"),
        ({"reason": ""}, "This field is required."),
        ({"reason": "   "}, "This field is required."),
        ({"reason": "x" * 201}, "longer than 200 characters"),
        ({"scope": "chosen"}, "Tick at least one category"),
        ({"scope": "chosen", "categories": ["survey", "transactional"]}, "not a valid choice"),
        ({"scope": "everything"}, "Not a valid choice"),
    ],
)
def test_a_refused_manual_suppression_comes_back_filled_and_writes_nothing(
    app: Flask, fields: dict[str, Any], message: str
) -> None:
    client = admin_client(app)
    typed = {"reason": "Asked by phone", "email": "ann@client.example", **fields}
    response = client.post("/admin/suppressions", data=add_form(client, **fields))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if typed["email"]:
        assert f'value="{typed["email"]}"' in html
    if typed["reason"].strip():
        assert f'value="{typed["reason"]}"' in html
    assert suppression_rows(app) == set()
    with app.app_context():
        assert db_session().exec(select(ConsentChange)).all() == []


def test_a_manual_suppression_with_a_nul_byte_is_refused_and_writes_nothing(app: Flask) -> None:
    client = admin_client(app)
    response = client.post("/admin/suppressions", data=add_form(client, reason="Asked\x00"))
    assert response.status_code == 400
    assert suppression_rows(app) == set()


def test_the_staff_form_without_its_csrf_token_gets_the_staff_error_page(app: Flask) -> None:
    client = admin_client(app)
    response = client.post("/admin/suppressions", data={**add_form(client), "csrf_token": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This form has expired or came from another site" in html
    assert "client-page" not in html
    assert suppression_rows(app) == set()


def test_the_contact_history_partial_lists_the_contacts_messages(app: Flask) -> None:
    with app.app_context(), app.test_request_context():
        session = db_session()
        account = make_account(session)
        contact = make_contact(session, account, email="dana@client.example")
        make_sent_message(session, contact_id=contact.id, subject="For Dana")
        make_sent_message(session, subject="For someone else")
        history = messages_for_contact(session, contact.id)
        html = render_template_string(
            '{% include "mail/_contact_history.html" %}', mail_history=history
        )
    assert "For Dana" in html and "For someone else" not in html


def test_the_log_warns_when_sendgrid_events_stop_arriving_while_mail_is_sent(
    app_factory: Any,
) -> None:
    app = app_factory(
        mail_backend="sendgrid", sendgrid_api_key="SG.test", mail_events_silence_minutes=30
    )
    client = admin_client(app)
    assert "No event has come from SendGrid" not in client.get("/admin/mail").get_data(True)
    with app.app_context():
        make_sent_message(db_session(), sent_at=utcnow() - timedelta(minutes=45))
    html = client.get("/admin/mail").get_data(as_text=True)
    assert "No event has come from SendGrid for mail sent more than 30 minutes ago" in html
