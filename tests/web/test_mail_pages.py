"""Admin mail pages: the message log and its filters, one message with its events and a preview
that can never run the message's scripts in our origin, and the suppression list."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ConsentChange, MailEvent, Suppression
from advocacy.repository_mail import messages_for_contact
from tests.conftest import NOW
from tests.factories import (
    csrf_token,
    make_account,
    make_contact,
    make_sent_message,
    make_user,
    sign_in,
)


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


def test_a_message_shows_text_headers_and_its_event_timeline(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        message = make_sent_message(
            session,
            subject="Hello <b>there</b>",
            text_body="Plain words",
            headers_json=json.dumps({"List-Unsubscribe": "<https://x.example/c/unsubscribe/t>"}),
        )
        session.add(
            MailEvent(
                provider_event_id="e1",
                message_id=message.id,
                event="bounce",
                email=message.to_email,
                occurred_at=NOW,
                payload_json=json.dumps({"event": "bounce", "reason": "550 unknown user"}),
                received_at=NOW,
                processed_at=NOW,
            )
        )
        session.commit()
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
