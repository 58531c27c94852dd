"""Shared set-up for the JSON API tests: users of each role with tokens, and a way to call the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from advocacy.db import db_session
from advocacy.models import User
from tests.factories import bearer, make_token, make_user


@dataclass
class Api:
    app: Flask
    client: FlaskClient
    users: dict[str, User] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str = "admin", **options: Any) -> Any:
        headers = {**bearer(self.secrets[who]), **options.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **options)

    def get(self, path: str, who: str = "admin", **options: Any) -> Any:
        return self.call("GET", path, who, **options)

    def post(self, path: str, body: Any, who: str = "admin", **options: Any) -> Any:
        return self.call("POST", path, who, json=body, **options)

    def patch(self, path: str, body: Any, who: str = "admin", **options: Any) -> Any:
        return self.call("PATCH", path, who, json=body, **options)


def api_with_users(app: Flask) -> Api:
    """Users `admin`, `am` (account manager), `other_am`, `marketing` (read+write tokens) and
    `reader` (an admin with a read-only token)."""
    api = Api(app, app.test_client())
    with app.app_context():
        session = db_session()
        for key, role, scopes in [
            ("admin", "admin", ("read", "write")),
            ("am", "account_manager", ("read", "write")),
            ("other_am", "account_manager", ("read", "write")),
            ("marketing", "marketing", ("read", "write")),
            ("reader", "admin", ("read",)),
        ]:
            # No password: hashing one is slow, and these users only ever use tokens.
            user = make_user(session, role=role, email=f"{key}@firm.example", password=None)
            api.users[key] = user
            api.secrets[key] = make_token(session, user, scopes)
    return api


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and "instance" in body
    return body
