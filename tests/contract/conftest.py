"""Fixtures for contract tests: real libraries against local stand-ins of remote services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer, free_port
from tests.oidc_provider import CALLBACK_PATH, OidcTestProvider, running_provider


@pytest.fixture(scope="module")
def oidc_app_port() -> int:
    """The app's port, chosen before the provider starts: the client's redirect URI names it."""
    return free_port()


@pytest.fixture(scope="module")
def oidc_provider(
    oidc_app_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OidcTestProvider]:
    """The test OpenID Connect provider, started once per module (it takes about a second)."""
    redirect_uri = f"http://127.0.0.1:{oidc_app_port}{CALLBACK_PATH}"
    with running_provider([redirect_uri], tmp_path_factory.mktemp("oidc")) as provider:
        yield provider


@pytest.fixture
def oidc(oidc_provider: OidcTestProvider) -> Iterator[OidcTestProvider]:
    """The provider with nobody in it: each test defines its own people."""
    oidc_provider.set_accounts({})
    yield oidc_provider
    oidc_provider.set_accounts({})


@pytest.fixture
def oidc_app(
    oidc: OidcTestProvider, oidc_app_port: int, live_server_factory: Any
) -> Callable[..., LiveServer]:
    """Start the app on the port the provider expects, signing in through the provider."""

    def start(**extra: Any) -> LiveServer:
        return live_server_factory(port=oidc_app_port, **oidc.app_settings(**extra))

    return start
