"""Sign-in attempts are limited per account and per address, with a clear message."""

from __future__ import annotations

from flask import Flask

from advocacy.db import db_session
from tests.factories import make_user, sign_in


def test_too_many_failed_attempts_on_one_account_are_refused_even_with_the_right_password(
    app_factory,
) -> None:
    app: Flask = app_factory(login_limit_per_account="3 per 15 minutes")
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "ana@firm.example", "wrong password!!").status_code == 401
    blocked = sign_in(client, "ana@firm.example")
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by this account's limit.
    with app.app_context():
        make_user(db_session(), email="bea@firm.example")
    assert sign_in(client, "bea@firm.example").status_code == 302


def test_too_many_failed_attempts_from_one_address_are_refused(app_factory) -> None:
    app: Flask = app_factory(login_limit_per_address="4 per 15 minutes")
    client = app.test_client()
    for number in range(4):
        assert sign_in(client, f"nobody{number}@firm.example", "x" * 12).status_code == 401
    assert sign_in(client, "somebody@firm.example", "x" * 12).status_code == 429


def test_successful_sign_ins_do_not_count_against_the_limit(app_factory) -> None:
    app: Flask = app_factory(login_limit_per_account="2 per 15 minutes")
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    for _ in range(4):
        client = app.test_client()
        assert sign_in(client, "ana@firm.example").status_code == 302
