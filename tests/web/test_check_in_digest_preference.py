"""Turning the daily check-in digest off on the preferences page: offered to the people who own
accounts, kept on a refused form, and never changed for those it is not offered to."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from advocacy.db import db_session
from advocacy.repository import staff
from tests.factories import csrf_token, make_user, sign_in

BOX = 'name="check_in_digest"'
_BOX_TAG = re.compile(r'<input[^>]*name="check_in_digest"[^>]*>')


def save(client: FlaskClient, **fields: str) -> Any:
    data = {"csrf_token": csrf_token(client, "/preferences"), "name": "Ann", "language": ""}
    data.update(fields)
    return client.post("/preferences", data=data)


def digest_of(app: Flask, email: str) -> bool:
    with app.app_context():
        user = staff.user_by_email(db_session(), email)
        assert user is not None
        return user.check_in_digest


def box_ticked(html: str) -> bool:
    tag = _BOX_TAG.search(html)
    assert tag, "no digest checkbox on the page"
    return "checked" in tag.group(0)


def test_an_account_manager_turns_the_digest_off_and_on_again(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="ann@firm.example")
    sign_in(client, "ann@firm.example")
    page = client.get("/preferences").get_data(as_text=True)
    assert "Daily e-mail of due check-ins" in page
    assert box_ticked(page)  # on unless turned off
    assert save(client, timezone="").status_code == 302  # the box left unticked
    assert digest_of(app, "ann@firm.example") is False
    assert not box_ticked(client.get("/preferences").get_data(as_text=True))
    assert save(client, timezone="", check_in_digest="y").status_code == 302
    assert digest_of(app, "ann@firm.example") is True


def test_a_refused_form_comes_back_with_the_digest_choice_as_posted(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="ann@firm.example", check_in_digest=False)
    sign_in(client, "ann@firm.example")
    response = save(client, timezone="Mars/Olympus", check_in_digest="y")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Unknown time zone" in html
    assert 'value="Mars/Olympus"' in html and 'value="Ann"' in html
    assert box_ticked(html)
    assert digest_of(app, "ann@firm.example") is False  # nothing saved


def test_marketing_is_not_offered_the_digest_and_saving_leaves_it_alone(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="mo@firm.example", role="marketing")
    sign_in(client, "mo@firm.example")
    assert BOX not in client.get("/preferences").get_data(as_text=True)
    assert save(client, timezone="").status_code == 302
    assert digest_of(app, "mo@firm.example") is True
