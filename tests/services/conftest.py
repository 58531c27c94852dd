"""Fixtures shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from advocacy.settings import Settings


@pytest.fixture
def settings(app: Flask) -> Iterator[Settings]:
    """The test app's settings, inside its context (queueing mail renders templates)."""
    with app.app_context():
        yield app.config["ADVOCACY"]
