"""Referral pages: the client's introduction form (their language, bad links, kept input, the
honeypot), the staff pipeline with client text escaped, the account page's panel, and who may see
and change what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import Account, ClientLink, Contact, OutboxMessage, Referral, User
from advocacy.services.voice import referrals
from tests.factories import (
    csrf_token,
    make_account,
    make_mail_contact,
    make_user,
    signed_in_client,
)

HOSTILE = '<script>alert("x")</script>'


def _user(app: Flask, role: str = "account_manager", **fields: Any) -> User:
    with app.app_context():
        return make_user(db_session(), role=role, **fields)


def _referrer(app: Flask, owner: User, *, language: str = "en") -> tuple[int, int]:
    """A client account owned by `owner` and its contact Rita: (account id, contact id)."""
    with app.app_context():
        session = db_session()
        account = make_account(session, name="Happy Client SA", owner=owner)
        contact = make_mail_contact(session, account, full_name="Rita", language=language)
        return account.id, contact.id


def _link(app: Flask, contact_id: int) -> str:
    with app.app_context():
        session = db_session()
        contact = session.get(Contact, contact_id)
        url = referrals.create_referral_link(session, app.config["ADVOCACY"], contact, now=utcnow())
        session.commit()
    return "/c/referral/new/" + url.rsplit("/", 1)[1]


def _form_token(client: FlaskClient, path: str) -> str:
    return csrf_token(client, path)


def _introduce(client: FlaskClient, path: str, **fields: str) -> Any:
    data = {
        "name": "Paul Prospect",
        "email": "paul@newco.example",
        "company": "Newco Ltd",
        "note": "",
        "intro_preference": "call",
        "website": "",
        **fields,
    }
    return client.post(path, data={"csrf_token": _form_token(client, path), **data})


def _referral_rows(app: Flask) -> list[Referral]:
    with app.app_context():
        return list(db_session().exec(select(Referral)))


@pytest.mark.parametrize(
    ("language", "honeypot"), [("en", "Leave this field empty"), ("fr", "Laissez ce champ vide")]
)
def test_the_client_page_speaks_the_referrers_language(
    app: Flask, client: FlaskClient, language: str, honeypot: str
) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner, language=language)
    response = client.get(_link(app, contact))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert honeypot in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_unknown_link_gets_the_friendly_page(app: Flask, client: FlaskClient) -> None:
    response = client.get("/c/referral/new/not-a-real-token")
    assert response.status_code == 404
    assert "This link does not work any more" in response.get_data(as_text=True)
    assert client.post("/c/referral/new/not-a-real-token").status_code in (400, 404)


def test_an_introduction_creates_the_prospect_and_uses_up_the_link(
    app: Flask, client: FlaskClient
) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner)
    path = _link(app, contact)
    response = _introduce(client, path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Thank you for the introduction" in response.get_data(as_text=True)
    [referral] = _referral_rows(app)
    assert (referral.name, referral.company, referral.intro_preference) == (
        "Paul Prospect",
        "Newco Ltd",
        "call",
    )
    assert client.get(path).status_code == 404


def test_the_owner_reads_the_new_referral_signal_in_her_language(
    app: Flask, client: FlaskClient
) -> None:
    owner = _user(app, language="fr")
    _account, contact = _referrer(app, owner)
    assert _introduce(client, _link(app, contact)).status_code == 200
    html = signed_in_client(app, owner).get("/").get_data(as_text=True)
    assert "Nouvelle recommandation de Rita (Happy Client SA) : Paul Prospect chez" in html
    assert "New referral from" not in html


def test_a_form_with_errors_comes_back_as_typed_and_saves_nothing(
    app: Flask, client: FlaskClient
) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner)
    path = _link(app, contact)
    response = _introduce(client, path, company="", email="not-an-email", note="Needs M&A help")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Paul Prospect"' in html
    assert 'value="not-an-email"' in html
    assert "Needs M&amp;A help" in html
    assert "Enter a valid e-mail address." in html
    assert _referral_rows(app) == []
    assert client.get(path).status_code == 200  # the link still works


def test_the_honeypot_refuses_robots(app: Flask, client: FlaskClient) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner)
    path = _link(app, contact)
    response = _introduce(client, path, website="http://spam.example")
    assert response.status_code == 400
    assert _referral_rows(app) == []


def test_staff_pages_escape_what_the_client_typed(app: Flask, client: FlaskClient) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner)
    _introduce(client, _link(app, contact), name=HOSTILE, company=HOSTILE + " Ltd", note=HOSTILE)
    [referral] = _referral_rows(app)
    staff = signed_in_client(app, owner)
    for path in (
        "/referrals",
        f"/referrals/{referral.id}",
        f"/accounts/{referral.prospect_account_id}",
        "/",
    ):
        html = staff.get(path).get_data(as_text=True)
        assert HOSTILE not in html, path
        assert "&lt;script&gt;" in html, path


def test_the_prospect_account_page_shows_who_referred_it(app: Flask, client: FlaskClient) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner)
    _introduce(client, _link(app, contact))
    [referral] = _referral_rows(app)
    html = (
        signed_in_client(app, owner)
        .get(f"/accounts/{referral.prospect_account_id}")
        .get_data(as_text=True)
    )
    text = re.sub(r"<[^>]+>", "", html)
    assert "Referred by Rita (account Happy Client SA)" in text


def test_the_owner_moves_the_referral_along_and_a_lost_one_needs_a_reason(
    app: Flask, client: FlaskClient
) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner)
    _introduce(client, _link(app, contact))
    [referral] = _referral_rows(app)
    staff = signed_in_client(app, owner)
    path = f"/referrals/{referral.id}"
    response = staff.post(
        path + "/status",
        data={"csrf_token": csrf_token(staff, path), "status": "lost", "lost_reason": ""},
    )
    assert response.status_code == 422
    assert "Say why the referral was lost." in response.get_data(as_text=True)
    response = staff.post(
        path + "/status", data={"csrf_token": csrf_token(staff, path), "status": "contacted"}
    )
    assert response.status_code == 302
    [moved] = _referral_rows(app)
    assert moved.status == "contacted"
    response = staff.post(
        path + "/thanks", data={"csrf_token": csrf_token(staff, path), "note": "Sent flowers"}
    )
    assert response.status_code == 302
    [thanked] = _referral_rows(app)
    assert thanked.thank_you_note == "Sent flowers" and thanked.thanked_at is not None


def test_roles_marketing_is_kept_out_and_other_managers_only_read(
    app: Flask, client: FlaskClient
) -> None:
    owner = _user(app)
    _account, contact = _referrer(app, owner)
    _introduce(client, _link(app, contact))
    [referral] = _referral_rows(app)
    marketer = signed_in_client(app, _user(app, role="marketing"))
    for path in ("/referrals", f"/referrals/{referral.id}"):
        assert marketer.get(path).status_code == 403
    colleague = signed_in_client(app, _user(app))
    path = f"/referrals/{referral.id}"
    assert colleague.get(path).status_code == 200
    response = colleague.post(
        path + "/status", data={"csrf_token": csrf_token(colleague, path), "status": "contacted"}
    )
    assert response.status_code == 403
    assert _referral_rows(app)[0].status == "received"
    admin = signed_in_client(app, _user(app, role="admin"))
    assert admin.get(path).status_code == 200


def test_the_account_page_asks_a_client_for_an_introduction(app: Flask) -> None:
    owner = _user(app)
    account, contact = _referrer(app, owner)
    staff = signed_in_client(app, owner)
    page = f"/accounts/{account}"
    assert "Ask for an introduction" in staff.get(page).get_data(as_text=True)
    response = staff.post(
        f"/accounts/{account}/ask-introduction",
        data={"csrf_token": csrf_token(staff, page), "contact_id": str(contact)},
    )
    assert response.status_code == 302
    with app.app_context():
        [message] = (
            db_session()
            .exec(select(OutboxMessage).where(OutboxMessage.template == "referral_ask"))
            .all()
        )
    assert message.category == "advocacy_ask" and message.contact_id == contact
    path = "/c/referral/new/" + message.text_body.split("/c/referral/new/", 1)[1].split()[0]
    assert app.test_client().get(path).status_code == 200


def test_a_bad_camp_account_offers_no_ask_and_refuses_one(app: Flask) -> None:
    owner = _user(app)
    account, contact = _referrer(app, owner)
    with app.app_context():
        session = db_session()
        row = session.get(Account, account)
        assert row is not None
        row.camp, row.do_not_ask = "bad", True
        session.add(row)
        session.commit()
    staff = signed_in_client(app, owner)
    page = f"/accounts/{account}"
    html = staff.get(page).get_data(as_text=True)
    assert "Ask for an introduction" not in html
    assert "may be asked for an introduction now" in html
    response = staff.post(
        f"/accounts/{account}/ask-introduction",
        data={"csrf_token": csrf_token(staff, page), "contact_id": str(contact)},
        follow_redirects=True,
    )
    assert "never asked for advocacy" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db_session().exec(select(ClientLink).where(ClientLink.purpose == "referral")).all()
            == []
        )
        assert db_session().exec(select(OutboxMessage)).all() == []


def test_only_people_who_may_edit_the_account_ask_for_introductions(app: Flask) -> None:
    owner = _user(app)
    account, contact = _referrer(app, owner)
    colleague = signed_in_client(app, _user(app))
    page = f"/accounts/{account}"
    assert "Ask for an introduction" not in colleague.get(page).get_data(as_text=True)
    response = colleague.post(
        f"/accounts/{account}/ask-introduction",
        data={"csrf_token": csrf_token(colleague, page), "contact_id": str(contact)},
    )
    assert response.status_code == 403
    marketer = signed_in_client(app, _user(app, role="marketing"))
    response = marketer.post(
        f"/accounts/{account}/ask-introduction",
        data={"csrf_token": csrf_token(marketer, page), "contact_id": str(contact)},
    )
    assert response.status_code == 403
