"""The calendar feed over HTTP: created on its page, shown once, read without signing in and parsed
back with icalendar; a regenerated or revoked address answers a bare 404."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import CalendarFeed
from tests.factories import csrf_token, make_user, sign_in
from tests.factories_checkins import make_check_in

PAGE = "/preferences/calendar"
FEED_URL = re.compile(r'id="feed-url" type="text" readonly value="([^"]+)"')


def signed_in_owner(app: Flask, client: FlaskClient) -> Any:
    with app.app_context():
        ann = make_user(db_session(), email="ann@firm.example")
        make_check_in(
            db_session(), ann, due_on=utcnow().date() + timedelta(days=1), account_name="Acme"
        )
    sign_in(client, "ann@firm.example")
    return ann


def create(client: FlaskClient) -> str:
    """Post the page's form and return the address it shows once."""
    response = client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE)})
    assert response.status_code == 200
    match = FEED_URL.search(response.get_data(as_text=True))
    assert match, "no calendar address on the page after creating it"
    return match.group(1)


def fetch(app: Flask, url: str) -> Any:
    """Read the feed the way a calendar server does: a fresh client, no cookies."""
    path = url.removeprefix(app.config["ADVOCACY"].base_url)
    return app.test_client().get(path)


def test_a_created_feed_is_read_without_signing_in_and_parses_as_icalendar(
    app: Flask, client: FlaskClient
) -> None:
    signed_in_owner(app, client)
    assert "Create my calendar address" in client.get(PAGE).get_data(as_text=True)
    url = create(client)
    assert url.startswith(app.config["ADVOCACY"].base_url + "/calendar/")
    assert url.endswith(".ics")

    response = fetch(app, url)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Check-in: Acme"
    assert event.decoded("dtstart") == utcnow().date() + timedelta(days=1)
    assert str(event["uid"]).startswith("checkin-") and str(event["uid"]).endswith("@127.0.0.1")


def test_the_address_is_shown_only_right_after_creation(app: Flask, client: FlaskClient) -> None:
    signed_in_owner(app, client)
    url = create(client)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    page = client.get(PAGE).get_data(as_text=True)
    assert secret not in page
    assert "Get a new address" in page and "Turn the feed off" in page


def test_regenerating_kills_the_old_address_at_once(app: Flask, client: FlaskClient) -> None:
    signed_in_owner(app, client)
    old = create(client)
    new = create(client)
    assert old != new
    assert fetch(app, old).status_code == 404
    assert fetch(app, new).status_code == 200
    with app.app_context():
        assert len(db_session().exec(select(CalendarFeed)).all()) == 1


def test_a_revoked_address_answers_a_bare_404(app: Flask, client: FlaskClient) -> None:
    signed_in_owner(app, client)
    url = create(client)
    response = client.post(f"{PAGE}/revoke", data={"csrf_token": csrf_token(client, PAGE)})
    assert response.status_code == 302
    gone = fetch(app, url)
    assert gone.status_code == 404
    assert gone.mimetype == "text/plain" and gone.get_data(as_text=True) == "Not found\n"
    assert "Create my calendar address" in client.get(PAGE).get_data(as_text=True)


def test_an_unknown_address_answers_the_same_bare_404(app: Flask) -> None:
    client = app.test_client()
    for path in ("/calendar/nope.ics", "/calendar/" + "A" * 43 + ".ics"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_data(as_text=True) == "Not found\n"


def test_creating_or_revoking_without_the_form_token_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    signed_in_owner(app, client)
    url = create(client)
    assert client.post(PAGE, data={}).status_code == 400
    assert client.post(f"{PAGE}/revoke", data={}).status_code == 400
    assert fetch(app, url).status_code == 200


def test_marketing_has_no_calendar_feed_page(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), email="mo@firm.example", role="marketing")
    sign_in(client, "mo@firm.example")
    assert client.get(PAGE).status_code == 403
    assert "/preferences/calendar" not in client.get("/preferences").get_data(as_text=True)
