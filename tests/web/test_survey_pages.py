"""The client's survey page and the account page's surveys panel.

Clients answer through their link, in their language, on a page that keeps what they typed and
refuses robots and junk without changing anything; staff see the answers (escaped) on the account
page, and account managers send a survey on demand from there. Marketing sees none of it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import Account, JourneySignal, OutboxMessage, Survey, Touchpoint, User
from tests.factories import (
    csrf_token,
    make_account,
    make_mail_contact,
    make_survey,
    make_user,
    sign_in,
)


def sent_survey(app: Flask, **options: Any) -> tuple[int, str]:
    with app.app_context():
        options.setdefault("now", utcnow())
        survey, token = make_survey(db_session(), app.config["ADVOCACY"], **options)
        return survey.id, token


def survey_row(app: Flask, survey_id: int) -> Survey:
    with app.app_context():
        row = db_session().get(Survey, survey_id)
        assert row is not None
        return row


def page_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def answer(client: FlaskClient, token: str, **data: Any) -> Any:
    html = client.get(f"/c/survey/{token}").get_data(as_text=True)
    return client.post(f"/c/survey/{token}", data={"csrf_token": page_csrf(html), **data})


@pytest.mark.parametrize(("language", "kind", "options"), [("en", "nps", 11), ("fr", "csat", 5)])
def test_the_survey_page_speaks_the_contacts_language_and_shows_the_scale(
    app: Flask, client: FlaskClient, language: str, kind: str, options: int
) -> None:
    _id, token = sent_survey(app, kind=kind, language=language)
    response = client.get(f"/c/survey/{token}", headers={"Accept-Language": "de"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r'type="radio"', html)) == options
    assert "<fieldset" in html and "<legend>" in html
    assert 'name="website"' in html  # the honeypot
    if language == "en":
        assert "How likely are you to recommend" in html


def test_an_unknown_or_expired_link_gets_the_friendly_page(app: Flask, client: FlaskClient) -> None:
    assert client.get("/c/survey/not-a-real-token").status_code == 404
    _id, token = sent_survey(app, now=utcnow() - timedelta(days=31))
    response = client.get(f"/c/survey/{token}")
    assert response.status_code == 404
    assert "This link does not work any more" in response.get_data(as_text=True)


def test_an_answer_is_saved_once_and_the_used_link_says_thanks_already_answered(
    app: Flask, client: FlaskClient
) -> None:
    survey_id, token = sent_survey(app)
    response = answer(client, token, score="8", comment="Good work")
    assert response.status_code == 200
    assert "Your answer is saved" in response.get_data(as_text=True)
    assert "/c/testimonial/new/" not in response.get_data(as_text=True)  # a passive
    row = survey_row(app, survey_id)
    assert (row.status, row.score, row.comment) == ("answered", 8, "Good work")

    again = client.get(f"/c/survey/{token}")
    assert again.status_code == 200
    assert "Thanks, you have already answered" in again.get_data(as_text=True)
    repost = client.post(f"/c/survey/{token}", data={"csrf_token": "x", "score": "1"})
    assert "already answered" in repost.get_data(as_text=True)
    assert survey_row(app, survey_id).score == 8


def test_a_promoter_sees_the_invitations_on_the_thank_you_page(
    app: Flask, client: FlaskClient
) -> None:
    _id, token = sent_survey(app)
    html = answer(client, token, score="10", comment="").get_data(as_text=True)
    assert re.search(r'href="/c/testimonial/new/[A-Za-z0-9_-]{30,}"', html)
    assert re.search(r'href="/c/referral/new/[A-Za-z0-9_-]{30,}"', html)


def test_a_validation_error_keeps_what_was_typed_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    survey_id, token = sent_survey(app)
    response = answer(client, token, comment="You were <late> & slow")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a score." in html
    assert "You were &lt;late&gt; &amp; slow</textarea>" in html
    assert survey_row(app, survey_id).status == "sent"


@pytest.mark.parametrize(
    "data",
    [
        {"score": "9", "website": "http://spam.example"},  # the honeypot
        {"score": "9", "comment": "x" * 2001},
        {"score": "99999999999999999999999"},
        {"score": "nine"},
        {"score": "-1"},
    ],
    ids=["honeypot", "huge comment", "huge score", "not a number", "off the scale"],
)
def test_robots_and_junk_get_a_400_and_nothing_changes(
    app: Flask, client: FlaskClient, data: dict[str, str]
) -> None:
    survey_id, token = sent_survey(app)
    response = answer(client, token, **data)
    assert response.status_code == 400
    assert survey_row(app, survey_id).status == "sent"
    with app.app_context():
        assert db_session().exec(select(Touchpoint)).all() == []


def test_a_nul_byte_is_refused_before_anything_happens(app: Flask, client: FlaskClient) -> None:
    survey_id, token = sent_survey(app)
    response = answer(client, token, score="9", comment="bad\x00byte")
    assert response.status_code == 400
    assert survey_row(app, survey_id).status == "sent"


def test_a_stale_form_gets_the_clients_page_with_the_link_again(
    app: Flask, client: FlaskClient
) -> None:
    survey_id, token = sent_survey(app)
    response = client.post(f"/c/survey/{token}", data={"csrf_token": "stale", "score": "9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="/c/survey/{token}"' in html
    assert "/login" not in html
    assert survey_row(app, survey_id).status == "sent"


def people(app: Flask) -> tuple[User, User, User, User, Account]:
    with app.app_context():
        session = db_session()
        owner = make_user(session, email="owner@firm.example", name="Olive")
        other = make_user(session, email="other@firm.example")
        admin = make_user(session, role="admin", email="admin@firm.example")
        marketing = make_user(session, role="marketing", email="mkt@firm.example")
        account = make_account(session, owner=owner, name="Client SA")
        return owner, other, admin, marketing, account


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user.email)
    return client


def test_the_account_page_lists_surveys_with_the_comment_escaped_but_not_for_marketing(
    app: Flask,
) -> None:
    owner, _other, _admin, marketing, account = people(app)
    _id, token = sent_survey(app, owner=owner, account=account, full_name="Dana Client")
    answer(app.test_client(), token, score="3", comment="<script>alert(1)</script> too slow")
    html = signed_in(app, owner).get(f"/accounts/{account.id}").get_data(as_text=True)
    assert 'id="surveys"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; too slow" in html
    assert "<script>alert(1)</script>" not in html
    assert "Dana Client" in html
    hidden = signed_in(app, marketing).get(f"/accounts/{account.id}").get_data(as_text=True)
    assert 'id="surveys"' not in hidden and "too slow" not in hidden


def test_a_detractor_shows_as_a_repair_task_on_the_owners_home_page(app: Flask) -> None:
    owner, _other, _admin, _marketing, account = people(app)
    _id, token = sent_survey(app, owner=owner, account=account, full_name="Dana Client")
    answer(app.test_client(), token, score="2", comment="")
    with app.app_context():
        [signal] = db_session().exec(select(JourneySignal)).all()
        assert signal.kind == "detractor"
    html = signed_in(app, owner).get("/").get_data(as_text=True)
    assert "Unhappy survey answer at" in html and "call Dana Client soon" in html


def post_on_demand(client: FlaskClient, account_id: int, **data: Any) -> Any:
    token = csrf_token(client, f"/accounts/{account_id}")
    return client.post(f"/accounts/{account_id}/surveys", data={"survey-csrf_token": token, **data})


def test_the_owner_sends_a_survey_on_demand_from_the_account_page(app: Flask) -> None:
    owner, _other, _admin, _marketing, account = people(app)
    with app.app_context():
        contact = make_mail_contact(db_session(), account, full_name="Ann Client")
    client = signed_in(app, owner)
    response = post_on_demand(
        client, account.id, **{"survey-contact_id": str(contact.id), "survey-kind": "csat"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/accounts/{account.id}#surveys")
    with app.app_context():
        [survey] = db_session().exec(select(Survey)).all()
        assert (survey.kind, survey.trigger, survey.status, survey.created_by_id) == (
            "csat",
            "on_demand",
            "sent",
            owner.id,
        )
        assert (
            db_session().exec(select(OutboxMessage).where(OutboxMessage.template == "survey")).one()
        )

    # The same contact again is throttled: the form comes back with the reason, still filled.
    again = post_on_demand(
        client, account.id, **{"survey-contact_id": str(contact.id), "survey-kind": "nps"}
    )
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "Not sent: surveyed recently." in html
    assert re.search(r'<option selected value="nps">|<option value="nps" selected>', html)


def test_the_on_demand_form_refuses_a_contact_of_another_account(app: Flask) -> None:
    owner, _other, _admin, _marketing, account = people(app)
    with app.app_context():
        stranger = make_mail_contact(db_session())
    response = post_on_demand(
        signed_in(app, owner),
        account.id,
        **{"survey-contact_id": str(stranger.id), "survey-kind": "nps"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db_session().exec(select(Survey)).all() == []


@pytest.mark.parametrize(("who", "status"), [("admin", 302), ("other", 403), ("marketing", 403)])
def test_who_may_send_a_survey_on_demand(app: Flask, who: str, status: int) -> None:
    _owner, other, admin, marketing, account = people(app)
    with app.app_context():
        contact = make_mail_contact(db_session(), account)
    user = {"admin": admin, "other": other, "marketing": marketing}[who]
    client = signed_in(app, user)
    token = csrf_token(client, "/")
    response = client.post(
        f"/accounts/{account.id}/surveys",
        data={
            "survey-csrf_token": token,
            "survey-contact_id": str(contact.id),
            "survey-kind": "nps",
        },
    )
    assert response.status_code == status
    with app.app_context():
        assert len(db_session().exec(select(Survey)).all()) == (1 if status == 302 else 0)
