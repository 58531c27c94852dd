"""OpenID Connect client (Authlib's Flask integration), configured from the discovery URL."""

from __future__ import annotations

from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError

from advocacy.settings import Settings

PROVIDER = "oidc"
# Every call to the provider (discovery, keys, token, userinfo) gives up after this long: a provider
# that accepts connections but never answers must not hold a web worker forever.
PROVIDER_TIMEOUT_SECONDS: float = 10
# Claims taken from the userinfo endpoint; identity claims (iss, sub, aud) only come from the
# validated ID token.
USERINFO_CLAIMS = ("email", "email_verified", "name")
# The only PKCE method worth sending: "plain" would put the verifier itself in the browser's URL.
PKCE_METHOD = "S256"


class ProviderError(Exception):
    """The identity provider could not be reached, or its answer did not validate."""


class ProviderUnreachable(ProviderError):
    """The identity provider did not answer (down, timing out, or failing with a server error)."""


# Authlib raises RuntimeError / TypeError / KeyError when the discovery document lacks an endpoint
# or is not a JSON object, and ValueError / JoseError when a token does not validate.
_INVALID_ANSWER = (AuthlibBaseError, JoseError, RuntimeError, TypeError, ValueError, KeyError)


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider when OIDC is configured; otherwise the sign-in button stays hidden."""
    oauth = OAuth(app)
    if settings.oidc_enabled:
        oauth.register(
            PROVIDER,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_discovery_url,
            # Authlib's requests session takes `default_timeout`; a plain `timeout` is ignored.
            # PKCE (S256) on every sign-in: providers that follow OAuth 2.1 refuse a request
            # without it, and an intercepted code is useless without the verifier, which Authlib
            # keeps with the state in this browser's session and sends only at the code exchange.
            client_kwargs={
                "scope": settings.oidc_scopes,
                "default_timeout": PROVIDER_TIMEOUT_SECONDS,
                "code_challenge_method": PKCE_METHOD,
            },
        )
    app.extensions["advocacy.oauth"] = oauth


def _client() -> Any:
    return current_app.extensions["advocacy.oauth"].create_client(PROVIDER)


def redirect_to_provider(redirect_uri: str) -> Any:
    """Send the browser to the provider; Authlib keeps state, nonce and PKCE verifier in the session."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except requests.RequestException as error:
        raise ProviderUnreachable(f"identity provider unavailable: {error}") from error
    except _INVALID_ANSWER as error:
        raise ProviderError(f"identity provider not usable: {error!r}") from error


def claims_from_callback() -> dict[str, Any]:
    """Exchange the code, validate the ID token (state, nonce, signature) and return its claims.

    Providers that keep the e-mail out of the ID token (the default of several) give it at the
    userinfo endpoint, which is asked only when the token lacks it.
    """
    client = _client()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise ProviderError("the identity provider returned no ID token")
        if not claims.get("email"):
            extra = dict(client.userinfo(token=token))
            if extra.get("sub") == claims["sub"]:
                claims.update({key: extra[key] for key in USERINFO_CLAIMS if key in extra})
    except requests.RequestException as error:
        raise ProviderUnreachable(f"identity provider unavailable: {error}") from error
    except _INVALID_ANSWER as error:
        raise ProviderError(str(error) or error.__class__.__name__) from error
    return claims
