"""Sign-in attempts are limited per (address, account), per account and per address, with a clear
message, without locking out an office that shares one address."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import AuditEntry
from tests.factories import make_user, sign_in

WRONG = "wrong password!!"
OFFICE = "203.0.113.7"  # one public address for everyone in the office (NAT)


def browser_at(app: Flask, address: str, *, forwarded_for: str | None = None) -> FlaskClient:
    """A browser whose requests reach the app from `address` (through a proxy if forwarded)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if forwarded_for is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def people(app: Flask, *emails: str) -> None:
    with app.app_context():
        for email in emails:
            make_user(db_session(), email=email)


def test_too_many_failed_attempts_on_one_account_are_refused_even_with_the_right_password(
    app_factory,
) -> None:
    app: Flask = app_factory(login_limit_per_account="3 per 15 minutes")
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "ana@firm.example", WRONG).status_code == 401
    blocked = sign_in(client, "ana@firm.example")
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by this account's limit.
    with app.app_context():
        make_user(db_session(), email="bea@firm.example")
    assert sign_in(client, "bea@firm.example").status_code == 302


def test_the_refusal_names_the_wait_of_the_limit_that_was_reached(app_factory) -> None:
    app: Flask = app_factory(login_limit_per_account="2 per 1 hour")
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    client = app.test_client()
    for _ in range(2):
        sign_in(client, "ana@firm.example", WRONG)
    blocked = sign_in(client, "ana@firm.example").get_data(as_text=True)
    assert "Wait up to 60 minutes" in blocked
    assert "15 minutes" not in blocked


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


def test_a_colleague_behind_the_same_address_signs_in_after_someone_failed_twenty_times(
    app_factory,
) -> None:
    app: Flask = app_factory()  # the default limits
    people(app, "ana.lopes@firm.example", "bea@firm.example")
    ana = browser_at(app, OFFICE)
    # Ana cannot remember which address she signed up with, nor her password: twenty refusals.
    spellings = [
        "ana.lopes@firm.example",
        "ana@firm.example",
        "alopes@firm.example",
        "al@firm.example",
    ]
    for spelling in spellings:
        for _ in range(5):
            assert sign_in(ana, spelling, WRONG).status_code == 401
    for _ in range(20):  # and she keeps trying her own address
        assert sign_in(ana, "ana.lopes@firm.example", WRONG).status_code == 429

    assert sign_in(browser_at(app, OFFICE), "bea@firm.example").status_code == 302
    # The account that was guessed at stays blocked from that address, right password or not.
    assert sign_in(browser_at(app, OFFICE), "ana.lopes@firm.example").status_code == 429


def test_one_address_guessing_one_password_is_stopped_but_the_owner_elsewhere_is_not(
    app_factory,
) -> None:
    app: Flask = app_factory(
        login_limit_per_address_account="5 per 15 minutes",
        login_limit_per_account="10 per 15 minutes",
    )
    people(app, "ana@firm.example")
    attacker = browser_at(app, "198.51.100.66")
    for _ in range(5):
        assert sign_in(attacker, "ana@firm.example", WRONG).status_code == 401

    assert sign_in(attacker, "ana@firm.example").status_code == 429
    assert sign_in(browser_at(app, OFFICE), "ana@firm.example").status_code == 302


def test_a_guess_spread_over_many_addresses_is_stopped_by_the_per_account_limit(
    app_factory,
) -> None:
    app: Flask = app_factory(
        login_limit_per_address_account="5 per 15 minutes",
        login_limit_per_account="10 per 15 minutes",
    )
    people(app, "ana@firm.example")
    for number in range(10):
        attacker = browser_at(app, f"198.51.100.{number + 1}")
        assert sign_in(attacker, "ana@firm.example", WRONG).status_code == 401

    assert sign_in(browser_at(app, "198.51.100.99"), "ana@firm.example").status_code == 429


def test_attempts_a_limit_refused_do_not_use_up_the_address_ceiling(app_factory) -> None:
    app: Flask = app_factory(
        login_limit_per_address="10 per 15 minutes",
        login_limit_per_address_account="3 per 15 minutes",
    )
    people(app, "ana@firm.example", "bea@firm.example")
    ana = browser_at(app, OFFICE)
    for _ in range(3):
        assert sign_in(ana, "ana@firm.example", WRONG).status_code == 401
    for _ in range(30):  # checked no password: they count towards nothing
        assert sign_in(ana, "ana@firm.example", WRONG).status_code == 429

    assert sign_in(browser_at(app, OFFICE), "bea@firm.example").status_code == 302


def test_behind_trusted_proxies_the_limits_count_the_forwarded_client_address(
    app_factory,
) -> None:
    app: Flask = app_factory(trusted_proxies=1, login_limit_per_address="3 per 15 minutes")
    people(app, "ana@firm.example")
    proxy = "10.0.0.2"  # every request reaches the app from the proxy
    attacker = browser_at(app, proxy, forwarded_for="198.51.100.66")
    for number in range(3):
        assert sign_in(attacker, f"nobody{number}@firm.example", WRONG).status_code == 401
    assert sign_in(attacker, "ana@firm.example").status_code == 429

    office = browser_at(app, proxy, forwarded_for=OFFICE)
    assert sign_in(office, "ana@firm.example").status_code == 302


def test_without_trusted_proxies_a_forwarded_address_cannot_dodge_the_limits(
    app_factory,
) -> None:
    app: Flask = app_factory(login_limit_per_address_account="3 per 15 minutes")
    people(app, "ana@firm.example")
    for number in range(3):
        attacker = browser_at(app, "198.51.100.66", forwarded_for=f"192.0.2.{number + 1}")
        assert sign_in(attacker, "ana@firm.example", WRONG).status_code == 401

    attacker = browser_at(app, "198.51.100.66", forwarded_for="192.0.2.200")
    assert sign_in(attacker, "ana@firm.example").status_code == 429


def test_a_sign_in_stopped_by_the_limit_is_in_the_audit_log_with_its_address(
    app_factory,
) -> None:
    app: Flask = app_factory(login_limit_per_account="2 per 15 minutes")
    with app.app_context():
        ana = make_user(db_session(), email="ana@firm.example")
    attacker = browser_at(app, "198.51.100.23")
    for _ in range(2):
        assert sign_in(attacker, "Ana@Firm.example", WRONG).status_code == 401
    assert sign_in(attacker, "ana@firm.example").status_code == 429
    assert sign_in(attacker, "ana@firm.example", WRONG).status_code == 429
    with app.app_context():
        entries = (
            db_session()
            .exec(
                select(AuditEntry)
                .where(AuditEntry.action == "sign_in.failed")
                .order_by(AuditEntry.id)
            )
            .all()
        )
        reasons = [json.loads(entry.details_json)["reason"] for entry in entries]
        assert reasons == ["wrong_credentials"] * 2 + ["rate_limited"] * 2
        throttled = entries[-1]
        assert (throttled.actor_id, throttled.actor_label) == (ana.id, "ana@firm.example")
        assert (throttled.subject_type, throttled.subject_id) == ("user", ana.id)
        assert throttled.address == "198.51.100.23"
