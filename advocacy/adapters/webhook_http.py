"""Signed webhook requests: Standard Webhooks signatures (`standardwebhooks`) over `requests`.

Each request is signed with the endpoint's secret over `webhook-id.webhook-timestamp.body`, as
the Standard Webhooks specification says, so a receiver verifies it with any of the spec's
libraries. Redirects are never followed (a redirect could point anywhere, past the URL rule),
and every request has a short timeout.

Each request connects only to the addresses the URL rule checked. Resolving the name again when
connecting would let a name that answered with a public address for the check answer with an
inside one a moment later (DNS rebinding); so new connections are opened to the checked
addresses themselves, while the Host header, TLS server name and certificate check keep the
name.
"""

from __future__ import annotations

import base64
import secrets
import socket
from collections.abc import Sequence
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

import requests
from requests.adapters import HTTPAdapter
from standardwebhooks.webhooks import Webhook
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection

from advocacy.domain.webhooks import Answer

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
USER_AGENT = "Advocacy-Webhooks/1"


def new_secret() -> str:
    """A fresh signing secret in the spec's format: "whsec_" + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, message_id: str, body: str, now: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for one body."""
    at = now.astimezone(UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def resolve_addresses(host: str) -> list[str]:
    """Every address `host` resolves to (none when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({str(info[4][0]) for info in infos})


# The addresses checked for the request being made; read by the connections below.
_checked_addresses: ContextVar[tuple[str, ...]] = ContextVar("checked_addresses", default=())


class _ToCheckedAddresses:
    """Opens a connection to one of the checked addresses, never to a fresh resolution."""

    host: str
    port: int
    timeout: float | None
    source_address: tuple[str, int] | None
    socket_options: connection._TYPE_SOCKET_OPTIONS | None

    def _new_conn(self) -> socket.socket:
        addresses = _checked_addresses.get()
        if not addresses:
            raise NewConnectionError(self, "no checked address to connect to")  # type: ignore[arg-type]
        last_error: OSError | None = None
        for address in addresses:
            try:
                return connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as error:
                last_error = error
        raise NewConnectionError(self, f"connection failed: {last_error}")  # type: ignore[arg-type]


class _PinnedHTTPConnection(_ToCheckedAddresses, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_ToCheckedAddresses, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedAdapter(HTTPAdapter):
    """requests' adapter whose pools open connections to the checked addresses only."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PinnedHTTPPool,
            "https": _PinnedHTTPSPool,
        }


class WebhookPoster:
    """Posts signed bodies; one kept-alive connection pool for a whole delivery run."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.session = requests.Session()
        # Proxies from the environment would bypass the address check done before each request.
        self.session.trust_env = False
        adapter = _PinnedAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def post(
        self, url: str, body: str, headers: dict[str, str], *, addresses: Sequence[str]
    ) -> Answer:
        """Post `body` to `url`, connecting only to `addresses` (those the URL rule checked)."""
        pinned = _checked_addresses.set(tuple(addresses))
        try:
            return self._post(url, body, headers)
        finally:
            _checked_addresses.reset(pinned)

    def _post(self, url: str, body: str, headers: dict[str, str]) -> Answer:
        try:
            response = self.session.post(
                url,
                data=body.encode(),
                headers={
                    **headers,
                    "content-type": "application/json",
                    "user-agent": USER_AGENT,
                },
                timeout=self.timeout_s,
                allow_redirects=False,
            )
        except requests.Timeout:
            return Answer(None, error=f"no answer within {self.timeout_s:g} s")
        except requests.ConnectionError as error:
            return Answer(None, error=f"connection failed: {type(error).__name__}")
        except requests.RequestException as error:
            return Answer(None, error=f"request failed: {type(error).__name__}")
        response.close()
        return Answer(response.status_code, retry_after=_retry_after(response.headers))

    def close(self) -> None:
        self.session.close()


def _retry_after(headers: requests.structures.CaseInsensitiveDict[str]) -> timedelta | None:
    value = headers.get("retry-after", "")
    try:
        return timedelta(seconds=max(0.0, float(value))) if value else None
    except (ValueError, OverflowError):
        return None
