"""A webhook request connects only to the addresses the URL rule checked: a name that resolves
to an allowed address for the check and elsewhere a moment later (DNS rebinding) cannot steer
the request, and the receiver still sees the name in the Host header."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.adapters.webhook_http import WebhookPoster, new_secret, signed_headers
from advocacy.clock import utcnow
from advocacy.services.voice import testimonials
from advocacy.services.webhooks.deliver import deliver_due
from advocacy.settings import Settings
from tests.factories import make_user
from tests.services.test_webhooks import published_testimonial, register
from tests.webhook_receiver import WebhookReceiver

NAME = "hooks.firm.example"


@pytest.fixture
def ctx(app_factory: Any) -> Iterator[Flask]:
    app = app_factory(webhooks_allowed_private_networks="127.0.0.1/32", webhooks_timeout_seconds=2)
    with app.app_context():
        yield app


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        server.secret = new_secret()
        yield server


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(
    receiver: WebhookReceiver,
) -> None:
    port = receiver.server.server_address[1]
    body = '{"type": "test", "timestamp": "2026-12-07T00:00:00Z", "data": {}}'
    poster = WebhookPoster(2)
    try:
        # `.invalid` never resolves (RFC 6761): only the given address can be reached.
        answer = poster.post(
            f"http://{NAME}.invalid:{port}/hooks",
            body,
            signed_headers(receiver.secret, "msg_pinned", body, utcnow()),
            addresses=["127.0.0.1"],
        )
        refused = poster.post(
            f"http://127.0.0.1:{port}/hooks",
            body,
            signed_headers(receiver.secret, "msg_unchecked", body, utcnow()),
            addresses=[],
        )
    finally:
        poster.close()
    assert answer.status_code == 200
    assert receiver.hosts == [f"{NAME}.invalid:{port}"]
    assert refused.status_code is None and "connection failed" in (refused.error or "")
    assert [event.webhook_id for event in receiver.accepted()] == ["msg_pinned"]


def test_a_name_that_changes_address_after_the_check_cannot_steer_the_request(
    ctx: Flask,
    session: Session,
    engine: Engine,
    receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings: Settings = ctx.config["ADVOCACY"]
    port = receiver.server.server_address[1]
    # The firm's DNS is the outside world here: the name answers 127.0.0.1 (allowed) to the
    # registration's check and to the delivery's, then 127.0.0.9, where nothing listens: a
    # request that resolved the name again to connect would fail.
    real_getaddrinfo = socket.getaddrinfo
    asked: list[str] = []

    def rebinding_dns(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == NAME:
            asked.append(host)
            address = "127.0.0.1" if len(asked) <= 2 else "127.0.0.9"
            return real_getaddrinfo(address, *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    secret = receiver.secret
    register(session, settings, receiver, url=f"http://{NAME}:{port}/hooks", scope="publish")
    assert receiver.secret != secret  # the endpoint's own secret, shown once at registration
    testimonial = published_testimonial(session)
    testimonials.publish(
        session, testimonial.id, by=make_user(session, role="marketing"), now=utcnow()
    )
    session.commit()

    poster = WebhookPoster(settings.webhooks_timeout_seconds)
    try:
        report = deliver_due(engine, settings, poster, clock=utcnow, worker_id="test-worker")
    finally:
        poster.close()

    assert report["delivered"] == 1
    assert [event.type for event in receiver.accepted()] == ["testimonial.published"]
    assert receiver.hosts == [f"{NAME}:{port}"]
    assert len(asked) == 2  # registration and delivery checked the name; nothing resolved it again
