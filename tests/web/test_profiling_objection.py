"""The objection to profiling (GDPR Art. 21): offered on the preference page and recorded by staff
on the contact page; either deletes the contact's score and its history at once."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ConsentChange, Contact, ContactScore, ScoreSnapshot
from advocacy.services.scoring import recompute
from tests.conftest import NOW
from tests.factories import (
    csrf_from,
    make_account,
    make_contact,
    make_staff,
    make_unsubscribe_link,
    signed_in_client,
)

EMAIL = "dana@client.example"


def _scored_contact(app: Flask, language: str = "en") -> tuple[int, str]:
    with app.app_context():
        session = db_session()
        account = make_account(session, name="Client SA")
        contact = make_contact(session, account, full_name="Dana", email=EMAIL, language=language)
        recompute.recompute_all(session, now=NOW, rules=recompute.ScoringRules())
        return contact.id, make_unsubscribe_link(session, EMAIL, contact_id=contact.id)


def _scores_of(app: Flask, contact_id: int) -> tuple[int, int]:
    with app.app_context():
        session = db_session()
        scores = session.exec(select(ContactScore).where(ContactScore.contact_id == contact_id))
        snaps = session.exec(select(ScoreSnapshot).where(ScoreSnapshot.contact_id == contact_id))
        return len(list(scores)), len(list(snaps))


def test_the_client_objects_on_the_preference_page_and_the_score_is_gone(
    app: Flask, client: FlaskClient
) -> None:
    contact_id, token = _scored_contact(app)
    assert _scores_of(app, contact_id) == (1, 1)
    page = client.get(f"/c/unsubscribe/{token}").get_data(as_text=True)
    assert "I object to this profiling" in page
    response = client.post(
        f"/c/unsubscribe/{token}/profiling", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 200
    assert "Your objection is recorded" in response.get_data(as_text=True)
    assert _scores_of(app, contact_id) == (0, 0)
    with app.app_context():
        session = db_session()
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.profiling_objected_via == "preference_page"
        change = session.exec(select(ConsentChange)).one()
        assert (change.category, change.action, change.via) == (
            "profiling",
            "object",
            "preference_page",
        )
    again = client.get(f"/c/unsubscribe/{token}").get_data(as_text=True)
    assert "I object to this profiling" not in again
    assert "You objected to this" in again


def test_the_objection_is_offered_in_french_to_a_french_contact(
    app: Flask, client: FlaskClient
) -> None:
    _, token = _scored_contact(app, language="fr")
    page = client.get(f"/c/unsubscribe/{token}").get_data(as_text=True)
    assert "Je m’oppose à ce profilage" in page


def test_an_objection_without_the_form_token_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    contact_id, token = _scored_contact(app)
    response = client.post(f"/c/unsubscribe/{token}/profiling", data={})
    assert response.status_code == 400
    assert "make your choices again" in response.get_data(as_text=True)
    assert _scores_of(app, contact_id) == (1, 1)


def test_staff_record_the_objection_on_the_contact_page(app: Flask) -> None:
    contact_id, _ = _scored_contact(app)
    admin = make_staff(app, role="admin")
    client = signed_in_client(app, admin)
    page = client.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Record an objection to profiling" in page
    response = client.post(
        f"/contacts/{contact_id}/profiling-objection",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Objection to profiling recorded" in response.get_data(as_text=True)
    assert "not scored" in response.get_data(as_text=True)
    assert _scores_of(app, contact_id) == (0, 0)


def test_marketing_cannot_record_an_objection_for_an_account_team(app: Flask) -> None:
    contact_id, _ = _scored_contact(app)
    marketing = make_staff(app, role="marketing")
    client = signed_in_client(app, marketing)
    response = client.post(f"/contacts/{contact_id}/profiling-objection", data={})
    assert response.status_code in {403, 400}
    assert _scores_of(app, contact_id) == (1, 1)


def test_an_account_manager_outside_the_team_cannot_record_it(app: Flask) -> None:
    contact_id, _ = _scored_contact(app)
    outsider = make_staff(app, role="account_manager", email="outsider@firm.example")
    client = signed_in_client(app, outsider)
    page = client.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Record an objection to profiling" not in page
    response = client.post(
        f"/contacts/{contact_id}/profiling-objection", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 403
    assert _scores_of(app, contact_id) == (1, 1)
