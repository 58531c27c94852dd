"""Every endpoint declares who may use it; anonymous users and wrong roles are refused.

The test walks the app's URL map, so a route added later is covered without editing this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from advocacy.db import db_session
from advocacy.domain.identity import Role
from advocacy.web.security import endpoint_policy
from tests.factories import make_user, sign_in


def _routes(app: Flask, user_id: int) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule, with placeholder arguments filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        values: dict[str, Any] = {}
        for argument in rule.arguments:
            converter = rule._converters[argument]  # type: ignore[attr-defined]
            values[argument] = user_id if isinstance(converter, IntegerConverter) else "x"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def test_every_endpoint_declares_an_access_policy(app: Flask) -> None:
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if endpoint_policy(app, rule.endpoint) is None
    ]
    assert not undeclared, f"endpoints without @allow/@signed_in/@public: {undeclared}"


def test_anonymous_users_are_refused_on_every_non_public_endpoint(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        target = make_user(db_session())
    checked = 0
    for endpoint, method, url in _routes(app, target.id):
        if not endpoint_policy(app, endpoint):
            continue
        response = client.open(url, method=method)
        checked += 1
        if method == "GET":
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), endpoint
        else:
            assert response.status_code == 401, (endpoint, method, response.status_code)
    assert checked >= 5


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_each_role_is_refused_where_its_role_is_not_allowed(
    app: Flask, client: FlaskClient, role: str
) -> None:
    with app.app_context():
        make_user(db_session(), role=role, email=f"{role}@firm.example")
        target = make_user(db_session())
    sign_in(client, f"{role}@firm.example")
    refused = 0
    for endpoint, method, url in _routes(app, target.id):
        allowed = endpoint_policy(app, endpoint)
        if not allowed or Role(role) in allowed:
            continue
        response = client.open(url, method=method)
        assert response.status_code == 403, (role, endpoint, method, response.status_code)
        refused += 1
    if role != Role.ADMIN:
        assert refused > 0


def test_an_endpoint_without_a_policy_is_refused_to_everyone(app: Flask) -> None:
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    with app.app_context():
        make_user(db_session(), role="admin", email="boss@firm.example")
    client = app.test_client()
    sign_in(client, "boss@firm.example")
    assert client.get("/undeclared").status_code == 403
