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


class ProviderError(Exception):
    """The identity provider could not be reached, or its answer did not validate."""


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider when OIDC is configured; otherwise the sign-in button stays hidden."""
    oauth = OAuth(app)
    if settings.oidc_enabled:
        oauth.register(
            PROVIDER,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_discovery_url,
            client_kwargs={"scope": settings.oidc_scopes, "timeout": 10},
        )
    app.extensions["advocacy.oauth"] = oauth


def _client() -> Any:
    return current_app.extensions["advocacy.oauth"].create_client(PROVIDER)


def redirect_to_provider(redirect_uri: str) -> Any:
    """Send the browser to the provider; Authlib keeps state and nonce in the session."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except (requests.RequestException, AuthlibBaseError, ValueError) as error:
        raise ProviderError(f"identity provider unavailable: {error}") from error


def claims_from_callback() -> dict[str, Any]:
    """Exchange the code, validate the ID token (state, nonce, signature) and return its claims.

    Providers that keep the e-mail out of the ID token (the default of several) give it at the
    userinfo endpoint, which is asked only when the token lacks it.
    """
    client = _client()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("email"):
            extra = dict(client.userinfo(token=token))
            if extra.get("sub") == claims.get("sub"):
                claims.update({key: value for key, value in extra.items() if key != "sub"})
    except (requests.RequestException, AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        raise ProviderError(str(error) or error.__class__.__name__) from error
    return claims
