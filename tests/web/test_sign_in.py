"""Password sign-in, sign-out, sessions and the `next` redirect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advocacy.db import db_session
from tests.factories import PASSWORD, csrf_token, make_user, sign_in


def test_sign_in_page_is_public_and_has_a_csrf_token(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_a_user_signs_in_with_the_right_password_and_reaches_home(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        user = make_user(db_session(), email="ana@firm.example")
    response = sign_in(client, "ANA@firm.example ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert user.email in home.get_data(as_text=True)


def test_a_wrong_password_is_refused_with_a_clear_message_and_the_email_kept(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    response = sign_in(client, "ana@firm.example", "wrong password!!")
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Wrong e-mail or password." in body
    assert 'value="ana@firm.example"' in body
    assert client.get("/").status_code == 302


def test_a_form_without_csrf_token_is_refused_and_signs_nobody_in(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    response = client.post("/login", data={"email": "ana@firm.example", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "next_value",
    ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "x"],
)
def test_next_after_sign_in_refuses_other_sites(
    app: Flask, client: FlaskClient, next_value: str
) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "email": "ana@firm.example",
            "password": PASSWORD,
            "csrf_token": token,
            "next": next_value,
        },
    )
    assert response.headers["Location"] == "/"


def test_next_after_sign_in_keeps_a_same_site_path(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "email": "ana@firm.example",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/preferences?tab=1",
        },
    )
    assert response.headers["Location"] == "/preferences?tab=1"


def test_sign_out_ends_the_session(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    sign_in(client, "ana@firm.example")
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


SESSION_COOKIE = "advocacy_session"


def copy_of_session_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (a saved or stolen one)."""
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(SESSION_COOKIE, cookie.value)
    return other


def sign_out(client: FlaskClient) -> None:
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_saved_session_cookie_is_refused_after_sign_out(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    sign_in(client, "ana@firm.example")
    assert client.get("/preferences").status_code == 200
    saved = copy_of_session_cookie(app, client)
    assert saved.get("/preferences").status_code == 200  # the copy works while signed in

    sign_out(client)

    replayed = saved.get("/preferences")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")
    assert saved.get("/").status_code == 302


def test_signing_out_ends_every_session_of_that_user_and_no_one_else_s(
    app: Flask, client: FlaskClient
) -> None:
    # The session epoch is per user: signing out in one browser signs out the others too.
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
        make_user(db_session(), email="bea@firm.example")
    sign_in(client, "ana@firm.example")
    ana_on_her_phone, bea = app.test_client(), app.test_client()
    sign_in(ana_on_her_phone, "ana@firm.example")
    sign_in(bea, "bea@firm.example")

    sign_out(client)

    assert ana_on_her_phone.get("/preferences").status_code == 302
    assert bea.get("/preferences").status_code == 200
    sign_in(client, "ana@firm.example")  # signing in again starts a session that works
    assert client.get("/preferences").status_code == 200


def test_a_deactivated_user_loses_access_on_the_next_request(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        user = make_user(db_session(), email="ana@firm.example")
    sign_in(client, "ana@firm.example")
    assert client.get("/").status_code == 200
    with app.app_context():
        session = db_session()
        row = session.get(type(user), user.id)
        row.active = False
        row.session_epoch += 1
        session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    response = sign_in(client, "ana@firm.example")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if "advocacy_session" in h)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # base URL is http in tests


def test_cookies_are_secure_when_the_base_url_is_https(app_factory) -> None:
    app = app_factory(base_url="https://advocacy.firm.example")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_an_idle_session_ends(app_factory) -> None:
    app = app_factory(session_idle_minutes=1)
    client = app.test_client()
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    sign_in(client, "ana@firm.example")
    with client.session_transaction() as cookie_session:
        cookie_session["last_seen_at"] -= timedelta(minutes=2).total_seconds()
    assert client.get("/").status_code == 302


def test_a_session_ends_after_its_maximum_lifetime_even_when_active(app_factory) -> None:
    app = app_factory(session_max_hours=1)
    client = app.test_client()
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    sign_in(client, "ana@firm.example")
    with client.session_transaction() as cookie_session:
        cookie_session["signed_in_at"] -= timedelta(hours=2).total_seconds()
    assert client.get("/").status_code == 302


def test_sign_in_starts_a_new_session(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    client.get("/login")
    with client.session_transaction() as cookie_session:
        cookie_session["planted"] = "by an attacker"
    sign_in(client, "ana@firm.example")
    with client.session_transaction() as cookie_session:
        assert "planted" not in cookie_session
