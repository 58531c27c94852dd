"""The home page lists the journey signals an account manager owns, until they are marked done."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import Account, JourneySignal, User
from tests.conftest import NOW
from tests.factories import (
    csrf_token,
    make_account,
    make_contact,
    make_staff,
    signed_in_client,
)


def _post(client: FlaskClient, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _move_champion(app: Flask, owner: User) -> tuple[Any, Any]:
    """The owner records that their sponsor at Old Co moved to New Co; returns both accounts."""
    with app.app_context():
        session = db_session()
        old = make_account(session, owner=owner, name="Old Co")
        contact = make_contact(session, old, full_name="Chris Champion", roles=["sponsor"])
    client = signed_in_client(app, owner)
    response = _post(
        client, f"/contacts/{contact.id}/departure", outcome="left", new_employer="New Co"
    )
    assert response.status_code == 302
    with app.app_context():
        new = db_session().exec(select(Account).where(Account.name == "New Co")).one()
    return old, new


def test_a_champion_who_moves_shows_as_an_opportunity_and_a_restaff_task_on_the_home_page(
    app: Flask,
) -> None:
    owner = make_staff(app)
    old, new = _move_champion(app, owner)
    html = signed_in_client(app, owner).get("/").get_data(as_text=True)
    assert "Champion moved: Chris Champion is now at" in html
    assert f'<a href="/accounts/{new.id}">New Co</a>' in html
    assert "Re-staff the relationship: who replaces Chris Champion at" in html
    assert f'<a href="/accounts/{old.id}#stakeholders">Old Co</a>' in html


def test_signals_show_only_on_their_owners_home_page(app: Flask) -> None:
    owner, colleague = make_staff(app), make_staff(app)
    _move_champion(app, owner)
    html = signed_in_client(app, colleague).get("/").get_data(as_text=True)
    assert "Chris Champion" not in html and "You own no account" in html


def test_marking_a_signal_done_removes_it_from_the_home_page(app: Flask) -> None:
    owner = make_staff(app)
    _move_champion(app, owner)
    client = signed_in_client(app, owner)
    with app.app_context():
        signal = (
            db_session()
            .exec(select(JourneySignal).where(JourneySignal.kind == "champion_moved"))
            .one()
        )
    assert _post(client, f"/signals/{signal.id}/done").status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Champion moved" not in html and "Re-staff the relationship" in html


def test_only_the_owner_of_a_signal_may_mark_it_done(app: Flask) -> None:
    owner, colleague = make_staff(app), make_staff(app)
    _move_champion(app, owner)
    with app.app_context():
        signal = db_session().exec(select(JourneySignal)).first()
    assert _post(signed_in_client(app, colleague), f"/signals/{signal.id}/done").status_code == 403
    assert _post(signed_in_client(app, colleague), "/signals/999999/done").status_code == 404
    with app.app_context():
        assert db_session().get(JourneySignal, signal.id).resolved_at is None


def test_a_proposal_to_move_to_former_links_to_the_account(app: Flask) -> None:
    owner = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=owner, name="Quiet Co")
        session.add(
            JourneySignal(
                kind="propose_former", account_id=account.id, owner_id=owner.id, created_at=NOW
            )
        )
        session.commit()
    html = signed_in_client(app, owner).get("/").get_data(as_text=True)
    assert "move to former client?" in html
    assert f'href="/accounts/{account.id}#journey">Quiet Co</a>' in html
