"""Every endpoint declares who may use it; anonymous users and wrong roles are refused.

The test walks the app's URL map, so a route added later is covered without editing this file.
JSON API endpoints (`@api_scope`) are reached with bearer tokens: anonymous calls get 401, a token
without the scope or of a wrong role gets 403, and the session cookie never counts.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from advocacy.db import db_session
from advocacy.domain.identity import Role
from advocacy.http.security import endpoint_api_scope, endpoint_policy
from tests.factories import bearer, make_token, make_user, sign_in


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
        if endpoint_api_scope(app, endpoint) is not None:
            assert response.status_code == 401, (endpoint, method, response.status_code)
            assert response.mimetype == "application/problem+json", endpoint
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), endpoint
        elif method == "GET":
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
        user = make_user(db_session(), role=role, email=f"{role}@firm.example")
        target = make_user(db_session())
        token = make_token(db_session(), user, ("read", "write"))
    sign_in(client, f"{role}@firm.example")
    refused = 0
    for endpoint, method, url in _routes(app, target.id):
        allowed = endpoint_policy(app, endpoint)
        if not allowed or Role(role) in allowed:
            continue
        api = endpoint_api_scope(app, endpoint) is not None
        response = client.open(url, method=method, headers=bearer(token) if api else {})
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


def _api_routes(app: Flask, user_id: int, scope: str) -> list[tuple[str, str, str]]:
    return [route for route in _routes(app, user_id) if endpoint_api_scope(app, route[0]) == scope]


def test_a_read_only_token_is_refused_on_every_api_write(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        admin = make_user(db_session(), role="admin")
        token = make_token(db_session(), admin, ("read",))
    writes = _api_routes(app, admin.id, "write")
    assert len(writes) >= 5
    for endpoint, method, url in writes:
        response = client.open(url, method=method, headers=bearer(token), json={})
        assert response.status_code == 403, (endpoint, method, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert "insufficient_scope" in response.headers["WWW-Authenticate"]


def test_a_marketing_token_reads_but_is_refused_on_every_api_write(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        marketer = make_user(db_session(), role="marketing")
        token = make_token(db_session(), marketer, ("read", "write"))
    for endpoint, method, url in _api_routes(app, marketer.id, "write"):
        response = client.open(url, method=method, headers=bearer(token), json={})
        assert response.status_code == 403, (endpoint, method, response.status_code)
    reads = _api_routes(app, marketer.id, "read") + _api_routes(app, marketer.id, "publish")
    for endpoint, method, url in reads:
        response = client.open(url, method=method, headers=bearer(token))
        # Reads follow the pages' roles: check-ins and referrals are account managers' work.
        expected = (200, 404) if Role.MARKETING in endpoint_policy(app, endpoint) else (403,)
        assert response.status_code in expected, (endpoint, method, response.status_code)


def test_a_signed_in_session_does_not_authenticate_any_api_endpoint(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), role="admin", email="boss@firm.example")
        target = make_user(db_session())
    sign_in(client, "boss@firm.example")
    checked = 0
    for endpoint, method, url in _routes(app, target.id):
        if endpoint_api_scope(app, endpoint) is None:
            continue
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, (endpoint, method, response.status_code)
        checked += 1
    assert checked >= 10


def test_the_calendar_feed_is_public_and_only_account_owners_manage_theirs(
    app: Flask, client: FlaskClient
) -> None:
    # Calendar servers cannot sign in: the secret address is the credential, and a wrong one is
    # a bare 404, never the sign-in page.
    assert endpoint_policy(app, "calendar.feed") == frozenset()
    owners = frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER})
    for endpoint in ("calendar.settings_page", "calendar.create", "calendar.revoke"):
        assert endpoint_policy(app, endpoint) == owners, endpoint
    response = client.get("/calendar/x.ics")
    assert response.status_code == 404
    assert "Location" not in response.headers


CHECK_IN_POLICIES = {
    # My week is the home page: everyone signs in there, marketing sees its own home.
    "home.index": frozenset(Role),
    "check_ins.show": frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER}),
    "check_ins.complete": frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER}),
    "check_ins.snooze": frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER}),
    "check_ins.reassign": frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER}),
    "check_ins.skip": frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER}),
    "journey.set_check_in_rhythm": frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER}),
    "check_ins.team": frozenset({Role.ADMIN}),
}


@pytest.mark.parametrize(("endpoint", "roles"), CHECK_IN_POLICIES.items())
def test_check_in_pages_are_for_the_people_who_own_accounts(
    app: Flask, endpoint: str, roles: frozenset[Role]
) -> None:
    assert endpoint_policy(app, endpoint) == roles
