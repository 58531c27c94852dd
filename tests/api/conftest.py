"""Fixtures shared by the JSON API tests."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.api.api_helpers import Api, api_with_users


@pytest.fixture
def api(app: Flask) -> Api:
    """Users of each role with their tokens, and a client that calls the API as one of them."""
    return api_with_users(app)
