"""Fixtures shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator

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
