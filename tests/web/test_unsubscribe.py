"""The unsubscribe link: one click (RFC 8058) stops client-facing mail at once, without sign-in or
cookies; opening the link shows the preference page in the contact's language."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.domain.mail import CLIENT_FACING, Category, suppressed_for
from advocacy.models import ClientLink, ConsentChange, Suppression
from advocacy.repository.mail import suppressed_categories
from tests.factories import csrf_from, make_account, make_contact, make_unsubscribe_link

EMAIL = "dana@client.example"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def link_for(app: Flask, *, language: str = "en", email: str = EMAIL) -> str:
    with app.app_context():
        session = db_session()
        account = make_account(session, name="Client SA")
        contact = make_contact(session, account, full_name="Dana", email=email, language=language)
        return make_unsubscribe_link(session, email, contact_id=contact.id)


def suppressions(app: Flask) -> dict[str, str]:
    with app.app_context():
        rows = db_session().exec(select(Suppression).where(Suppression.email == EMAIL))
        return {row.category: row.reason for row in rows}


def consent_log(app: Flask) -> list[ConsentChange]:
    with app.app_context():
        return list(db_session().exec(select(ConsentChange).order_by(ConsentChange.id)))


def test_one_click_post_without_cookies_or_csrf_unsubscribes_from_all_at_once(
    app: Flask, client: FlaskClient
) -> None:
    token = link_for(app)
    response = client.post(f"/c/unsubscribe/{token}", data=ONE_CLICK)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/html"
    assert "Set-Cookie" not in response.headers
    assert suppressions(app) == {"all": "unsubscribe"}
    with app.app_context():
        found = suppressed_categories(db_session(), EMAIL)
        assert all(suppressed_for(c, found) for c in CLIENT_FACING)
        assert not suppressed_for(Category.TRANSACTIONAL, found)
        link = db_session().exec(select(ClientLink)).one()
        assert link.used_at is not None
    [change] = consent_log(app)
    assert (change.email, change.category, change.action, change.via) == (
        EMAIL,
        "all",
        "unsubscribe",
        "one_click",
    )
    assert change.link_id == link.id
    assert change.contact_id is not None


def test_a_second_one_click_is_harmless_and_recorded(app: Flask, client: FlaskClient) -> None:
    token = link_for(app)
    for _ in range(2):
        assert client.post(f"/c/unsubscribe/{token}", data=ONE_CLICK).status_code == 200
    assert suppressions(app) == {"all": "unsubscribe"}
    assert len(consent_log(app)) == 2


def test_a_post_without_the_one_click_body_changes_nothing(app: Flask, client: FlaskClient) -> None:
    token = link_for(app)
    assert client.post(f"/c/unsubscribe/{token}", data={}).status_code == 400
    assert suppressions(app) == {}


def test_the_preference_page_speaks_the_contacts_language(app: Flask, client: FlaskClient) -> None:
    token = link_for(app, language="fr")
    response = client.get(f"/c/unsubscribe/{token}", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    # Strings the French catalogue already has; the page's new ones follow once translated.
    assert "Adresse e-mail" in html
    assert ">Enregistrer</button>" in html


def test_the_preference_page_shows_the_current_choices_and_the_firm(
    app: Flask, client: FlaskClient
) -> None:
    token = link_for(app)
    html = client.get(f"/c/unsubscribe/{token}").get_data(as_text=True)
    assert "Northwind Partners" in html or app.config["ADVOCACY"].firm_name in html
    assert EMAIL in html
    assert html.count('type="checkbox"') == 4
    assert html.count("checked") == 4
    assert 'href="/login"' not in html  # a client page: nothing of the staff app


def test_saving_preferences_records_each_change(app: Flask, client: FlaskClient) -> None:
    token = link_for(app)
    csrf = csrf_from(client.get(f"/c/unsubscribe/{token}").get_data(as_text=True))
    response = client.post(
        f"/c/unsubscribe/{token}/preferences",
        data={"csrf_token": csrf, "nurture": "y", "survey": "y", "action": "save"},
    )
    assert response.status_code == 200
    assert "Your choices are saved" in response.get_data(as_text=True)
    assert suppressions(app) == {"advocacy_ask": "unsubscribe", "reference_request": "unsubscribe"}
    assert sorted((c.category, c.action, c.via) for c in consent_log(app)) == [
        ("advocacy_ask", "unsubscribe", "preference_page"),
        ("reference_request", "unsubscribe", "preference_page"),
    ]
    # Ticking one again lifts it, and only that change is recorded.
    client.post(
        f"/c/unsubscribe/{token}/preferences",
        data={"csrf_token": csrf, "nurture": "y", "survey": "y", "advocacy_ask": "y"},
    )
    assert suppressions(app) == {"reference_request": "unsubscribe"}
    last = consent_log(app)[-1]
    assert (last.category, last.action) == ("advocacy_ask", "resubscribe")


def test_the_unsubscribe_all_button_on_the_preference_page(app: Flask, client: FlaskClient) -> None:
    token = link_for(app)
    csrf = csrf_from(client.get(f"/c/unsubscribe/{token}").get_data(as_text=True))
    response = client.post(
        f"/c/unsubscribe/{token}/preferences",
        data={"csrf_token": csrf, "nurture": "y", "action": "unsubscribe_all"},
    )
    assert response.status_code == 200
    assert suppressions(app) == {"all": "unsubscribe"}
    assert [(c.category, c.via) for c in consent_log(app)] == [("all", "preference_page")]


def test_the_preference_form_needs_its_csrf_token(app: Flask, client: FlaskClient) -> None:
    token = link_for(app)
    response = client.post(f"/c/unsubscribe/{token}/preferences", data={"action": "save"})
    assert response.status_code == 400
    assert "This page was open too long" in response.get_data(as_text=True)
    assert suppressions(app) == {}


def test_a_preference_form_whose_session_is_gone_gets_a_client_page_in_the_contacts_language(
    app: Flask, client: FlaskClient
) -> None:
    token = link_for(app, language="fr")
    csrf = csrf_from(client.get(f"/c/unsubscribe/{token}").get_data(as_text=True))
    # The page stayed open while the browser lost its session cookie: the token no longer matches.
    later = app.test_client()
    response = later.post(
        f"/c/unsubscribe/{token}/preferences",
        data={"csrf_token": csrf, "action": "unsubscribe_all"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert 'class="client-page"' in html
    assert f'href="/c/unsubscribe/{token}"' in html
    assert 'href="/login"' not in html and "came from another site" not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert suppressions(app) == {}
    assert consent_log(app) == []
    # The link back opens the page again, and a fresh token from it saves.
    fresh = csrf_from(later.get(f"/c/unsubscribe/{token}").get_data(as_text=True))
    saved = later.post(
        f"/c/unsubscribe/{token}/preferences", data={"csrf_token": fresh, "nurture": "y"}
    )
    assert saved.status_code == 200
    assert "nurture" not in suppressions(app) and "survey" in suppressions(app)


def test_a_stale_token_on_the_preference_form_gets_the_client_page_in_english(
    app: Flask, client: FlaskClient
) -> None:
    token = link_for(app, language="en")
    client.get(f"/c/unsubscribe/{token}")
    response = client.post(
        f"/c/unsubscribe/{token}/preferences",
        data={"csrf_token": "stale", "nurture": "y"},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "This page was open too long" in html
    assert f'href="/c/unsubscribe/{token}"' in html
    assert suppressions(app) == {} and consent_log(app) == []


def test_an_expired_form_on_an_unknown_link_still_gets_the_client_page(
    app: Flask, client: FlaskClient
) -> None:
    response = client.post("/c/unsubscribe/nope/preferences", data={"action": "save"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and 'class="client-page"' in html
    assert 'href="/c/unsubscribe/nope"' in html


def test_one_click_stays_exempt_from_csrf_even_with_a_session_cookie(
    app: Flask, client: FlaskClient
) -> None:
    token = link_for(app)
    client.get(f"/c/unsubscribe/{token}")  # a session cookie, but no form token in the body
    response = client.post(f"/c/unsubscribe/{token}", data=ONE_CLICK)
    assert response.status_code == 200
    assert suppressions(app) == {"all": "unsubscribe"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/c/unsubscribe/not-a-real-token"),
        ("POST", "/c/unsubscribe/not-a-real-token"),
        ("GET", "/c/unsubscribe/" + "x" * 5000),
    ],
)
def test_an_unknown_link_gets_a_friendly_page(
    app: Flask, client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method, data=ONE_CLICK if method == "POST" else None)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This link does not work any more" in html
    assert "Traceback" not in html


def test_an_expired_link_gets_the_friendly_page(app: Flask, client: FlaskClient) -> None:
    from datetime import timedelta

    from advocacy.services.access.client_links import create_link
    from tests.conftest import NOW

    with app.app_context():
        session = db_session()
        long_ago = NOW - timedelta(days=400)
        token = create_link(
            session, purpose="unsubscribe", email=EMAIL, now=long_ago, valid_for=timedelta(days=1)
        )
        session.commit()
    assert client.post(f"/c/unsubscribe/{token}", data=ONE_CLICK).status_code == 404
    assert suppressions(app) == {}


def test_the_unknown_link_page_follows_the_browser_language(
    app: Flask, client: FlaskClient
) -> None:
    response = client.get("/c/unsubscribe/nope", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in response.get_data(as_text=True)


def test_the_preference_page_is_rate_limited_per_address(app: Flask, client: FlaskClient) -> None:
    statuses = [client.get("/c/unsubscribe/guess").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def test_one_click_has_its_own_higher_limit(app_factory: Any) -> None:
    app = app_factory()
    client = app.test_client()
    for _ in range(31):
        client.get("/c/unsubscribe/guess")
    # The page limit is used up; the one-click unsubscribe still works.
    token = link_for(app)
    assert client.post(f"/c/unsubscribe/{token}", data=ONE_CLICK).status_code == 200
