"""The contact page: a person across employers; contacts added, edited, and followed when they move."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import Account, Contact, ContactRole, Person, Touchpoint
from advocacy.services.journey.people import record_departure
from tests.conftest import NOW
from tests.factories import (
    csrf_token,
    make_account,
    make_contact,
    make_engagement,
    make_staff,
    make_touchpoint,
    make_user,
    page_html,
    sign_in,
    signed_in_client,
)


def _post(client: FlaskClient, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _ticked(html: str, value: str) -> bool:
    return re.search(rf'<input checked[^>]* type="checkbox" value="{value}"', html) is not None


def test_the_contact_page_shows_the_person_across_employers_with_touchpoints_and_work(
    app: Flask,
) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        first = make_account(session, owner=me, name="First Employer")
        contact = make_contact(session, first, full_name="Mia Mover", title="CFO")
        make_engagement(session, first, title="Cost review", contact_ids=[contact.id])
        make_touchpoint(session, first, contact_id=contact.id, summary="Lunch with Mia")
        moved = record_departure(
            session,
            contact.id,
            retired=False,
            on=NOW.date(),
            new_employer="Second Co",
            new_title="CEO",
            by=me,
            now=NOW,
        )
    html = page_html(signed_in_client(app, me), f"/contacts/{contact.id}")
    assert "First Employer" in html and "Second Co" in html
    assert f'href="/contacts/{moved.new_contact.id}"' in html
    assert "Left" in html and "CEO" in html
    assert "Cost review" in html and "Lunch with Mia" in html


def test_a_long_history_says_how_many_touchpoints_are_not_shown(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me)
        contact = make_contact(session, account, full_name="Chatty Client")
        session.add_all(
            Touchpoint(
                account_id=account.id, contact_id=contact.id, kind="call", initiative="client",
                occurred_at=NOW - timedelta(hours=n + 1), summary=f"Call {n}", created_at=NOW,
            )
            for n in range(105)
        )  # fmt: skip
        session.commit()
    client = signed_in_client(app, me)
    html = page_html(client, f"/contacts/{contact.id}")
    assert "The latest 100 of 105 touchpoints" in html
    assert "Call 0<" in html and "Call 104<" not in html
    assert "The latest" not in page_html(client, f"/contacts/{make_contact_id(app, account)}")


def make_contact_id(app: Flask, account: Any) -> int:
    with app.app_context():
        return make_contact(db_session(), account, full_name="Quiet Client").id


def test_marketing_sees_no_contact_email_or_phone(app: Flask) -> None:
    owner, marketer = make_staff(app), make_staff(app, "marketing")
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=owner)
        contact = make_contact(
            session, account, full_name="Pat Private", email="pat@client.example", phone="+33 1 23"
        )
    html = page_html(signed_in_client(app, marketer), f"/contacts/{contact.id}")
    assert "Pat Private" in html
    assert "pat@client.example" not in html and "+33 1 23" not in html
    assert "Edit contact" not in html and "Record the departure" not in html
    assert "pat@client.example" in page_html(
        signed_in_client(app, owner), f"/contacts/{contact.id}"
    )


def test_a_champion_who_moves_is_followed_to_the_new_company_and_the_page_says_where(
    app: Flask,
) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me, name="Old Co")
        contact = make_contact(session, account, full_name="Chris Champion", roles=["sponsor"])
    client = signed_in_client(app, me)
    response = _post(
        client,
        f"/contacts/{contact.id}/departure",
        outcome="left",
        on="",
        new_employer="Brand New Ltd",
        new_title="COO",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/contacts/{contact.id}")
    html = page_html(client, f"/contacts/{contact.id}")
    assert "Chris Champion moved to Brand New Ltd" in html
    with app.app_context():
        session = db_session()
        new_account = session.exec(select(Account).where(Account.name == "Brand New Ltd")).one()
        positions = session.exec(select(Contact).where(Contact.person_id == contact.person_id))
        assert new_account.stage == "prospect" and new_account.owner_id == me.id
        assert {(c.account_id, c.status) for c in positions} == {
            (account.id, "left"),
            (new_account.id, "active"),
        }


def test_a_retired_contact_stays_as_alumni(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        contact = make_contact(session, make_account(session, owner=me), full_name="Rita Retired")
    client = signed_in_client(app, me)
    assert _post(client, f"/contacts/{contact.id}/departure", outcome="retired").status_code == 302
    html = page_html(client, f"/contacts/{contact.id}")
    assert "Marked as retired" in html and "alumni" in html
    with app.app_context():
        assert db_session().get(Person, contact.person_id).retired_on is not None


def test_a_departure_the_rules_refuse_keeps_the_form_and_says_why(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        contact = make_contact(session, make_account(session, owner=me))
    client = signed_in_client(app, me)
    response = _post(
        client, f"/contacts/{contact.id}/departure", outcome="retired", new_employer="Elsewhere"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A retired person has no new employer" in body and 'value="Elsewhere"' in body
    bad_date = _post(client, f"/contacts/{contact.id}/departure", outcome="left", on="31/02")
    assert bad_date.status_code == 422 and "Enter a valid date." in bad_date.get_data(as_text=True)
    with app.app_context():
        assert db_session().get(Contact, contact.id).status == "active"


def test_a_new_contact_is_added_with_the_roles_ticked(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    client = signed_in_client(app, me)
    form = page_html(client, f"/accounts/{account.id}/contacts/new")
    assert "<legend>Buying-group roles</legend>" in form
    response = _post(
        client,
        f"/accounts/{account.id}/contacts/new",
        full_name="Dora Decider",
        email="Dora@Client.example",
        seniority="c_level",
        influence="5",
        roles=["decision_maker", "finance"],
        language="fr",
    )
    assert response.status_code == 302
    with app.app_context():
        session = db_session()
        contact = session.exec(select(Contact).where(Contact.account_id == account.id)).one()
        roles = {r.role for r in session.exec(select(ContactRole))}
    assert contact.email == "dora@client.example" and contact.influence == 5
    assert roles == {"decision_maker", "finance"}


def test_a_bad_contact_form_keeps_what_was_typed_says_why_and_writes_nothing(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    response = _post(
        signed_in_client(app, me),
        f"/accounts/{account.id}/contacts/new",
        full_name="Typed Person",
        email="not-an-email",
        seniority="manager",
        influence="3",
        roles=["sponsor"],
        language="en",
        timezone="Mars/Base",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a valid e-mail address." in body and "time zone" in body
    assert 'value="Typed Person"' in body and _ticked(body, "sponsor")
    with app.app_context():
        assert not list(db_session().exec(select(Contact)))


def test_editing_a_contact_changes_their_name_and_roles(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        contact = make_contact(
            session, make_account(session, owner=me), full_name="Ed Before", roles=["user"]
        )
    client = signed_in_client(app, me)
    form = page_html(client, f"/contacts/{contact.id}/edit")
    assert 'value="Ed Before"' in form and _ticked(form, "user")
    response = _post(
        client,
        f"/contacts/{contact.id}/edit",
        full_name="Ed After",
        seniority="manager",
        influence="4",
        roles=["compliance"],
        language="en",
    )
    assert response.status_code == 302
    html = page_html(client, f"/contacts/{contact.id}")
    assert "Ed After" in html and "Compliance" in html


def test_setting_a_consent_basis_is_dated_and_recorded_and_a_bad_one_is_refused(app) -> None:
    from sqlmodel import select

    from advocacy.db import db_session
    from advocacy.models import ConsentChange, Contact
    from tests.factories import csrf_token, make_account, make_contact

    with app.app_context():
        session = db_session()
        owner = make_user(session, email="owner@firm.example")
        contact = make_contact(
            session, make_account(session, owner=owner), full_name="Ana", email="ana@acme.example"
        )
    client = app.test_client()
    sign_in(client, "owner@firm.example")
    page = f"/contacts/{contact.id}/edit"
    form = {
        "csrf_token": csrf_token(client, page),
        "full_name": "Ana",
        "seniority": "manager",
        "influence": "3",
        "language": "en",
        "email": "ana@acme.example",
        "consent_basis": "legitimate_interest",
        "consent_source": "client since 2021",
    }
    assert client.post(page, data=form).status_code == 302
    with app.app_context():
        session = db_session()
        saved = session.get(Contact, contact.id)
        assert saved.consent_basis == "legitimate_interest" and saved.consent_at is not None
        change = session.exec(select(ConsentChange)).one()
        assert (change.action, change.via, change.email) == ("consent", "staff", "ana@acme.example")
    refused = client.post(page, data={**form, "consent_basis": "because"})
    assert refused.status_code in (400, 422)


def test_the_contact_page_lists_the_emails_sent_to_them_but_not_to_marketing(app) -> None:
    from advocacy.db import db_session
    from tests.factories import make_account, make_contact, make_sent_message

    with app.app_context():
        session = db_session()
        owner = make_user(session, email="owner@firm.example")
        make_user(session, email="mia@firm.example", role="marketing")
        contact = make_contact(
            session, make_account(session, owner=owner), full_name="Ana", email="ana@acme.example"
        )
        make_sent_message(
            session,
            contact_id=contact.id,
            to_email=contact.email,
            subject="What else we do for energy firms",
        )
    client = app.test_client()
    sign_in(client, "owner@firm.example")
    assert "What else we do for energy firms" in client.get(f"/contacts/{contact.id}").get_data(
        as_text=True
    )
    marketing = app.test_client()
    sign_in(marketing, "mia@firm.example")
    assert "What else we do" not in marketing.get(f"/contacts/{contact.id}").get_data(as_text=True)


def test_after_an_unsubscribe_the_contact_page_says_no_and_shows_the_consent_history(
    app: Flask,
) -> None:
    import json

    from advocacy.models import OutboxMessage
    from advocacy.services.mail.queue import queue_email
    from tests.factories import make_mail_contact

    owner = make_staff(app)
    with app.app_context():
        session = db_session()
        contact = make_mail_contact(session, make_account(session, owner=owner), full_name="Ana")
        queued = queue_email(
            session,
            category="nurture",
            template="example_nurture",
            to=contact.email,
            contact_id=contact.id,
            source=("nurture_step", 1),
            occurrence="1",
            context={"topic": "Succession planning", "recipient_name": "Ana"},
            now=NOW,
        )
        session.commit()  # queue_email leaves the commit to its use case
        message = session.get(OutboxMessage, queued.message_id)
        url = json.loads(message.headers_json)["List-Unsubscribe"].strip("<>")
    client = signed_in_client(app, owner)
    before = page_html(client, f"/contacts/{contact.id}")
    assert "Yes: needed for an engagement" in before
    # The client presses their mail program's unsubscribe button: a one-click POST, no cookie.
    path = "/" + url.split("/", 3)[3]
    clicked = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200
    page = page_html(client, f"/contacts/{contact.id}")
    status = re.search(r'<span class="consent-status">(.*?)</span>', page, re.S)
    assert status and status.group(1).strip() == "No: withdrawn or blocked"
    assert "All client-facing mail: Unsubscribed" in page
    assert "Yes: needed for an engagement (" not in page
    rows = re.findall(r'<tr class="consent-change">(.*?)</tr>', page, re.S)
    assert len(rows) == 2  # the basis set when the contact was added, then the unsubscribe
    newest = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0]))
    assert "Unsubscribed: All client-facing mail" in newest
    assert "One-click unsubscribe (link #" in newest and ", unsubscribe)" in newest
    assert "Consent basis recorded" in rows[1]
