"""Fixtures shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from advocacy.settings import Settings
from tests.fake_sendgrid import FakeSendGrid
from tests.sendgrid_events import Signer


@pytest.fixture
def settings(app: Flask) -> Iterator[Settings]:
    """The test app's settings, inside its context (queueing mail renders templates)."""
    with app.app_context():
        yield app.config["ADVOCACY"]


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    """A local SendGrid Mail Send server that records what the real library sends it."""
    with FakeSendGrid() as server:
        yield server


@pytest.fixture
def signer() -> Signer:
    """Signs webhook bodies as SendGrid does; give the app its public key."""
    return Signer()


@pytest.fixture
def sg_app(app_factory: Any, fake: FakeSendGrid, signer: Signer) -> Iterator[Flask]:
    """An app that sends through the real sendgrid library to the local fake SendGrid and
    accepts the fake's events, signed, on its webhook; inside its context."""
    app = app_factory(
        mail_backend="sendgrid",
        sendgrid_api_key="SG.test",
        sendgrid_host=fake.url,
        sendgrid_webhook_public_key=signer.public_key,
    )
    with app.app_context():
        yield app
