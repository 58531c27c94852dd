"""OpenID Connect sign-in against a real provider (npm oidc-provider), driven like a browser.

The app runs on a live server; `requests` follows the redirects to the provider, posts its login and
consent forms and comes back to /auth/oidc/callback, so Authlib's state, nonce, code exchange and
ID token validation all run for real.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlmodel import SQLModel, select

from advocacy.adapters import oidc as oidc_adapter
from advocacy.db import db_session
from advocacy.models import OidcIdentity, User
from tests.conftest import LiveServer, free_port
from tests.factories import make_user
from tests.oidc_provider import (
    CALLBACK_PATH,
    OidcTestProvider,
    authorize_at_provider,
    running_provider,
    sign_in_through_provider,
)

pytestmark = pytest.mark.oidc

ANA = {"sub": "sub-ana", "email": "ana@firm.example", "email_verified": True, "name": "Ana Lima"}
START_APP = Callable[..., LiveServer]


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A fresh browser: its own cookies for the app and for the provider."""
    with requests.Session() as session:
        yield session


def invite(server: LiveServer, **fields: Any) -> User:
    """An invited user (no password), the way an administrator creates one."""
    with server.app.app_context():
        return make_user(db_session(), password=None, **fields)


def rows(server: LiveServer, model: type[SQLModel]) -> list[Any]:
    with server.app.app_context():
        return list(db_session().exec(select(model)))


def signed_in_as(http: requests.Session, server: LiveServer) -> str | None:
    """The e-mail of the user the home page shows, or None when the app sends us to sign in."""
    home = http.get(server.url + "/", allow_redirects=False, timeout=10)
    if home.status_code != 200:
        assert home.status_code == 302
        assert "/login" in home.headers["Location"]
        return None
    shown = [user.email for user in rows(server, User) if user.email in home.text]
    assert len(shown) == 1, f"the home page should name one user, names {shown}"
    return shown[0]


def with_query(url: str, **changes: str | None) -> str:
    """`url` with query parameters replaced (a value) or removed (None)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_an_invited_user_is_linked_by_verified_email_at_first_sign_in(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    ana = invite(server, email="ana@firm.example", role="account_manager")
    oidc.set_accounts({"ana": ANA})

    page = sign_in_through_provider(http, server.url, "ana")

    assert page.status_code == 200
    assert page.url == server.url + "/"
    assert "Ana Lima" in page.text
    assert signed_in_as(http, server) == "ana@firm.example"
    [identity] = rows(server, OidcIdentity)
    assert (identity.user_id, identity.issuer, identity.subject) == (
        ana.id,
        oidc.issuer,
        "sub-ana",
    )
    [user] = rows(server, User)
    assert user.last_sign_in_at is not None
    assert user.name == "Ana Lima"


def test_a_second_sign_in_is_matched_on_issuer_and_subject_even_after_the_email_changes(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": ANA})
    sign_in_through_provider(http, server.url, "ana")

    oidc.set_accounts({"ana": {**ANA, "email": "ana.lima@elsewhere.example"}})
    with requests.Session() as other_browser:
        page = sign_in_through_provider(other_browser, server.url, "ana")
        assert page.status_code == 200
        assert signed_in_as(other_browser, server) == "ana@firm.example"

    assert [user.email for user in rows(server, User)] == ["ana@firm.example"]
    assert len(rows(server, OidcIdentity)) == 1


def test_the_email_is_read_from_userinfo_when_the_id_token_leaves_it_out(
    oidc_app_port: int,
    live_server_factory: Any,
    tmp_path_factory: pytest.TempPathFactory,
    http: requests.Session,
) -> None:
    redirect_uri = f"http://127.0.0.1:{oidc_app_port}{CALLBACK_PATH}"
    folder = tmp_path_factory.mktemp("oidc-userinfo")
    with running_provider([redirect_uri], folder, email_only_at_userinfo=True) as provider:
        server = live_server_factory(port=oidc_app_port, **provider.app_settings())
        ana = invite(server, email="ana@firm.example")
        provider.set_accounts({"ana": ANA})

        page = sign_in_through_provider(http, server.url, "ana")

    assert page.status_code == 200
    assert signed_in_as(http, server) == "ana@firm.example"
    [identity] = rows(server, OidcIdentity)
    assert (identity.user_id, identity.subject) == (ana.id, "sub-ana")


def test_sign_in_sends_pkce_s256_which_the_provider_requires(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": ANA})
    start = http.get(server.url + "/auth/oidc/login", allow_redirects=False, timeout=10)
    authorization_url = start.headers["Location"]
    query = dict(parse_qsl(urlsplit(authorization_url).query))
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256 digest

    # The same request without PKCE: the provider refuses it and nobody is signed in.
    without_pkce = with_query(authorization_url, code_challenge=None, code_challenge_method=None)
    refusal = http.get(without_pkce, allow_redirects=False, timeout=10)
    callback_url = refusal.headers["Location"]
    assert callback_url.startswith(server.url + CALLBACK_PATH)
    answer = dict(parse_qsl(urlsplit(callback_url).query))
    assert answer["error"] == "invalid_request"
    assert "PKCE" in answer["error_description"]
    page = http.get(callback_url, timeout=10)
    assert page.status_code == 403
    assert "The identity provider did not sign you in" in page.text
    assert signed_in_as(http, server) is None

    # With PKCE, as the app sends it, the same person signs in.
    assert sign_in_through_provider(http, server.url, "ana").status_code == 200
    assert signed_in_as(http, server) == "ana@firm.example"


def test_an_intercepted_code_cannot_be_exchanged_without_the_browser_s_pkce_verifier(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    # Even someone holding the client secret: the verifier stayed in the browser's session.
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": ANA})
    callback_url = authorize_at_provider(http, server.url, "ana")
    code = dict(parse_qsl(urlsplit(callback_url).query))["code"]
    token_endpoint = requests.get(oidc.discovery_url, timeout=10).json()["token_endpoint"]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": server.url + CALLBACK_PATH,
    }

    for verifier in (None, "a" * 64):
        extra = {"code_verifier": verifier} if verifier else {}
        answer = requests.post(
            token_endpoint,
            data={**exchange, **extra},
            auth=(oidc.client_id, oidc.client_secret),
            timeout=10,
        )
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"
    assert rows(server, OidcIdentity) == []


def test_an_unknown_person_is_refused_with_a_clear_page_and_no_account_is_created(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    oidc.set_accounts(
        {"bob": {"sub": "sub-bob", "email": "bob@firm.example", "email_verified": True}}
    )

    page = sign_in_through_provider(http, server.url, "bob")

    assert page.status_code == 403
    assert "You have no account here" in page.text
    assert rows(server, User) == []
    assert rows(server, OidcIdentity) == []
    assert signed_in_as(http, server) is None


def test_an_unverified_email_is_refused_even_when_it_matches_an_invitation(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": {**ANA, "email_verified": False}})

    page = sign_in_through_provider(http, server.url, "ana")

    assert page.status_code == 403
    assert "has not verified your e-mail address" in page.text
    assert rows(server, OidcIdentity) == []
    assert signed_in_as(http, server) is None


def test_a_deactivated_user_is_refused(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example", active=False)
    oidc.set_accounts({"ana": ANA})

    page = sign_in_through_provider(http, server.url, "ana")

    assert page.status_code == 403
    assert "This account is deactivated" in page.text
    assert rows(server, OidcIdentity) == []
    assert signed_in_as(http, server) is None


def test_auto_provisioning_creates_a_user_with_the_configured_role_for_a_configured_domain(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app(
        oidc_auto_provision_domains=["firm.example"], oidc_auto_provision_role="marketing"
    )
    oidc.set_accounts(
        {
            "zoe": {"sub": "sub-zoe", "email": "Zoe@Firm.example", "email_verified": True},
            "eve": {"sub": "sub-eve", "email": "eve@other.example", "email_verified": True},
        }
    )

    page = sign_in_through_provider(http, server.url, "zoe")

    assert page.status_code == 200
    assert signed_in_as(http, server) == "zoe@firm.example"
    [user] = rows(server, User)
    assert (user.email, user.role, user.active) == ("zoe@firm.example", "marketing", True)
    [identity] = rows(server, OidcIdentity)
    assert (identity.user_id, identity.subject) == (user.id, "sub-zoe")

    with requests.Session() as other_browser:
        refused = sign_in_through_provider(other_browser, server.url, "eve")
    assert refused.status_code == 403
    assert [user.email for user in rows(server, User)] == ["zoe@firm.example"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"state": "tampered-state"}, id="tampered-state"),
        pytest.param({"state": None}, id="missing-state"),
        pytest.param({"code": None}, id="missing-code"),
        pytest.param({"code": "forged-code"}, id="forged-code"),
    ],
)
def test_a_tampered_or_missing_state_or_code_on_the_callback_gives_a_clear_400_page(
    oidc: OidcTestProvider,
    oidc_app: START_APP,
    http: requests.Session,
    change: dict[str, str | None],
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": ANA})
    callback_url = authorize_at_provider(http, server.url, "ana")

    page = http.get(with_query(callback_url, **change), timeout=10)

    assert page.status_code == 400
    assert "Sign-in could not be completed" in page.text
    assert signed_in_as(http, server) is None
    assert rows(server, OidcIdentity) == []


def test_a_callback_url_replayed_in_another_browser_is_refused(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": ANA})
    callback_url = authorize_at_provider(http, server.url, "ana")

    with requests.Session() as attacker:
        page = attacker.get(callback_url, timeout=10)
        assert page.status_code == 400
        assert signed_in_as(attacker, server) is None
    assert rows(server, OidcIdentity) == []


def test_access_denied_at_the_provider_gives_a_clear_page(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": ANA})
    callback_url = authorize_at_provider(http, server.url, "ana", cancel=True)
    assert dict(parse_qsl(urlsplit(callback_url).query))["error"] == "access_denied"

    page = http.get(callback_url, timeout=10)

    assert page.status_code == 403
    assert "Sign-in was cancelled or refused at the identity provider" in page.text
    assert signed_in_as(http, server) is None


def test_the_error_description_of_a_callback_is_not_shown_to_the_person(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    # Anyone can craft a link to the callback: free text from it must not appear on our page.
    server = oidc_app()
    query = urlencode({"error": "access_denied", "error_description": "Call +1 555 0100 to unlock"})
    page = http.get(f"{server.url}{CALLBACK_PATH}?{query}", timeout=10)
    assert page.status_code == 403
    assert "555" not in page.text


def test_an_unreachable_provider_when_starting_sign_in_gives_a_clear_502_page(
    live_server_factory: Any, http: requests.Session
) -> None:
    nobody = free_port()
    server = live_server_factory(
        oidc_discovery_url=f"http://127.0.0.1:{nobody}/.well-known/openid-configuration",
        oidc_client_id="advocacy",
        oidc_client_secret="secret",
    )

    page = http.get(server.url + "/auth/oidc/login", timeout=10)

    assert page.status_code == 502
    assert "The identity provider cannot be reached right now" in page.text


def test_a_provider_that_does_not_answer_gives_a_clear_502_page_after_the_timeout(
    live_server_factory: Any, http: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oidc_adapter, "PROVIDER_TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        server = live_server_factory(
            oidc_discovery_url=f"http://127.0.0.1:{port}/.well-known/openid-configuration",
            oidc_client_id="advocacy",
            oidc_client_secret="secret",
        )

        page = http.get(server.url + "/auth/oidc/login", timeout=10)

    assert page.status_code == 502
    assert "The identity provider cannot be reached right now" in page.text


def test_a_provider_that_goes_down_before_the_callback_gives_a_clear_502_page(
    oidc_app_port: int,
    live_server_factory: Any,
    tmp_path_factory: pytest.TempPathFactory,
    http: requests.Session,
) -> None:
    redirect_uri = f"http://127.0.0.1:{oidc_app_port}{CALLBACK_PATH}"
    with running_provider([redirect_uri], tmp_path_factory.mktemp("oidc-down")) as provider:
        server = live_server_factory(port=oidc_app_port, **provider.app_settings())
        invite(server, email="ana@firm.example")
        provider.set_accounts({"ana": ANA})
        callback_url = authorize_at_provider(http, server.url, "ana")

    page = http.get(callback_url, timeout=10)

    assert page.status_code == 502
    assert "The identity provider cannot be reached right now" in page.text
    assert signed_in_as(http, server) is None


@pytest.mark.parametrize(
    ("next_path", "lands_on"),
    [
        ("/preferences?tab=1", "/preferences?tab=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_next_is_carried_through_oidc_only_when_same_site(
    oidc: OidcTestProvider,
    oidc_app: START_APP,
    http: requests.Session,
    next_path: str,
    lands_on: str,
) -> None:
    server = oidc_app()
    invite(server, email="ana@firm.example")
    oidc.set_accounts({"ana": ANA})
    callback_url = authorize_at_provider(http, server.url, "ana", next_path=next_path)

    response = http.get(callback_url, allow_redirects=False, timeout=10)

    assert response.status_code == 302
    assert response.headers["Location"] == lands_on
    assert signed_in_as(http, server) == "ana@firm.example"


def test_the_sign_in_page_offers_the_provider_when_oidc_is_configured(
    oidc: OidcTestProvider, oidc_app: START_APP, http: requests.Session
) -> None:
    server = oidc_app(oidc_provider_name="Firm SSO")
    page = http.get(server.url + "/login?next=/preferences", timeout=10)
    assert "Sign in with Firm SSO" in page.text
    assert "/auth/oidc/login?next=/preferences" in page.text
