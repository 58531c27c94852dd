"""Bearer tokens on the JSON API: the CLI issues them, revoked/expired/deactivated ones are refused,
cookies never authenticate, and CSRF does not apply (there is no cookie to ride on)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ApiToken, User
from advocacy.services import tokens
from tests.factories import bearer, make_token, make_user, sign_in


def _admin(app: Flask, **fields) -> User:
    with app.app_context():
        return make_user(db_session(), role="admin", email="boss@firm.example", **fields)


def _refused(response) -> None:
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


def test_the_cli_prints_the_secret_once_and_the_token_reads_the_api(app: Flask) -> None:
    _admin(app)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["tokens", "create", "--user", "boss@firm.example", "--scope", "read", "--name", "BI"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("adv_")
    response = app.test_client().get("/api/v1/accounts", headers=bearer(secret))
    assert response.status_code == 200
    listed = runner.invoke(args=["tokens", "list", "--user", "boss@firm.example"])
    assert listed.exit_code == 0
    assert secret[:12] in listed.output and secret not in listed.output
    assert "BI" in listed.output and "active" in listed.output


def test_the_cli_refuses_an_unknown_user_or_scope(app: Flask) -> None:
    _admin(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", "--user", "who@x.example", "--scope", "read"])
    assert result.exit_code != 0 and "no user" in result.output
    result = runner.invoke(
        args=["tokens", "create", "--user", "boss@firm.example", "--scope", "admin"]
    )
    assert result.exit_code != 0
    with app.app_context():
        assert db_session().exec(select(ApiToken)).first() is None


def test_a_token_revoked_with_the_cli_stops_working(app: Flask, client: FlaskClient) -> None:
    admin = _admin(app)
    with app.app_context():
        secret = make_token(db_session(), admin)
    assert client.get("/api/v1/accounts", headers=bearer(secret)).status_code == 200
    result = app.test_cli_runner().invoke(args=["tokens", "revoke", secret[:12]])
    assert result.exit_code == 0, result.output
    _refused(client.get("/api/v1/accounts", headers=bearer(secret)))
    listed = app.test_cli_runner().invoke(args=["tokens", "list"])
    assert "revoked" in listed.output


def test_an_expired_token_is_refused(app: Flask, client: FlaskClient, now) -> None:
    admin = _admin(app)
    with app.app_context():
        secret = make_token(db_session(), admin, now=now - timedelta(days=2), expires_days=1)
    _refused(client.get("/api/v1/accounts", headers=bearer(secret)))


def test_the_token_of_a_deactivated_user_is_refused(app: Flask, client: FlaskClient) -> None:
    admin = _admin(app)
    with app.app_context():
        secret = make_token(db_session(), admin)
        user = db_session().get(User, admin.id)
        user.active = False
        db_session().add(user)
        db_session().commit()
    _refused(client.get("/api/v1/accounts", headers=bearer(secret)))


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic Ym9zczpwdw==", "Bearer adv_unknown", "Token abc"],
)
def test_a_missing_or_unknown_token_is_refused(
    app: Flask, client: FlaskClient, header: str
) -> None:
    _admin(app)
    _refused(client.get("/api/v1/accounts", headers={"Authorization": header} if header else {}))


def test_an_invalid_token_answers_with_the_invalid_token_challenge(
    app: Flask, client: FlaskClient
) -> None:
    response = client.get("/api/v1/accounts", headers=bearer("adv_unknown"))
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_a_signed_in_session_cookie_does_not_authenticate_the_api(
    app: Flask, client: FlaskClient
) -> None:
    _admin(app)
    assert sign_in(client, "boss@firm.example").status_code == 302
    _refused(client.get("/api/v1/accounts"))
    _refused(client.post("/api/v1/service-lines", json={"name": "Audit"}))


def test_an_api_answer_sets_no_session_cookie(app: Flask, client: FlaskClient) -> None:
    admin = _admin(app)
    with app.app_context():
        secret = make_token(db_session(), admin)
    response = client.get("/api/v1/accounts", headers=bearer(secret))
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_writes_need_no_csrf_token(app: Flask, client: FlaskClient) -> None:
    admin = _admin(app)
    with app.app_context():
        secret = make_token(db_session(), admin, ("read", "write"))
    response = client.post("/api/v1/service-lines", json={"name": "Audit"}, headers=bearer(secret))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_using_a_token_notes_when_it_was_last_used(app: Flask, client: FlaskClient) -> None:
    admin = _admin(app)
    with app.app_context():
        secret = make_token(db_session(), admin)
    client.get("/api/v1/accounts", headers=bearer(secret))
    with app.app_context():
        token = db_session().exec(select(ApiToken)).one()
        assert token.last_used_at is not None
        assert tokens.authenticate(db_session(), secret, now=token.last_used_at) is not None
