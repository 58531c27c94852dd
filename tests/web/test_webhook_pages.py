"""Admin webhook pages: registering an endpoint shows its secret once, a bad URL comes back with
the reason, the endpoint page sends a test event, replays, switches off and on, deletes; only
admins get in, and every change needs the CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import WebhookDelivery, WebhookEndpoint
from advocacy.services.webhooks.deliver import run_delivery
from tests.factories import csrf_token, make_user, sign_in
from tests.webhook_receiver import WebhookReceiver


@pytest.fixture
def app(app_factory: object) -> Flask:
    return app_factory(webhooks_allowed_private_networks="127.0.0.0/8")  # type: ignore[operator]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def signed_in(app: Flask, role: str) -> FlaskClient:
    email = f"{role}@firm.example"
    with app.app_context():
        make_user(db_session(), role=role, email=email)
    client = app.test_client()
    sign_in(client, email)
    return client


def register(client: FlaskClient, url: str, **fields: object) -> tuple[int, str]:
    data = {
        "csrf_token": csrf_token(client, "/admin/webhooks"),
        "url": url,
        "description": "Website",
        "scope": "publish",
        "events": ["testimonial.published", "testimonial.withdrawn"],
        **fields,
    }
    response = client.post("/admin/webhooks", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(
    app: Flask, receiver: WebhookReceiver
) -> None:
    client = signed_in(app, "admin")
    status, html = register(client, receiver.url)
    assert status == 200
    secret = re.search(r'<code id="webhook-secret">(whsec_[^<]+)</code>', html)
    assert secret is not None
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert receiver.url in listing and secret.group(1) not in listing
    with app.app_context():
        endpoint = db_session().exec(select(WebhookEndpoint)).one()
        assert endpoint.secret == secret.group(1)
        assert endpoint.events == "testimonial.published,testimonial.withdrawn"
    page = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert secret.group(1) not in page and "Testimonial published" in page


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "must start with http:// or https://"),
        ("http://10.0.0.5/hooks", "private, loopback or link-local"),
        ("http://169.254.169.254/", "private, loopback or link-local"),
    ],
)
def test_a_bad_url_comes_back_with_the_reason_and_nothing_is_registered(
    app: Flask, url: str, reason: str
) -> None:
    client = signed_in(app, "admin")
    status, html = register(client, url)
    assert status == 422 and reason in html
    assert f'value="{url}"' in html  # the form comes back filled
    with app.app_context():
        assert db_session().exec(select(WebhookEndpoint)).all() == []


def test_a_publish_endpoint_cannot_take_people_events(
    app: Flask, receiver: WebhookReceiver
) -> None:
    client = signed_in(app, "admin")
    status, html = register(client, receiver.url, events=["contact.moved"])
    assert status == 422 and "not available to this scope" in html
    status, html = register(client, receiver.url, events=[])
    assert status == 422 and "Choose at least one event." in html


def test_test_event_replay_switch_off_and_on_and_delete_from_the_endpoint_page(
    app: Flask, receiver: WebhookReceiver
) -> None:
    client = signed_in(app, "admin")
    _, html = register(client, receiver.url)
    receiver.secret = re.findall(r"whsec_[^<]+", html)[0]
    with app.app_context():
        endpoint_id = db_session().exec(select(WebhookEndpoint)).one().id
    page = f"/admin/webhooks/{endpoint_id}"
    token = csrf_token(client, page)
    sent = client.post(f"{page}/test", data={"csrf_token": token}, follow_redirects=True)
    assert "A test event is on its way" in sent.get_data(as_text=True)
    with app.app_context():
        run_delivery(db_session().get_bind(), app.config["ADVOCACY"], clock=utcnow)  # type: ignore[arg-type]
        delivery = db_session().exec(select(WebhookDelivery)).one()
    assert [event.type for event in receiver.accepted()] == ["webhook.test"]
    html = client.get(page).get_data(as_text=True)
    assert delivery.message_id in html and "Delivered" in html and "HTTP 200" in html
    client.post(f"{page}/deliveries/{delivery.id}/replay", data={"csrf_token": token})
    with app.app_context():
        run_delivery(db_session().get_bind(), app.config["ADVOCACY"], clock=utcnow)  # type: ignore[arg-type]
    assert [e.webhook_id for e in receiver.accepted()] == [delivery.message_id] * 2
    off = client.post(f"{page}/disable", data={"csrf_token": token}, follow_redirects=True)
    assert "Switch on" in off.get_data(as_text=True)
    refused = client.post(f"{page}/test", data={"csrf_token": token}, follow_redirects=True)
    assert "Switch the endpoint on before" in refused.get_data(as_text=True)
    client.post(f"{page}/enable", data={"csrf_token": token})
    gone = client.post(f"{page}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "and its delivery log are deleted" in gone.get_data(as_text=True)
    with app.app_context():
        assert db_session().exec(select(WebhookEndpoint)).all() == []
        assert db_session().exec(select(WebhookDelivery)).all() == []
    assert client.get(page).status_code == 404


def test_only_admins_get_in_and_changes_need_the_csrf_token(
    app: Flask, receiver: WebhookReceiver
) -> None:
    for role in ("marketing", "account_manager"):
        client = signed_in(app, role)
        assert client.get("/admin/webhooks").status_code == 403
        assert client.post("/admin/webhooks", data={"url": receiver.url}).status_code in (400, 403)
    admin = signed_in(app, "admin")
    missing = admin.post(
        "/admin/webhooks",
        data={"url": receiver.url, "scope": "publish", "events": ["testimonial.published"]},
    )
    assert missing.status_code == 400
    with app.app_context():
        assert db_session().exec(select(WebhookEndpoint)).all() == []
