"""Admins invite, deactivate, reactivate users and change roles in the UI."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import User
from tests.factories import PASSWORD, csrf_token, make_user, sign_in


def _admin_client(app: Flask) -> FlaskClient:
    with app.app_context():
        make_user(db_session(), role="admin", email="boss@firm.example")
    client = app.test_client()
    sign_in(client, "boss@firm.example")
    return client


def _user(app: Flask, email: str) -> User | None:
    with app.app_context():
        return db_session().exec(select(User).where(User.email == email)).first()


def _invite(client: FlaskClient, **data: str) -> object:
    token = csrf_token(client, "/admin/users")
    return client.post("/admin/users", data={"csrf_token": token, **data})


def test_an_admin_invites_a_user_and_gets_a_link_to_pass_on(app: Flask) -> None:
    client = _admin_client(app)
    response = _invite(client, email="New.Person@Firm.example", name="New Person", role="marketing")
    assert response.status_code == 302
    user = _user(app, "new.person@firm.example")
    assert user is not None and user.role == "marketing" and user.password_hash is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/invitations/" in page


def test_a_bad_invitation_keeps_what_was_typed_and_says_why(app: Flask) -> None:
    client = _admin_client(app)
    response = _invite(client, email="not an email", name="Typed Name", role="marketing")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid e-mail address" in body
    assert 'value="Typed Name"' in body
    assert _user(app, "not an email") is None


def test_inviting_an_existing_email_is_refused(app: Flask) -> None:
    client = _admin_client(app)
    response = _invite(client, email="boss@firm.example", role="marketing")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_an_unknown_role_is_refused_with_a_message(app: Flask) -> None:
    client = _admin_client(app)
    response = _invite(client, email="x@firm.example", role="superuser")
    assert response.status_code == 400
    assert _user(app, "x@firm.example") is None


def _invitation_path(client: FlaskClient, user_id: int) -> str:
    page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    match = re.search(r'value="http://[^/"]+(/invitations/[^"]+)"', page)
    assert match
    return match.group(1)


def test_the_invitation_link_sets_a_password_once(app: Flask) -> None:
    admin = _admin_client(app)
    _invite(admin, email="new@firm.example", role="account_manager")
    user = _user(app, "new@firm.example")
    assert user is not None
    path = _invitation_path(admin, user.id)

    invitee = app.test_client()
    short = invitee.post(
        path,
        data={"csrf_token": csrf_token(invitee, path), "password": "short", "confirm": "short"},
    )
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    done = invitee.post(
        path,
        data={"csrf_token": csrf_token(invitee, path), "password": PASSWORD, "confirm": PASSWORD},
    )
    assert done.status_code == 302
    assert invitee.get("/").status_code == 200
    assert app.test_client().get(path).status_code == 404  # used: no second password


def test_a_tampered_invitation_link_shows_a_friendly_page(client: FlaskClient) -> None:
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 404
    assert "not valid any more" in response.get_data(as_text=True)


def test_deactivating_a_user_signs_them_out_and_reactivating_lets_them_back(app: Flask) -> None:
    admin = _admin_client(app)
    with app.app_context():
        user = make_user(db_session(), email="ana@firm.example")
    ana = app.test_client()
    sign_in(ana, "ana@firm.example")
    page = f"/admin/users/{user.id}"
    response = admin.post(f"{page}/deactivate", data={"csrf_token": csrf_token(admin, page)})
    assert response.status_code == 302
    assert ana.get("/").status_code == 302
    assert sign_in(ana, "ana@firm.example").status_code == 401
    admin.post(f"{page}/reactivate", data={"csrf_token": csrf_token(admin, page)})
    assert sign_in(ana, "ana@firm.example").status_code == 302


def test_an_admin_cannot_deactivate_themselves_in_the_ui(app: Flask) -> None:
    admin = _admin_client(app)
    boss = _user(app, "boss@firm.example")
    assert boss is not None
    page = f"/admin/users/{boss.id}"
    response = admin.post(f"{page}/deactivate", data={"csrf_token": csrf_token(admin, page)})
    assert response.status_code == 422
    assert "cannot deactivate yourself" in response.get_data(as_text=True)


def test_changing_a_role_takes_effect_on_the_users_next_request(app: Flask) -> None:
    admin = _admin_client(app)
    with app.app_context():
        user = make_user(db_session(), email="ana@firm.example", role="admin")
    ana = app.test_client()
    sign_in(ana, "ana@firm.example")
    assert ana.get("/admin/users").status_code == 200
    page = f"/admin/users/{user.id}"
    admin.post(f"{page}/role", data={"csrf_token": csrf_token(admin, page), "role": "marketing"})
    assert ana.get("/admin/users").status_code in (302, 403)
    sign_in(ana, "ana@firm.example")
    assert ana.get("/admin/users").status_code == 403


def test_an_unknown_user_page_is_a_404_in_the_products_look(app: Flask) -> None:
    admin = _admin_client(app)
    response = admin.get("/admin/users/999999")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
