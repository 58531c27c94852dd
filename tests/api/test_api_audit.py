"""A change made through the API is in the audit log under the token that made it, naming the
token and its user; the same change made without a token names the user alone."""

from __future__ import annotations

from flask import Flask
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ApiToken, AuditEntry, ContactUpdate
from advocacy.services.journey import people
from tests.conftest import NOW
from tests.factories import bearer, make_account, make_contact, make_token, make_user


def test_an_api_change_names_the_token_and_its_user(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        ana = make_user(session, role="admin", email="ana@firm.example", password=None)
        contact = make_contact(session, make_account(session), email="lea@client.example")
        secret = make_token(session, ana, ("read", "write"), name="CRM sync")
        token_id = session.exec(select(ApiToken.id).where(ApiToken.name == "CRM sync")).one()
        contact_id = contact.id
    response = app.test_client().patch(
        f"/api/v1/contacts/{contact_id}",
        json={"consent_basis": "contract"},
        headers=bearer(secret),
        environ_base={"REMOTE_ADDR": "192.0.2.9"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        entry = (
            db_session()
            .exec(select(AuditEntry).where(AuditEntry.action == "consent.changed"))
            .one()
        )
    assert (entry.actor_kind, entry.actor_id) == ("token", token_id)
    assert entry.actor_label.startswith("ana@firm.example via token adv_")
    assert entry.actor_label.endswith("(CRM sync)")
    assert (entry.subject_type, entry.subject_id, entry.address) == (
        "contact",
        contact_id,
        "192.0.2.9",
    )


def test_the_same_change_made_without_a_token_names_the_user_alone(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        ana = make_user(session, role="admin", email="ana@firm.example", password=None)
        make_token(session, ana, ("read", "write"), name="CRM sync")  # held, not used
        contact = make_contact(session, make_account(session), email="lea@client.example")
        people.update_contact(
            session, contact.id, ContactUpdate(consent_basis="contract"), by=ana, now=NOW
        )
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "consent.changed")).one()
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == (
        "user",
        ana.id,
        "ana@firm.example",
    )
