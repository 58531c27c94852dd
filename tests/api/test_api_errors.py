"""Every error under /api/ is application/problem+json, never an HTML page and never a 500 for
bad input: bad JSON, wrong content types, huge bodies, unknown addresses and methods."""

from __future__ import annotations

import pytest
from flask import Flask, abort

from advocacy.http.extensions import limiter
from advocacy.http.security import public
from tests.api.api_helpers import Api, assert_problem


@pytest.mark.parametrize(
    "data",
    [b"{", b"", b"nul", b"{'single': 1}", b"\xff\xfe\xfd", b"[" * 100_000 + b"]" * 100_000],
)
def test_a_body_that_is_not_json_is_a_400_problem(api: Api, data: bytes) -> None:
    response = api.call("POST", "/api/v1/accounts", data=data, content_type="application/json")
    body = assert_problem(response, 400)
    assert body["detail"]


@pytest.mark.parametrize("data", [b"[]", b'"name"', b"42", b"null"])
def test_a_json_body_that_is_not_an_object_is_a_422_problem(api: Api, data: bytes) -> None:
    response = api.call("POST", "/api/v1/accounts", data=data, content_type="application/json")
    assert assert_problem(response, 422)["errors"][0]["loc"] == ["body"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_declared_as_json_is_a_415_problem(
    api: Api, content_type: str | None
) -> None:
    options = {"content_type": content_type} if content_type else {}
    response = api.call("POST", "/api/v1/accounts", data=b'{"name": "x"}', **options)
    assert_problem(response, 415)


def test_a_too_large_body_is_a_413_problem(api: Api) -> None:
    body = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = api.call("POST", "/api/v1/accounts", data=body, content_type="application/json")
    assert_problem(response, 413)


def test_an_unknown_address_under_the_api_is_a_404_problem(api: Api) -> None:
    assert_problem(api.get("/api/v1/nothing-here"), 404)
    assert_problem(api.client.get("/api/v2/accounts"), 404)


@pytest.mark.parametrize("account_id", ["2147483648", "52711584108", "0", "007"])
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_an_id_out_of_range_is_a_404_whatever_the_method(
    api: Api, method: str, account_id: str
) -> None:
    response = api.call(method, f"/api/v1/accounts/{account_id}", json={"name": "x"})
    assert_problem(response, 404)


def test_the_largest_id_is_still_an_id(api: Api) -> None:
    assert_problem(api.call("PATCH", "/api/v1/accounts/2147483647", json={"name": "x"}), 404)
    assert api.call("DELETE", "/api/v1/accounts/2147483647").status_code == 405


def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(api: Api) -> None:
    response = api.call("DELETE", "/api/v1/accounts/1")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH"}


def test_a_401_and_a_403_are_problems(api: Api) -> None:
    assert_problem(api.client.get("/api/v1/accounts"), 401)
    assert_problem(api.post("/api/v1/accounts", {"name": "X"}, "reader"), 403)


def test_a_422_lists_each_field_with_its_location_message_and_type(api: Api) -> None:
    body = assert_problem(api.post("/api/v1/accounts", {"name": ""}), 422)
    assert body["type"] == "urn:advocacy:problem:validation"
    [error] = body["errors"]
    assert error["loc"] == ["body", "name"] and error["message"] == "This field is required."
    assert error["type"] in {"too_short", "string_too_short"}


def test_too_many_requests_is_a_429_problem(app: Flask) -> None:
    app.add_url_rule("/api/v1/limited", "limited", limiter.limit("1/minute")(public(lambda: "ok")))
    app.add_url_rule("/api/v1/busy", "busy", public(lambda: abort(429)))
    client = app.test_client()
    assert client.get("/api/v1/limited").status_code == 200
    assert_problem(client.get("/api/v1/limited"), 429)
    assert_problem(client.get("/api/v1/busy"), 429)


def test_an_unexpected_failure_is_a_500_problem_without_details(app: Flask) -> None:
    def broken() -> str:
        raise RuntimeError("database password is hunter2")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/api/v1/broken", "broken", public(broken))
    response = app.test_client().get("/api/v1/broken")
    body = assert_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert body["detail"]


def test_pages_outside_the_api_still_answer_with_html(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
