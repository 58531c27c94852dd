"""Which language pages are shown in: the user's preference, else the browser's, else the setting."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advocacy.db import db_session
from tests.factories import csrf_token, make_user, page_html, sign_in

FRENCH_BROWSER = "fr-FR,fr;q=0.9"
ENGLISH_BROWSER = "en-GB,en;q=0.9"
GERMAN_BROWSER = "de-DE,de;q=0.9"


def _browser(client: FlaskClient, accept_language: str | None) -> FlaskClient:
    """Make every request of `client` send this Accept-Language header (None: no header)."""
    if accept_language is None:
        client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    else:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return client


def _is_french(html: str) -> bool:
    return '<html lang="fr">' in html


def _is_english(html: str) -> bool:
    return '<html lang="en">' in html


def test_an_anonymous_visitor_with_a_french_browser_gets_the_french_sign_in_page(
    client: FlaskClient,
) -> None:
    html = page_html(_browser(client, FRENCH_BROWSER), "/login")
    assert _is_french(html)
    assert "Se connecter" in html
    assert "Adresse e-mail" in html and "Mot de passe" in html  # lazily translated form labels
    assert "Sign in" not in html and "Password" not in html


def test_an_anonymous_visitor_with_an_english_browser_gets_english(client: FlaskClient) -> None:
    html = page_html(_browser(client, ENGLISH_BROWSER), "/login")
    assert _is_english(html)
    assert "Sign in" in html and "Password" in html
    assert "Se connecter" not in html


def test_the_browser_language_is_matched_by_preference_order(client: FlaskClient) -> None:
    html = page_html(_browser(client, "de-DE,de;q=0.9,fr;q=0.8,en;q=0.5"), "/login")
    assert _is_french(html)


def test_a_refusal_from_the_service_layer_is_shown_in_the_page_language(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    response = sign_in(_browser(client, FRENCH_BROWSER), "ana@firm.example", "wrong password!!")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("preference", "browser", "expected"),
    [("fr", ENGLISH_BROWSER, "fr"), ("en", FRENCH_BROWSER, "en")],
)
def test_a_signed_in_users_language_preference_wins_over_the_browser(
    app: Flask, client: FlaskClient, preference: str, browser: str, expected: str
) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example", language=preference)
    _browser(client, browser)
    assert sign_in(client, "ana@firm.example").status_code == 302
    html = page_html(client, "/")
    assert f'<html lang="{expected}">' in html
    assert ("Accueil" in html) == (expected == "fr")


def test_a_signed_in_user_without_a_preference_follows_the_browser(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example", language=None)
    _browser(client, FRENCH_BROWSER)
    sign_in(client, "ana@firm.example")
    assert _is_french(page_html(client, "/"))


@pytest.mark.parametrize("browser", [GERMAN_BROWSER, None], ids=["german", "no-header"])
def test_the_default_language_setting_applies_when_the_browser_asks_for_neither_language(
    app_factory: Any, browser: str | None
) -> None:
    french_by_default = _browser(app_factory(default_language="fr").test_client(), browser)
    english_by_default = _browser(app_factory(default_language="en").test_client(), browser)
    assert _is_french(page_html(french_by_default, "/login"))
    assert _is_english(page_html(english_by_default, "/login"))


def test_the_browser_language_wins_over_the_default_language_setting(app_factory: Any) -> None:
    client = _browser(app_factory(default_language="fr").test_client(), ENGLISH_BROWSER)
    assert _is_english(page_html(client, "/login"))


def _save_preferences(client: FlaskClient, language: str) -> Any:
    token = csrf_token(client, "/preferences")
    return client.post(
        "/preferences",
        data={"csrf_token": token, "name": "Ana", "language": language, "timezone": ""},
        follow_redirects=True,
    )


def test_choosing_a_language_in_preferences_switches_the_pages_at_once(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), email="ana@firm.example")
    _browser(client, ENGLISH_BROWSER)
    sign_in(client, "ana@firm.example")
    assert _is_english(page_html(client, "/preferences"))

    saved = _save_preferences(client, "fr")
    assert saved.status_code == 200
    saved_html = saved.get_data(as_text=True)
    assert _is_french(saved_html)
    assert "Préférences enregistrées." in saved_html
    assert "Accueil" in page_html(client, "/")

    # "Same as my browser" clears the preference: the English browser decides again.
    back = _save_preferences(client, "")
    assert _is_english(back.get_data(as_text=True))
    assert "Preferences saved." in back.get_data(as_text=True)


def test_history_reasons_written_by_the_system_are_shown_translated_and_typed_ones_escaped(
    app_factory,
) -> None:
    from advocacy.db import db_session
    from advocacy.domain.journey import Stage
    from advocacy.services.journey.accounts import move_account_to_stage
    from tests.conftest import NOW
    from tests.factories import make_account, make_user, sign_in

    app = app_factory()
    with app.app_context():
        session = db_session()
        owner = make_user(session, email="owner@firm.example", language="fr")
        account = make_account(session, owner=owner)
        move_account_to_stage(
            session, account.id, Stage.ACTIVE, reason="<b>signed</b>", by=owner, now=NOW
        )
    client = app.test_client()
    sign_in(client, "owner@firm.example")
    body = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "compte créé" in body
    assert "&lt;b&gt;signed&lt;/b&gt;" in body and "<b>signed</b>" not in body
