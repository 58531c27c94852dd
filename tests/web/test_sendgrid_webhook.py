"""POST /webhooks/sendgrid: only SendGrid's signed, recent requests are stored, each event once.

The signatures are real: a fresh P-256 key signs `timestamp + body` with ECDSA-SHA256, the app
holds the public key as SendGrid shows it (base64 DER), and the library's EventWebhook checks it.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.outbox import MESSAGE_ID_ARG
from advocacy.models import MailEvent
from tests.factories import make_sent_message
from tests.sendgrid_events import Signer

URL = "/webhooks/sendgrid"


def event(**fields: Any) -> dict[str, Any]:
    fields.setdefault("sg_event_id", "evt-1")
    fields.setdefault("event", "delivered")
    fields.setdefault("email", "client@client.example")
    fields.setdefault("timestamp", int(time.time()))
    fields.setdefault("sg_message_id", "abc123.filter0001.1.2.3")
    return fields


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def app(app_factory: Any, signer: Signer) -> Flask:
    return app_factory(sendgrid_webhook_public_key=signer.public_key)


def stored(app: Flask) -> list[MailEvent]:
    with app.app_context():
        return list(db_session().exec(select(MailEvent).order_by(MailEvent.id)))


def post(client: FlaskClient, signer: Signer, body: str, **kwargs: Any) -> Any:
    return client.post(URL, data=body, headers=signer.headers(body, **kwargs))


def test_a_signed_batch_is_stored_unprocessed_and_answered_without_content(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    body = json.dumps([event(), event(sg_event_id="evt-2", event="open", **{MESSAGE_ID_ARG: "7"})])
    response = post(client, signer, body)
    assert response.status_code == 204
    rows = stored(app)
    assert [(r.provider_event_id, r.event, r.email) for r in rows] == [
        ("evt-1", "delivered", "client@client.example"),
        ("evt-2", "open", "client@client.example"),
    ]
    assert all(r.processed_at is None for r in rows)
    assert json.loads(rows[1].payload_json)[MESSAGE_ID_ARG] == "7"


def test_the_webhook_needs_no_session_cookie_or_csrf_token(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    body = json.dumps([event()])
    response = post(client, signer, body)
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers


def test_a_request_signed_with_another_key_is_refused(app: Flask, client: FlaskClient) -> None:
    body = json.dumps([event()])
    response = client.post(URL, data=body, headers=Signer().headers(body))
    assert response.status_code == 403
    assert stored(app) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Email-Event-Webhook-Timestamp": "1700000000"},
        {"X-Twilio-Email-Event-Webhook-Signature": "bm90IGEgc2lnbmF0dXJl"},
        {
            "X-Twilio-Email-Event-Webhook-Signature": "%%% not base64 %%%",
            "X-Twilio-Email-Event-Webhook-Timestamp": "1700000000",
        },
    ],
    ids=["no headers", "no signature", "no timestamp", "garbage signature"],
)
def test_a_missing_or_malformed_signature_is_refused(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.post(URL, data=json.dumps([event()]), headers=headers)
    assert response.status_code == 403
    assert stored(app) == []


def test_a_changed_body_under_a_valid_signature_is_refused(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    body = json.dumps([event()])
    headers = signer.headers(body)
    forged = json.dumps([event(email="attacker@evil.example")])
    assert client.post(URL, data=forged, headers=headers).status_code == 403


def test_the_raw_body_is_verified_so_the_same_json_with_other_whitespace_is_refused(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    signed = json.dumps([event()], separators=(",", ":"))
    respaced = json.dumps(json.loads(signed), indent=2)
    assert json.loads(respaced) == json.loads(signed)
    assert client.post(URL, data=respaced, headers=signer.headers(signed)).status_code == 403
    assert client.post(URL, data=signed, headers=signer.headers(signed)).status_code == 204


def test_an_event_sent_twice_is_stored_once(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    body = json.dumps([event(sg_event_id="evt-9")])
    assert post(client, signer, body).status_code == 204
    # SendGrid retries, with a new timestamp and signature, and may repeat an event in one batch.
    again = json.dumps([event(sg_event_id="evt-9"), event(sg_event_id="evt-9"), event()])
    assert post(client, signer, again).status_code == 204
    assert sorted(r.provider_event_id for r in stored(app)) == ["evt-1", "evt-9"]


def test_an_event_without_an_id_is_deduplicated_by_its_content(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    raw = event()
    del raw["sg_event_id"]
    body = json.dumps([raw])
    assert post(client, signer, body).status_code == 204
    assert post(client, signer, body).status_code == 204
    assert len(stored(app)) == 1


@pytest.mark.parametrize("age", [301, 3600, 86_400 * 2])
def test_a_stale_timestamp_is_refused_even_with_a_valid_signature(
    app: Flask, client: FlaskClient, signer: Signer, age: int
) -> None:
    body = json.dumps([event()])
    response = post(client, signer, body, timestamp=int(time.time()) - age)
    assert response.status_code == 403
    assert stored(app) == []


def test_a_timestamp_far_in_the_future_is_refused(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    body = json.dumps([event()])
    assert post(client, signer, body, timestamp=int(time.time()) + 3600).status_code == 403


def test_a_timestamp_a_little_ahead_of_our_clock_is_accepted(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    body = json.dumps([event()])
    assert post(client, signer, body, timestamp=int(time.time()) + 20).status_code == 204


@pytest.mark.parametrize("body", ["{not json", '{"event": "open"}', '"text"'])
def test_a_signed_body_that_is_not_a_json_array_is_a_bad_request(
    app: Flask, client: FlaskClient, signer: Signer, body: str
) -> None:
    assert post(client, signer, body).status_code == 400
    assert stored(app) == []


def test_a_body_over_the_size_limit_is_refused_before_anything_else(
    app: Flask, client: FlaskClient, signer: Signer
) -> None:
    body = json.dumps([event(sg_event_id=f"evt-{n}", padding="x" * 1000) for n in range(1100)])
    assert post(client, signer, body).status_code == 413
    assert stored(app) == []


def test_without_a_configured_key_every_request_is_refused(
    app_factory: Any, signer: Signer
) -> None:
    app = app_factory()
    body = json.dumps([event()])
    assert app.test_client().post(URL, data=body, headers=signer.headers(body)).status_code == 403


def test_a_key_that_is_not_base64_der_refuses_requests_instead_of_failing(
    app_factory: Any, signer: Signer
) -> None:
    app = app_factory(sendgrid_webhook_public_key="not a key")
    body = json.dumps([event()])
    assert app.test_client().post(URL, data=body, headers=signer.headers(body)).status_code == 403


def test_healthz_shows_when_sent_mail_has_had_no_event_for_too_long(
    app_factory: Any, signer: Signer
) -> None:
    app = app_factory(
        mail_backend="sendgrid",
        sendgrid_api_key="SG.test",
        sendgrid_webhook_public_key=signer.public_key,
        mail_events_silence_minutes=30,
    )
    client = app.test_client()
    with app.app_context():
        assert client.get("/healthz").json["mail_events"]["status"] == "ok"  # nothing sent yet
        make_sent_message(db_session(), sent_at=utcnow() - timedelta(minutes=10))
        assert client.get("/healthz").json["mail_events"]["status"] == "ok"  # too soon to tell
        make_sent_message(db_session(), sent_at=utcnow() - timedelta(minutes=31))
    silent = client.get("/healthz").json["mail_events"]
    assert silent["status"] == "silent" and silent["last_event_at"] is None
    body = json.dumps([event()])
    assert post(client, signer, body).status_code == 204
    heard = client.get("/healthz").json["mail_events"]
    assert heard["status"] == "ok" and heard["last_event_at"] is not None


def test_healthz_says_nothing_of_mail_events_when_mail_does_not_use_sendgrid(
    client: FlaskClient,
) -> None:
    assert client.get("/healthz").json["mail_events"] is None
