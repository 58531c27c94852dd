"""Reference pages: a colleague's request form (kept input), candidates with scores and reasons,
the left-out people with theirs, asking by e-mail, the client's accept/decline page (their language,
bad links, honeypot), recording the call; client text escaped; marketing kept out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import (
    Contact,
    OutboxMessage,
    ReferenceCall,
    ReferenceRequest,
    Touchpoint,
    User,
)
from tests.factories import (
    csrf_token,
    make_account,
    make_mail_contact,
    make_user,
    signed_in_client,
)
from tests.factories_referrals import make_reference_call, make_reference_permission

HOSTILE = '<script>alert("x")</script>'


def _user(app: Flask, role: str = "account_manager") -> User:
    with app.app_context():
        return make_user(db_session(), role=role)


def _reference(
    app: Flask, name: str, *, language: str = "en", camp: str = "unknown", **account: Any
) -> int:
    with app.app_context():
        session = db_session()
        row = make_account(session, name=f"{name} SA", **account)
        row.camp = camp
        session.add(row)
        session.commit()
        contact = make_mail_contact(session, row, full_name=name, language=language)
        make_reference_permission(session, contact)
        return contact.id


def _post(client: FlaskClient, path: str, form_page: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **data})


def _new_request(staff: FlaskClient, **fields: str) -> Any:
    data = {
        "prospect_name": "Prospect Ltd",
        "industry": "Banking",
        "service_line_id": "",
        "size_band": "",
        "language": "",
        "deadline": "",
        "notes": "",
        **fields,
    }
    return _post(staff, "/references/new", "/references/new", **data)


def _request_id(app: Flask) -> int:
    with app.app_context():
        return db_session().exec(select(ReferenceRequest.id)).one()


def _ask(app: Flask, staff: FlaskClient, request_id: int, contact_id: int) -> Any:
    page = f"/references/{request_id}"
    return _post(staff, page + "/ask", page, contact_id=str(contact_id))


def _client_link(app: Flask) -> str:
    with app.app_context():
        body = (
            db_session()
            .exec(
                select(OutboxMessage.text_body).where(OutboxMessage.template == "reference_request")
            )
            .one()
        )
    return "/c/reference/" + body.split("/c/reference/", 1)[1].split()[0]


def _calls(app: Flask) -> list[ReferenceCall]:
    with app.app_context():
        return list(db_session().exec(select(ReferenceCall).order_by(ReferenceCall.id)))


def test_a_request_with_errors_comes_back_as_typed(app: Flask) -> None:
    staff = signed_in_client(app, _user(app))
    response = _new_request(staff, deadline="31/12/2026", notes="Big <deal>", industry="Retail")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Prospect Ltd"' in html and 'value="Retail"' in html
    assert "Big &lt;deal&gt;" in html and "Enter a valid date." in html
    past = (utcnow() - timedelta(days=3)).date().isoformat()
    response = _new_request(staff, deadline=past)
    assert response.status_code == 422
    assert "The deadline is in the past." in response.get_data(as_text=True)
    with app.app_context():
        assert db_session().exec(select(ReferenceRequest)).all() == []


def test_the_request_page_ranks_candidates_and_explains_who_is_left_out(app: Flask) -> None:
    banker = _reference(app, "Banker", industry="Banking")
    _reference(app, "Plain")
    _reference(app, "Grumpy", camp="bad")
    staff = signed_in_client(app, _user(app))
    response = _new_request(staff)
    assert response.status_code == 302
    html = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert html.index("Banker (Banker SA)") < html.index("Plain (Plain SA)")
    assert "Same industry" in html
    left_out = html.split('id="excluded"', 1)[1]
    assert "Grumpy (Grumpy SA): Bad-camp account" in left_out
    assert "Banker" not in left_out
    assert _ask(app, staff, _request_id(app), banker).status_code == 302
    [call] = _calls(app)
    assert (call.contact_id, call.status) == (banker, "asked")


def test_asking_someone_at_the_cap_is_refused_even_by_a_crafted_post(app: Flask) -> None:
    busy = _reference(app, "Busy")
    user = _user(app)
    staff = signed_in_client(app, user)
    _new_request(staff)
    request_id = _request_id(app)
    with app.app_context():
        session = db_session()
        request = session.get(ReferenceRequest, request_id)
        contact = session.get(Contact, busy)
        for status in ("accepted", "held"):
            make_reference_call(session, request, contact, status=status, asked_at=utcnow())
    html = staff.get(f"/references/{request_id}").get_data(as_text=True)
    assert "Reached the cap of reference calls" in html
    response = _ask(app, staff, request_id, busy)
    assert response.status_code == 422
    assert "as many reference calls as the cap allows" in response.get_data(as_text=True)
    assert len(_calls(app)) == 2
    assert _ask(app, staff, request_id, 99999).status_code == 422
    assert (
        _post(staff, f"/references/{request_id}/ask", "/references", contact_id="x").status_code
        == 400
    )


@pytest.mark.parametrize(
    ("language", "button"), [("en", "Leave this field empty"), ("fr", "Laissez ce champ vide")]
)
def test_the_client_answers_in_their_language_and_a_decline_keeps_the_reason(
    app: Flask, client: FlaskClient, language: str, button: str
) -> None:
    contact = _reference(app, "Willing", language=language)
    staff = signed_in_client(app, _user(app))
    _new_request(staff)
    request_id = _request_id(app)
    _ask(app, staff, request_id, contact)
    link = _client_link(app)
    response = client.get(link)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html and button in html
    assert "Prospect Ltd" not in html  # the prospect stays confidential until the call is agreed
    response = _post(client, link, link, answer="decline", reason=HOSTILE, website="")
    assert response.status_code == 200
    [call] = _calls(app)
    assert (call.status, call.decline_reason) == ("declined", HOSTILE)
    assert client.get(link).status_code == 404
    page = staff.get(f"/references/{request_id}").get_data(as_text=True)
    assert HOSTILE not in page and "&lt;script&gt;" in page


def test_the_client_page_refuses_robots_and_unknown_links(app: Flask, client: FlaskClient) -> None:
    contact = _reference(app, "Willing")
    staff = signed_in_client(app, _user(app))
    _new_request(staff)
    _ask(app, staff, _request_id(app), contact)
    link = _client_link(app)
    response = _post(client, link, link, answer="accept", website="http://spam.example")
    assert response.status_code == 400
    assert _calls(app)[0].status == "asked"
    assert client.get("/c/reference/nope").status_code == 404
    assert _post(client, link, link, answer="maybe", website="").status_code == 400


def test_an_accepted_call_is_recorded_as_held_on_the_timeline(
    app: Flask, client: FlaskClient
) -> None:
    contact = _reference(app, "Willing")
    staff = signed_in_client(app, _user(app))
    _new_request(staff, prospect_name="Acme")
    request_id = _request_id(app)
    _ask(app, staff, request_id, contact)
    link = _client_link(app)
    assert _post(client, link, link, answer="accept", website="").status_code == 200
    [call] = _calls(app)
    page = f"/references/{request_id}"
    field = f"call{call.id}-"
    response = _post(
        staff, f"/reference-calls/{call.id}/held", page, **{field + "held_on": "not a date"}
    )
    assert response.status_code == 400
    today = utcnow().date().isoformat()
    response = _post(
        staff,
        f"/reference-calls/{call.id}/held",
        page,
        **{field + "held_on": today, field + "outcome": "Went well"},
    )
    assert response.status_code == 302
    [held] = _calls(app)
    assert (held.status, held.outcome, held.held_on.isoformat()) == ("held", "Went well", today)  # type: ignore[union-attr]
    with app.app_context():
        [touchpoint] = db_session().exec(select(Touchpoint)).all()
    assert touchpoint.contact_id == contact and "Acme" in touchpoint.summary


def test_marketing_is_kept_out_of_every_reference_page(app: Flask) -> None:
    contact = _reference(app, "Willing")
    staff = signed_in_client(app, _user(app))
    _new_request(staff)
    request_id = _request_id(app)
    _ask(app, staff, request_id, contact)
    [call] = _calls(app)
    marketer = signed_in_client(app, _user(app, role="marketing"))
    for path in ("/references", "/references/new", f"/references/{request_id}"):
        assert marketer.get(path).status_code == 403, path
    token = csrf_token(marketer, "/")
    for path in (
        "/references/new",
        f"/references/{request_id}/ask",
        f"/reference-calls/{call.id}/held",
    ):
        assert marketer.post(path, data={"csrf_token": token}).status_code == 403, path
    admin = signed_in_client(app, _user(app, role="admin"))
    assert admin.get(f"/references/{request_id}").status_code == 200
    assert admin.get("/references").status_code == 200
