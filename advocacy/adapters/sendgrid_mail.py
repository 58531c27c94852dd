"""Delivery through SendGrid's Mail Send API with the official `sendgrid` library.

One request per message, on purpose. Personalizations (up to 1,000 per request) only pay off when
recipients share one body; here every message has its own rendered body, its own unsubscribe URL
and its own List-Unsubscribe header, and exactly-once bookkeeping needs one provider outcome per
message: with a shared request, one invalid address turns the whole request into a 400 (so one bad
address would block or resend the others) and the answer carries a single X-Message-Id. Throughput
comes instead from a few threads (`mail_sender_threads`) sharing a pool of kept-alive HTTP
connections: enough to cover SendGrid's round trip, no more, because every thread past that only
competes for the one interpreter lock (on loopback, 8 threads send a third slower than 3).

The library defines the request: the payload equals `Mail(...).get()` (built directly by
`payload`, which the contract tests compare with the library's object), the URL, API version and
auth headers come from `SendGridAPIClient`, and non-2xx answers become python_http_client's
exception classes (`BadRequestsError`, `TooManyRequestsError`...). Only the transport differs:
python_http_client builds a fresh urllib opener (about 0.5 ms of CPU, more than all the rest of a
message) and a fresh TCP connection for every request, which caps a 2-core machine well below the
outbox's target. The same bytes go instead through a urllib3 connection pool, a maintained HTTP
client (parsing, chunked bodies, TLS) whose kept-alive connections the sender threads share. Its
exceptions tell "the connection failed before anything was sent" (safe to retry) apart from
"sent, then no answer or a garbled one" (the message becomes `unknown`).
"""

from __future__ import annotations

import http.client
import io
import json
import re
import ssl
import time
import urllib.error
import urllib.parse
from collections.abc import Mapping
from typing import Any

import urllib3
from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Asm,
    Category,
    Content,
    CustomArg,
    From,
    GroupId,
    Header,
    Mail,
    MimeType,
    To,
    ValidateApiKey,
)
from urllib3 import exceptions as transport_errors
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.util.ssl_match_hostname import CertificateError

from advocacy.domain.outbox import MESSAGE_ID_ARG, AnswerKind, OutgoingMail, ProviderAnswer
from advocacy.settings import Settings

DEFAULT_TIMEOUT_SECONDS = 10.0
# Servers drop idle keep-alive connections; a POST on a connection they closed cannot be told apart
# from a lost answer, so a connection idle this long is replaced before it is used again.
MAX_IDLE_SECONDS = 4.0
_ILLEGAL_IN_HEADER = re.compile(r"[\r\n\0]")
# Raised before a byte of the request could leave: no TCP connection (refused, DNS, connect
# timeout), a server certificate refused during the TLS handshake, or no connection to take.
_NOT_SENT = (
    transport_errors.ConnectTimeoutError,  # NewConnectionError and NameResolutionError too
    transport_errors.EmptyPoolError,
    transport_errors.ClosedPoolError,
)


class _ExpiresWhenIdle:
    """Makes urllib3 replace a pooled connection idle for MAX_IDLE_SECONDS, as it replaces a
    dropped one (`is_connected` is what its pool asks before reusing a connection)."""

    answered_at = 0.0

    @property
    def is_connected(self) -> bool:
        if time.monotonic() - self.answered_at > MAX_IDLE_SECONDS:
            return False
        return super().is_connected  # type: ignore[misc]

    def getresponse(self) -> Any:
        response = super().getresponse()  # type: ignore[misc]
        self.answered_at = time.monotonic()
        return response


class _Connection(_ExpiresWhenIdle, HTTPConnection):
    pass


class _TLSConnection(_ExpiresWhenIdle, HTTPSConnection):
    pass


class SendGridSender:
    """Sends outbox messages through SendGrid; safe to call from several threads at once."""

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        threads: int | None = None,
    ) -> None:
        self.settings = settings
        self.threads = threads or settings.mail_sender_threads
        api = SendGridAPIClient(settings.sendgrid_api_key, host=settings.sendgrid_host)
        # The library says where and how to post (URL with API version, auth and agent headers).
        self.url: str = api.client.mail.send._build_url(None)
        self.headers: dict[str, str] = {**api._default_headers, "Content-Type": "application/json"}
        parts = urllib.parse.urlsplit(self.url)
        self._path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.head = _wire_head(parts.netloc, self._path, self.headers)
        self._pool = urllib3.connection_from_url(
            settings.sendgrid_host,
            maxsize=self.threads,
            block=True,  # never more connections than sender threads
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,  # a resend is the outbox's decision, never the transport's
        )
        https = self._pool.scheme == "https"
        self._pool.ConnectionCls = _TLSConnection if https else _Connection
        self._from = From(settings.mail_from_email, settings.mail_from_name).get()
        self._key_check = ValidateApiKey()

    def build(self, mail: OutgoingMail) -> Mail:
        """The library's Mail object for one outbox message (the reference for `payload`)."""
        message = Mail(
            from_email=From(self.settings.mail_from_email, self.settings.mail_from_name),
            to_emails=To(mail.to_email, mail.to_name or None),
            subject=mail.subject,
        )
        # Text first, then HTML: the order RFC 2046 asks for in multipart/alternative.
        message.content = [
            Content(MimeType.text, mail.text_body),
            Content(MimeType.html, mail.html_body),
        ]
        message.custom_arg = CustomArg(MESSAGE_ID_ARG, str(mail.message_id))
        message.category = Category(mail.category)
        for name, value in mail.headers.items():
            message.header = Header(name, value)
        group = asm_group(self.settings, mail.category)
        if group:
            message.asm = Asm(GroupId(group))
        return message

    def payload(self, mail: OutgoingMail) -> dict[str, Any]:
        """The request body: equal to `build(mail).get()` (the contract tests prove it), cheaper.

        Building and flattening the library's helper objects took more CPU than the rest of a
        send; the parts that carry the library's own rules are still its own: the recipient is
        the library's `To` (it parses a bare address the library's way) and the bodies go through
        its API-key check, which raises as `Content` does.
        """
        body: dict[str, Any] = {
            "from": self._from,
            "subject": mail.subject,
            "personalizations": [{"to": [To(mail.to_email, mail.to_name or None).get()]}],
            "content": [
                {"type": MimeType.text, "value": mail.text_body},
                {"type": MimeType.html, "value": mail.html_body},
            ],
            "categories": [mail.category],
            "custom_args": {MESSAGE_ID_ARG: str(mail.message_id)},
        }
        self._key_check.validate_message_dict(body)
        if mail.headers:
            body["headers"] = dict(mail.headers)
        group = asm_group(self.settings, mail.category)
        if group:
            body["asm"] = {"group_id": group}
        return body

    def send(self, mail: OutgoingMail) -> ProviderAnswer:
        """Send one message and classify the answer (never raises for delivery problems)."""
        body = json.dumps(self.payload(mail)).encode()
        try:
            status, headers = self._post(body)
        except http_errors.HTTPError as error:
            return _from_http_error(answer_kind(int(error.status_code)), error)
        except transport_errors.HTTPError as error:
            detail = str(error) or type(error).__name__
            if _never_sent(error):
                return ProviderAnswer(AnswerKind.NOT_SENT, detail=detail[:300])
            # Timeout, reset or a garbled answer after the request may have been written (also on
            # a kept-alive connection the server closed meanwhile): it may have been accepted, so
            # the dispatcher waits for the provider's word before resending.
            return ProviderAnswer(AnswerKind.UNCERTAIN, detail=detail)
        return ProviderAnswer(
            AnswerKind.ACCEPTED,
            provider_message_id=headers.get("x-message-id", ""),
            status_code=status,
        )

    def _post(self, body: bytes) -> tuple[int, Mapping[str, str]]:
        """POST `body` and return (status, headers); non-2xx raise the library's HTTPError classes.

        urllib3 discards a connection whose exchange failed, so one left in doubt is never reused.
        """
        response = self._pool.urlopen(
            "POST",
            self._path,
            body=body,
            headers=self.headers,
            retries=False,
            redirect=False,
            preload_content=True,
            assert_same_host=False,
        )
        if response.status >= 300:
            # The library's classes are built from urllib's HTTPError, as python_http_client
            # builds them: same status, reason, header message and body.
            message = http.client.HTTPMessage()
            for name, value in response.headers.iteritems():
                message[name] = value
            error = urllib.error.HTTPError(
                self.url, response.status, response.reason or "", message, io.BytesIO(response.data)
            )
            raise http_errors.handle_error(error)
        return response.status, response.headers

    def close(self) -> None:
        self._pool.close()


def answer_kind(status: int) -> AnswerKind:
    """What a Mail Send status means for the message, as SendGrid documents its answers.

    202: "valid, and queued to be delivered". 4xx: "an error with the request": refused as it is
    (401/403 refuse the key or account, 429 asks to wait for X-RateLimit-Reset). 503: "the
    SendGrid v3 Web API is not available": nothing was taken, so it is retried like a refused
    connection. 500, and the 5xx SendGrid does not document for Mail Send (502, 504...): "an
    error occurred when SendGrid attempted to process it", which does not say whether the
    message was queued: the outcome stays unknown until an event says, or the wait passes.
    """
    if status == 429:
        return AnswerKind.RATE_LIMITED
    if status in (401, 403):
        return AnswerKind.ACCOUNT_REFUSED
    if status == 503:
        return AnswerKind.UNAVAILABLE
    if status >= 500:
        return AnswerKind.UNCERTAIN
    if 200 <= status < 300:
        return AnswerKind.ACCEPTED
    return AnswerKind.REJECTED


def asm_group(settings: Settings, category: str) -> int:
    """The unsubscribe group configured for a client-facing category (0 = none)."""
    return int(getattr(settings, f"sendgrid_asm_group_{category}", 0) or 0)


def _from_http_error(kind: AnswerKind, error: http_errors.HTTPError) -> ProviderAnswer:
    body = error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else error.body
    headers: Mapping[str, str] = dict(error.headers.items()) if error.headers else {}
    return ProviderAnswer(
        kind, status_code=int(error.status_code), detail=str(body)[:500], headers=headers
    )


def _never_sent(error: transport_errors.HTTPError) -> bool:
    """Whether urllib3 failed before the request could be written (retrying cannot duplicate)."""
    if isinstance(error, transport_errors.MaxRetryError) and error.reason is not None:
        return isinstance(error.reason, transport_errors.HTTPError) and _never_sent(error.reason)
    if isinstance(error, transport_errors.SSLError):
        # A refused certificate ends the handshake, before any request byte; other TLS errors may
        # come after the request went out.
        cause = error.args[0] if error.args else None
        return isinstance(cause, ssl.SSLCertVerificationError | CertificateError)
    return isinstance(error, _NOT_SENT)


def _wire_head(netloc: str, path: str, headers: Mapping[str, str]) -> bytes:
    """The request line and headers urllib3 writes, up to "Content-Length: " (which it puts first).

    The benchmark's raw-socket ceiling sends these very bytes. Checking the headers here refuses a
    header that would break the request at start-up rather than at every send.
    """
    lines = [f"POST {path or '/'} HTTP/1.1", f"Host: {netloc}", "Accept-Encoding: identity"]
    for name, value in headers.items():
        if _ILLEGAL_IN_HEADER.search(name) or _ILLEGAL_IN_HEADER.search(value) or ":" in name:
            raise ValueError(f"invalid HTTP header {name!r}")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
