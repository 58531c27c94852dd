"""A real OpenID Connect provider for tests: npm `oidc-provider` run by node from tests/oidc.

Fixtures in any test folder build on `running_provider(...)`; `sign_in_through_provider(...)` plays
the browser's part of the authorization code flow with `requests` (the provider's devInteractions
login and consent pages are plain HTML forms).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.conftest import free_port, need, port_open

OIDC_DIR = Path(__file__).parent / "oidc"
CLIENT_ID = "advocacy-tests"
# node starts in about a second, a few on a loaded machine; a start silent for longer has hung.
START_TIMEOUT_SECONDS = 45
START_ATTEMPTS = 3
NPM_TIMEOUT_SECONDS = 300
CALLBACK_PATH = "/auth/oidc/callback"


@dataclass
class OidcTestProvider:
    """A running provider: where it is, its one client, and the people it knows."""

    issuer: str
    client_id: str
    client_secret: str
    accounts_file: Path
    log_file: Path

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def set_accounts(self, accounts: Mapping[str, Mapping[str, Any]]) -> None:
        """Define who can sign in: login -> {sub, email, email_verified, name}. Read per request."""
        partial = self.accounts_file.with_suffix(".partial")
        partial.write_text(json.dumps(accounts))
        partial.replace(self.accounts_file)  # atomic: the provider never reads half a file

    def app_settings(self, **extra: Any) -> dict[str, Any]:
        """Settings that point the app at this provider."""
        return {
            "oidc_discovery_url": self.discovery_url,
            "oidc_client_id": self.client_id,
            "oidc_client_secret": self.client_secret,
            **extra,
        }

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-characters:]
        except OSError:
            return ""


def provider_packages_ready() -> bool:
    return (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").is_file()


def require_node() -> str:
    """The node executable, with the npm packages installed; skip (fail under CI=true) otherwise."""
    node = shutil.which("node")
    need(node is not None, "node is not installed (needed for the test OpenID Connect provider)")
    assert node is not None
    if provider_packages_ready():
        return node
    npm = shutil.which("npm")
    need(npm is not None, "npm is not installed and tests/oidc/node_modules is missing")
    assert npm is not None
    try:
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=OIDC_DIR,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )
        problem = result.stderr[-2000:] if result.returncode != 0 else ""
    except (OSError, subprocess.TimeoutExpired) as error:
        problem = str(error)
    need(
        not problem and provider_packages_ready(),
        f"`npm ci` in tests/oidc failed: {problem}",
    )
    return node


@contextmanager
def running_provider(
    redirect_uris: list[str], folder: Path, *, email_only_at_userinfo: bool = False
) -> Iterator[OidcTestProvider]:
    """Start `node provider.mjs` on a free port, wait until it listens, stop it afterwards.

    With `email_only_at_userinfo`, the ID token carries only `sub` (the specification's default,
    and several real providers'), so the app has to ask the userinfo endpoint for the e-mail.
    """
    node = require_node()
    # node sometimes hangs before listening on a loaded machine (seen in CI, not reproducible
    # alone): a hung start is killed and retried on a fresh port rather than failing every test.
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        while any(f":{port}/" in uri for uri in redirect_uris):  # the app's port is not bound yet
            port = free_port()
        provider = OidcTestProvider(
            issuer=f"http://127.0.0.1:{port}",
            client_id=CLIENT_ID,
            client_secret=secrets.token_urlsafe(24),
            accounts_file=folder / "accounts.json",
            log_file=folder / f"provider-{attempt}.log",
        )
        provider.set_accounts({})
        env = {
            **os.environ,
            "OIDC_PORT": str(port),
            "OIDC_CLIENT_ID": provider.client_id,
            "OIDC_CLIENT_SECRET": provider.client_secret,
            "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
            "OIDC_ACCOUNTS_FILE": str(provider.accounts_file),
            "OIDC_CONFORM_ID_TOKEN_CLAIMS": "true" if email_only_at_userinfo else "false",
        }
        with provider.log_file.open("w") as log:
            process = subprocess.Popen(
                [node, "provider.mjs"], cwd=OIDC_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            try:
                listening = _wait_until_listening(process, port, provider)
                if listening:
                    yield provider
                    return
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    pytest.fail(
        f"the test OIDC provider did not listen within {START_TIMEOUT_SECONDS} s, "
        f"{START_ATTEMPTS} times"
    )


def _wait_until_listening(
    process: subprocess.Popen[Any], port: int, provider: OidcTestProvider
) -> bool:
    """True once the provider listens; False if it is still silent after the timeout."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the test OIDC provider exited ({process.returncode}):\n{provider.log_tail()}"
            )
        if port_open("127.0.0.1", port):
            return True
        time.sleep(0.05)
    return False


# --- the browser's part of the flow -----------------------------------------------------------


@dataclass
class _Form:
    action: str = ""
    fields: dict[str, str] = field(default_factory=dict)


class _PageParser(HTMLParser):
    """The first form (action and named inputs) and every link of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.links: dict[str, str] = {}
        self._in_form = False
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(_Form(action=values.get("action", "")))
            self._in_form = True
        elif tag == "input" and self._in_form and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "a":
            self._href = values.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None and data.strip():
            self.links[data.strip()] = self._href


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def _follow_redirects(
    http: requests.Session, response: requests.Response, stop_at: str
) -> requests.Response | str:
    """Follow redirects by hand; return the URL instead of visiting it once it starts with stop_at."""
    while response.is_redirect:
        url = urljoin(response.url, response.headers["Location"])
        if url.startswith(stop_at):
            return url
        response = http.get(url, allow_redirects=False, timeout=10)
    return response


def authorize_at_provider(
    http: requests.Session,
    app_url: str,
    login: str,
    *,
    next_path: str | None = None,
    cancel: bool = False,
) -> str:
    """Start sign-in at the app, sign in (or cancel) and consent at the provider.

    Returns the callback URL (with code and state, or error) the provider sends the browser back
    to, without visiting it, so a test can replay or tamper with it.
    """
    params = {"next": next_path} if next_path is not None else None
    callback = app_url + CALLBACK_PATH
    response = http.get(
        app_url + "/auth/oidc/login", params=params, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]
    for _step in range(4):  # login, consent, and room for one more prompt
        page = _follow_redirects(http, response, callback)
        if isinstance(page, str):
            return page
        assert page.status_code == 200, f"{page.url}: {page.status_code} {page.text[:500]}"
        parsed = parse_page(page.text)
        if cancel:
            response = http.get(
                urljoin(page.url, parsed.links["[ Cancel ]"]), allow_redirects=False, timeout=10
            )
            continue
        assert parsed.forms, f"no form on {page.url}: {page.text[:500]}"
        form = parsed.forms[0]
        data = dict(form.fields)
        if "login" in data:
            data.update(login=login, password="any password works")
        response = http.post(
            urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=10
        )
    raise AssertionError("the provider did not send the browser back to the app")


def sign_in_through_provider(
    http: requests.Session, app_url: str, login: str, *, next_path: str | None = None
) -> requests.Response:
    """The whole sign-in: returns the app's final page after the callback and its redirects."""
    callback_url = authorize_at_provider(http, app_url, login, next_path=next_path)
    return http.get(callback_url, timeout=10)
