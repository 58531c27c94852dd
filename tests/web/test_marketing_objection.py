"""The objection to direct marketing on the contact page: one button, its CSRF token, a message."""

from __future__ import annotations

from flask import Flask

from advocacy.db import db_session
from advocacy.repository.mail import suppressed_categories
from tests.factories import csrf_from, make_account, make_contact, make_staff, signed_in_client


def test_staff_record_it_on_the_contact_page_with_one_button(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        contact = make_contact(
            session, make_account(session), full_name="Lea Roux", email="lea@client.example"
        )
        contact_id = contact.id
    admin = signed_in_client(app, make_staff(app, role="admin"))
    page = admin.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Record an objection to direct marketing" in page
    refused = admin.post(f"/contacts/{contact_id}/marketing-objection", data={})
    assert refused.status_code == 400
    assert "This form has expired" in refused.get_data(as_text=True)
    with app.app_context():
        assert suppressed_categories(db_session(), "lea@client.example") == set()

    done = admin.post(
        f"/contacts/{contact_id}/marketing-objection",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Objection to direct marketing recorded" in text
    assert "Objected to direct marketing: no nurture, no advocacy asks and no score." in text
    assert "Record an objection to direct marketing" not in text
    with app.app_context():
        assert "all" in suppressed_categories(db_session(), "lea@client.example")
