"""The account's team: the owner or an admin adds and removes colleagues, who may then edit."""

from __future__ import annotations

from flask import Flask

from advocacy.db import db_session
from tests.factories import csrf_token, make_account, make_user, sign_in


def _setup(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        session = db_session()
        owner = make_user(session, email="owner@firm.example")
        colleague = make_user(session, email="colleague@firm.example")
        outsider = make_user(session, email="outsider@firm.example")
        account = make_account(session, owner=owner, name="Acme")
        return account.id, colleague.id, outsider.id


def test_the_owner_adds_a_colleague_who_may_then_edit_and_removes_them(app: Flask) -> None:
    account_id, colleague_id, _ = _setup(app)
    owner = app.test_client()
    sign_in(owner, "owner@firm.example")
    page = f"/accounts/{account_id}"
    token = csrf_token(owner, page)
    response = owner.post(f"{page}/team", data={"csrf_token": token, "user_id": colleague_id})
    assert response.status_code == 302
    assert "colleague@firm.example" in owner.get(page).get_data(as_text=True)

    colleague = app.test_client()
    sign_in(colleague, "colleague@firm.example")
    assert "Move" in colleague.get(page).get_data(as_text=True)  # edit controls shown

    owner.post(f"{page}/team/remove", data={"csrf_token": token, "user_id": colleague_id})
    assert "Only the owner works on this account." in owner.get(page).get_data(as_text=True)


def test_someone_who_is_not_the_owner_cannot_change_the_team(app: Flask) -> None:
    account_id, colleague_id, _ = _setup(app)
    outsider = app.test_client()
    sign_in(outsider, "outsider@firm.example")
    page = f"/accounts/{account_id}"
    token = csrf_token(outsider, page)
    response = outsider.post(f"{page}/team", data={"csrf_token": token, "user_id": colleague_id})
    assert response.status_code == 403


def test_only_an_active_account_manager_can_join(app: Flask) -> None:
    account_id, _, _ = _setup(app)
    with app.app_context():
        marketer = make_user(db_session(), role="marketing")
    owner = app.test_client()
    sign_in(owner, "owner@firm.example")
    page = f"/accounts/{account_id}"
    token = csrf_token(owner, page)
    owner.post(f"{page}/team", data={"csrf_token": token, "user_id": marketer.id})
    body = owner.get(page).get_data(as_text=True)
    assert "Only an active account manager can join" in body
    bad = owner.post(f"{page}/team", data={"csrf_token": token, "user_id": "not a number"})
    assert bad.status_code == 400
