"""Signed webhook requests: Standard Webhooks signatures (`standardwebhooks`) over `requests`.

Each request is signed with the endpoint's secret over `webhook-id.webhook-timestamp.body`, as
the Standard Webhooks specification says, so a receiver verifies it with any of the spec's
libraries. Redirects are never followed (a redirect could point anywhere, past the URL rule),
and every request has a short timeout.
"""

from __future__ import annotations

import base64
import secrets
import socket
from datetime import UTC, datetime, timedelta

import requests
from standardwebhooks.webhooks import Webhook

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


class WebhookPoster:
    """Posts signed bodies; one kept-alive connection pool for a whole delivery run."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.session = requests.Session()
        # Proxies from the environment would bypass the address check done before each request.
        self.session.trust_env = False

    def post(self, url: str, body: str, headers: dict[str, str]) -> Answer:
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
