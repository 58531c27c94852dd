"""Hostile or malformed input gets a clear 4xx answer, never a 500, on every route."""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from werkzeug.routing import IntegerConverter

from advocacy.db import db_session
from tests.factories import csrf_token, make_user, sign_in

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b@firm.example",
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    '=HYPERLINK("http://evil")',
    "é" * 300,
]
FIELDS = ["email", "password", "name", "role", "language", "timezone", "confirm", "next"]


def _routes(app: Flask, int_value: int, *, only_with_ids: bool = False) -> list[tuple[str, str]]:
    """Every route's URL with `int_value` for its ids; `only_with_ids`: the routes that have one."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            ids = {
                argument
                for argument in rule.arguments
                if isinstance(rule._converters[argument], IntegerConverter)  # type: ignore[attr-defined]
            }
            if only_with_ids and not ids:
                continue
            values = {
                argument: int_value if argument in ids else "x" for argument in rule.arguments
            }
            url = url_for(rule.endpoint, **values)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((method, url))
    return routes


@pytest.mark.parametrize("int_value", [1, 2**63, 10**30])
def test_no_route_answers_500_to_hostile_form_values(app: Flask, int_value: int) -> None:
    with app.app_context():
        make_user(db_session(), role="admin", email="boss@firm.example")
    client = app.test_client()
    sign_in(client, "boss@firm.example")
    token = csrf_token(client, "/admin/users")
    # Routes without an id get the same requests whatever the id: the first case covers them.
    for method, url in _routes(app, int_value, only_with_ids=int_value != 1):
        if url == "/logout":
            continue
        for value in HOSTILE:
            data = {field: value for field in FIELDS}
            response = client.open(
                url, method=method, data={**data, "csrf_token": token}, query_string=data
            )
            assert response.status_code < 500, (method, url, value, response.status_code)


def test_a_nul_byte_is_refused_with_a_clear_message(client) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": "a\x00@firm.example", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("where", ["form", "query"])
def test_a_nul_byte_in_any_value_of_a_repeated_field_is_refused(client, where: str) -> None:
    token = csrf_token(client)
    fields = {"email": "ana@firm.example", "password": "x", "csrf_token": token}
    repeated = {"email": ["ana@firm.example", "a\x00b@firm.example"]}
    if where == "form":
        response = client.post("/login", data={**fields, **repeated})
    else:
        response = client.post("/login", data=fields, query_string=repeated)
    assert response.status_code == 400


def test_invalid_utf8_in_a_form_is_refused_cleanly(client) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login",
        data=f"email=%ff%fe%fd&password=%c3%28&csrf_token={token}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (400, 401)


# Characters str.isdigit() accepts but int() refuses, or reads as another number.
NOT_ASCII_DIGITS = ["²", "①", "٣", "1²"]
NUMBER_FIELDS = [
    "page", "owner", "service_line", "collection", "limit", "rating", "contact_id",
    "collection_id", "testimonial_id", "days", "request_id", "engagement_id",
]  # fmt: skip


def test_no_route_answers_500_to_digits_that_are_not_plain_digits(app: Flask) -> None:
    with app.app_context():
        make_user(db_session(), role="admin", email="boss@firm.example")
    client = app.test_client()
    sign_in(client, "boss@firm.example")
    token = csrf_token(client, "/admin/users")
    for method, url in _routes(app, 1):
        if url == "/logout":
            continue
        for value in NOT_ASCII_DIGITS:
            data = {field: value for field in NUMBER_FIELDS}
            response = client.open(
                url, method=method, data={**data, "csrf_token": token}, query_string=data
            )
            assert response.status_code < 500, (method, url, value, response.status_code)
