"""Outgoing webhooks against a real local receiver that verifies each Standard Webhooks signature
with the `standardwebhooks` library: events written with the change, delivered signed by the
delivery run, cut to the endpoint's scope; faults (down, slow, 500, 410, 429) retried or final;
an endpoint failing for a day switched off with its admins told; the URL rule."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook

from advocacy.adapters.webhook_http import WebhookPoster, new_secret, signed_headers
from advocacy.clock import utcnow
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.webhooks import DISABLE_AFTER
from advocacy.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from advocacy.services.voice import testimonials
from advocacy.services.webhooks import endpoints
from advocacy.services.webhooks.deliver import DeliveryReport, deliver_due
from advocacy.settings import Settings
from tests.conftest import free_port
from tests.factories import make_mail_contact, make_testimonial, make_user
from tests.webhook_receiver import WebhookReceiver

PUBLISH_EVENTS = ["testimonial.published", "testimonial.withdrawn"]


@pytest.fixture
def ctx(app_factory: Any) -> Iterator[Flask]:
    app = app_factory(webhooks_allowed_private_networks="127.0.0.0/8", webhooks_timeout_seconds=1)
    with app.app_context():
        yield app


@pytest.fixture
def settings(ctx: Flask) -> Settings:
    return ctx.config["ADVOCACY"]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def register(
    session: Session,
    settings: Settings,
    receiver: WebhookReceiver,
    *,
    events: list[str] | None = None,
    scope: str = "internal",
    url: str | None = None,
) -> WebhookEndpoint:
    admin = make_user(session, role="admin")
    registered = endpoints.register_endpoint(
        session,
        settings,
        url=url or receiver.url,
        events=PUBLISH_EVENTS if events is None else events,
        scope=scope,
        by=admin,
        now=utcnow(),
    )
    receiver.secret = registered.secret
    return registered.endpoint


def deliver(
    engine: Engine, settings: Settings, clock: Callable[[], datetime] = utcnow
) -> DeliveryReport:
    poster = WebhookPoster(settings.webhooks_timeout_seconds)
    try:
        return deliver_due(engine, settings, poster, clock=clock, worker_id="test-worker")
    finally:
        poster.close()


def later(delta: timedelta) -> Callable[[], datetime]:
    return lambda: utcnow() + delta


def deliveries(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def published_testimonial(session: Session) -> Any:
    contact = make_mail_contact(session, full_name="Ann Client")
    return make_testimonial(
        session,
        contact,
        status="approved",
        approved_at=utcnow(),
        body="They *listened*.",
        display_title="CFO",
        uses={"named_public": None, "internal": None},
    )


def test_a_publish_and_a_withdrawal_reach_the_receiver_signed_and_cut_to_the_publish_scope(
    ctx: Flask, session: Session, engine: Engine, settings: Settings, receiver: WebhookReceiver
) -> None:
    endpoint = register(session, settings, receiver, scope="publish")
    testimonial = published_testimonial(session)
    marketer = make_user(session, role="marketing")
    testimonials.publish(session, testimonial.id, by=marketer, now=utcnow())
    assert [d.status for d in deliveries(session)] == ["pending"]  # written with the change

    report = deliver(engine, settings)

    assert report["delivered"] == 1
    [published] = receiver.accepted()
    assert published.type == "testimonial.published"
    assert published.data["testimonial_id"] == testimonial.id
    assert published.data["shown"] is True
    assert published.data["quote"] == "They listened."
    assert published.data["attribution"].startswith("Ann Client, CFO")
    # The publish scope sees what the client allowed to be public, nothing about the person.
    assert not {"contact_email", "contact_id", "account_name", "uses"} & set(published.data)

    testimonials.withdraw_on_behalf(
        session, testimonial.id, "The client phoned", by=marketer, now=utcnow()
    )
    deliver(engine, settings)

    withdrawn = receiver.accepted()[1]
    assert withdrawn.type == "testimonial.withdrawn"
    assert withdrawn.data == {
        "testimonial_id": testimonial.id,
        "status": "withdrawn",
        "shown": False,
        "withdrawn_at": withdrawn.data["withdrawn_at"],
    }
    assert withdrawn.webhook_id != published.webhook_id
    assert [d.status for d in deliveries(session)] == ["delivered", "delivered"]
    assert deliveries(session)[0].endpoint_id == endpoint.id
    assert receiver.rejected == []


def test_an_internal_endpoint_gets_the_people_but_never_the_staff_reason(
    ctx: Flask, session: Session, engine: Engine, settings: Settings, receiver: WebhookReceiver
) -> None:
    register(session, settings, receiver, scope="internal", events=["testimonial.withdrawn"])
    testimonial = published_testimonial(session)
    marketer = make_user(session, role="marketing")
    testimonials.publish(session, testimonial.id, by=marketer, now=utcnow())  # not subscribed
    testimonials.withdraw_on_behalf(
        session, testimonial.id, "Secret why", by=marketer, now=utcnow()
    )
    deliver(engine, settings)
    [event] = receiver.accepted()
    assert event.type == "testimonial.withdrawn"
    assert event.data["contact_name"] == "Ann Client" and event.data["contact_email"]
    assert "Secret why" not in json.dumps(event.payload)


def test_a_forged_request_is_rejected_by_the_receiver(receiver: WebhookReceiver) -> None:
    receiver.secret = new_secret()
    body = json.dumps({"type": "testimonial.published", "data": {"quote": "forged"}})
    forged = signed_headers(new_secret(), "msg_forged", body, utcnow())
    answer = requests.post(receiver.url, data=body, headers=forged, timeout=5)
    unsigned = requests.post(receiver.url, data=body, timeout=5)
    genuine = signed_headers(receiver.secret, "msg_real", body, utcnow())
    tampered = requests.post(receiver.url, data=body + " ", headers=genuine, timeout=5)
    assert (answer.status_code, unsigned.status_code, tampered.status_code) == (401, 401, 401)
    assert receiver.events == [] and len(receiver.rejected) == 3
    # The same library verifies what the product signs.
    assert Webhook(receiver.secret).verify(body, genuine)["data"] == {"quote": "forged"}


def test_a_receiver_that_is_down_is_retried_later_with_backoff(
    ctx: Flask, session: Session, engine: Engine, settings: Settings, receiver: WebhookReceiver
) -> None:
    register(session, settings, receiver, url=f"http://127.0.0.1:{free_port()}/down")
    endpoints.send_test_event(
        session,
        session.exec(select(WebhookEndpoint)).one().id or 0,
        by=_admin(session),
        now=utcnow(),
    )
    before = utcnow()
    deliver(engine, settings)
    [delivery] = deliveries(session)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "connection failed" in delivery.last_error
    assert delivery.next_attempt_at >= before + timedelta(seconds=30)
    deliver(engine, settings)  # not due yet: nothing happens
    assert deliveries(session)[0].attempts == 1
    deliver(engine, settings, later(timedelta(seconds=31)))
    assert deliveries(session)[0].attempts == 2
    assert deliveries(session)[0].next_attempt_at >= before + timedelta(seconds=31 + 60)


def test_a_slow_receiver_times_out_and_is_retried_with_the_same_webhook_id(
    ctx: Flask, session: Session, engine: Engine, settings: Settings, receiver: WebhookReceiver
) -> None:
    endpoint = register(session, settings, receiver)
    endpoints.send_test_event(session, endpoint.id or 0, by=_admin(session), now=utcnow())
    receiver.delay_s = 1.5  # the timeout is 1 s
    deliver(engine, settings)
    [delivery] = deliveries(session)
    assert delivery.status == "pending" and "no answer within 1 s" in delivery.last_error
    receiver.delay_s = 0
    deliver(engine, settings, later(timedelta(seconds=31)))
    assert deliveries(session)[0].status == "delivered"
    first, second = receiver.events
    assert first.webhook_id == second.webhook_id == delivery.message_id


@pytest.mark.parametrize(
    ("script", "status", "attempts"),
    [
        ([500, 200], "delivered", 2),
        ([429, 200], "delivered", 2),
        ([408, 200], "delivered", 2),
        ([410], "failed", 1),
        ([400], "failed", 1),
        ([302], "failed", 1),
    ],
)
def test_5xx_408_and_429_are_retried_other_4xx_and_redirects_are_final(
    ctx: Flask,
    session: Session,
    engine: Engine,
    settings: Settings,
    receiver: WebhookReceiver,
    script: list[int],
    status: str,
    attempts: int,
) -> None:
    endpoint = register(session, settings, receiver)
    endpoints.send_test_event(session, endpoint.id or 0, by=_admin(session), now=utcnow())
    receiver.script = list(script)
    deliver(engine, settings)
    deliver(engine, settings, later(timedelta(seconds=31)))
    [delivery] = deliveries(session)
    assert (delivery.status, delivery.attempts) == (status, attempts)
    assert delivery.last_status_code == script[attempts - 1]
    assert len(receiver.events) == attempts


def time_passes(session: Session, by: timedelta) -> None:
    """Move every stored moment `by` into the past: as if that long went by (the receiver checks
    signature timestamps against its own clock, so the delivery clock stays the real one)."""
    session.expire_all()
    for delivery in session.exec(select(WebhookDelivery)):
        delivery.created_at -= by
        delivery.next_attempt_at -= by
        session.add(delivery)
    for endpoint in session.exec(select(WebhookEndpoint)):
        if endpoint.failing_since is not None:
            endpoint.failing_since -= by
            session.add(endpoint)
    session.commit()


def test_retries_stop_after_a_day_and_an_endpoint_failing_for_a_day_is_switched_off(
    ctx: Flask, session: Session, engine: Engine, settings: Settings, receiver: WebhookReceiver
) -> None:
    endpoint = register(session, settings, receiver)
    admin = _admin(session)
    endpoints.send_test_event(session, endpoint.id or 0, by=admin, now=utcnow())
    receiver.script = [503] * 100
    waited = timedelta(0)
    for _ in range(40):
        deliver(engine, settings)
        delivery = deliveries(session)[0]
        if delivery.status != "pending":
            break
        wait = delivery.next_attempt_at - utcnow() + timedelta(seconds=1)
        waited += wait
        time_passes(session, wait)
    assert delivery.status == "failed" and delivery.last_error.startswith("gave up after")
    assert 10 <= delivery.attempts <= 20, delivery.attempts  # exponential, capped at 4 hours
    assert timedelta(hours=16) <= waited <= timedelta(hours=24)
    session.expire_all()
    stored = session.get(WebhookEndpoint, endpoint.id)
    assert stored is not None and stored.failing_since is not None and stored.enabled
    # One more failure once the endpoint has failed for a whole day switches it off.
    time_passes(session, DISABLE_AFTER - waited + timedelta(minutes=1))
    endpoints.send_test_event(session, endpoint.id or 0, by=admin, now=utcnow())
    report = deliver(engine, settings)
    session.expire_all()
    stored = session.get(WebhookEndpoint, endpoint.id)
    assert stored is not None and not stored.enabled and report.disabled == [endpoint.id]
    notices = session.exec(select(OutboxMessage)).all()
    assert {m.to_email for m in notices} >= {admin.email}
    assert all("switched off" in m.subject for m in notices)
    # Switched off: no test event; switched on again, events go.
    receiver.script = []
    with pytest.raises(RuleError):
        endpoints.send_test_event(session, endpoint.id or 0, by=admin, now=utcnow())
    endpoints.set_enabled(session, endpoint.id or 0, True, by=admin, now=utcnow())
    endpoints.send_test_event(session, endpoint.id or 0, by=admin, now=utcnow())
    deliver(engine, settings)
    assert deliveries(session)[-1].status == "delivered"


def test_a_replay_sends_the_same_event_again_under_the_same_id(
    ctx: Flask, session: Session, engine: Engine, settings: Settings, receiver: WebhookReceiver
) -> None:
    endpoint = register(session, settings, receiver)
    admin = _admin(session)
    endpoints.send_test_event(session, endpoint.id or 0, by=admin, now=utcnow())
    deliver(engine, settings)
    [delivery] = deliveries(session)
    endpoints.replay_delivery(session, endpoint.id or 0, delivery.id or 0, by=admin, now=utcnow())
    deliver(engine, settings)
    assert [e.webhook_id for e in receiver.accepted()] == [delivery.message_id] * 2
    assert receiver.accepted()[0].payload == receiver.accepted()[1].payload


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/hooks",
        "http:///nohost",
        "http://user:pw@127.0.0.1/hooks",
        "http://10.1.2.3/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/hooks",
        "http://192.168.0.10/hooks",
        "http://does-not-exist.invalid/hooks",
    ],
)
def test_the_url_rule_refuses_other_schemes_and_inside_addresses_with_a_reason(
    ctx: Flask, session: Session, settings: Settings, receiver: WebhookReceiver, url: str
) -> None:
    with pytest.raises(RuleError):
        register(session, settings, receiver, url=url)
    assert session.exec(select(WebhookEndpoint)).all() == []


def test_loopback_is_refused_unless_the_setting_allows_it_and_checked_again_at_delivery(
    ctx: Flask, session: Session, engine: Engine, settings: Settings, receiver: WebhookReceiver
) -> None:
    strict = dataclasses.replace(settings, webhooks_allowed_private_networks="")
    with pytest.raises(RuleError, match="private, loopback or link-local"):
        register(session, strict, receiver)
    endpoint = register(session, settings, receiver)  # allowed by the test settings
    endpoints.send_test_event(session, endpoint.id or 0, by=_admin(session), now=utcnow())
    deliver(engine, strict)  # the setting changed since: refused at delivery, never sent
    [delivery] = deliveries(session)
    assert delivery.status == "failed" and "not sent" in delivery.last_error
    assert receiver.events == []


def test_only_admins_manage_endpoints_and_a_publish_scope_cannot_take_people_events(
    ctx: Flask, session: Session, settings: Settings, receiver: WebhookReceiver
) -> None:
    manager = make_user(session, role="account_manager")
    with pytest.raises(NotAllowed):
        endpoints.register_endpoint(
            session,
            settings,
            url=receiver.url,
            events=PUBLISH_EVENTS,
            scope="publish",
            by=manager,
            now=utcnow(),
        )
    with pytest.raises(RuleError):
        register(session, settings, receiver, scope="publish", events=["contact.moved"])
    with pytest.raises(RuleError):
        register(session, settings, receiver, events=[])
    assert session.exec(select(WebhookEndpoint)).all() == []


def _admin(session: Session) -> Any:
    return make_user(session, role="admin")
