"""Delivery through SendGrid's Mail Send API with the official `sendgrid` library.

One request per message, on purpose. Personalizations (up to 1,000 per request) only pay off when
recipients share one body; here every message has its own rendered body, its own unsubscribe URL
and its own List-Unsubscribe header, and exactly-once bookkeeping needs one provider outcome per
message: with a shared request, one invalid address turns the whole request into a 400 (so one bad
address would block or resend the others) and the answer carries a single X-Message-Id. Throughput
comes instead from several threads, each on a kept-alive HTTP connection.

The library builds the request: the payload is `Mail(...).get()`, the URL, API version and auth
headers come from `SendGridAPIClient`, and non-2xx answers become python_http_client's exception
classes (`BadRequestsError`, `TooManyRequestsError`...). Only the transport is ours:
python_http_client builds a fresh urllib opener (about 0.5 ms of CPU, more than all the rest of a
message) and a fresh TCP connection for every request, which caps a 2-core machine well below the
outbox's target. `_Connections` posts the same bytes over one kept-alive `http.client` connection
per thread, and tells "the connection failed before anything was sent" (safe to retry) apart from
"sent, then no answer" (the message becomes `unknown`).
"""

from __future__ import annotations

import http.client
import io
import json
import threading
import time
import urllib.error
import urllib.parse
from collections.abc import Mapping

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
)

from advocacy.domain.outbox import AnswerKind, OutgoingMail, ProviderAnswer
from advocacy.settings import Settings

MESSAGE_ID_ARG = "outbox_id"  # the only custom arg: our row id, never personal data
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_THREADS = 8
# Servers drop idle keep-alive connections; a POST on a connection they closed cannot be told apart
# from a lost answer, so a connection idle this long is replaced before it is used again.
MAX_IDLE_SECONDS = 4.0


class NotSent(ConnectionError):
    """The connection failed before the request was written: retrying cannot duplicate."""


class _Connections:
    """One kept-alive connection per thread; all closed together."""

    def __init__(self, host: str, timeout: float) -> None:
        parsed = urllib.parse.urlsplit(host)
        self._https = parsed.scheme == "https"
        self._netloc = parsed.netloc
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _get(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        idle = time.monotonic() - getattr(self._local, "used_at", 0.0)
        if connection is not None and idle > MAX_IDLE_SECONDS:
            self._drop()
            connection = None
        if connection is None:
            factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = factory(self._netloc, timeout=self._timeout)
            with self._lock:
                self._all.append(connection)
            self._local.connection = connection
        if connection.sock is None:
            try:
                connection.connect()
            except OSError as error:
                self._drop()
                raise NotSent(str(error) or type(error).__name__) from error
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def post(
        self, url: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, Mapping[str, str]]:
        """POST and return (status, headers); non-2xx raise the library's HTTPError classes."""
        connection = self._get()
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            response = connection.getresponse()
            answer = response.read()
        except BaseException:
            self._drop()  # a half-used connection is never reused
            raise
        self._local.used_at = time.monotonic()
        if response.will_close:
            self._drop()
        if response.status >= 300:
            error = urllib.error.HTTPError(
                url, response.status, response.reason, response.headers, io.BytesIO(answer)
            )
            raise http_errors.handle_error(error)
        return response.status, response.headers

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()


class SendGridSender:
    """Sends outbox messages through SendGrid; safe to call from several threads at once."""

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        threads: int = DEFAULT_THREADS,
    ) -> None:
        self.settings = settings
        self.threads = threads
        api = SendGridAPIClient(settings.sendgrid_api_key, host=settings.sendgrid_host)
        # The library says where and how to post (URL with API version, auth and agent headers).
        self._url = api.client.mail.send._build_url(None)
        self._path = urllib.parse.urlsplit(self._url).path
        self._headers = {**api._default_headers, "Content-Type": "application/json"}
        self._connections = _Connections(settings.sendgrid_host, timeout)

    def build(self, mail: OutgoingMail) -> Mail:
        """The library's Mail object for one outbox message."""
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

    def send(self, mail: OutgoingMail) -> ProviderAnswer:
        """Send one message and classify the answer (never raises for delivery problems)."""
        body = json.dumps(self.build(mail).get()).encode()
        try:
            status, headers = self._connections.post(self._url, self._path, body, self._headers)
        except http_errors.TooManyRequestsError as error:
            return _from_http_error(AnswerKind.RATE_LIMITED, error)
        except (http_errors.UnauthorizedError, http_errors.ForbiddenError) as error:
            return _from_http_error(AnswerKind.ACCOUNT_REFUSED, error)
        except http_errors.HTTPError as error:
            code = int(error.status_code)
            kind = AnswerKind.UNCERTAIN if code >= 500 else AnswerKind.REJECTED
            return _from_http_error(kind, error)
        except NotSent as error:
            return ProviderAnswer(AnswerKind.NOT_SENT, detail=str(error)[:300])
        except (OSError, http.client.HTTPException) as error:
            # Timeout, reset or a garbled answer after the request was written: it may have
            # been accepted, so the dispatcher waits for the provider's word before resending.
            return ProviderAnswer(AnswerKind.UNCERTAIN, detail=(str(error) or type(error).__name__))
        return ProviderAnswer(
            AnswerKind.ACCEPTED,
            provider_message_id=headers.get("X-Message-Id", ""),
            status_code=status,
        )

    def close(self) -> None:
        self._connections.close()


def asm_group(settings: Settings, category: str) -> int:
    """The unsubscribe group configured for a client-facing category (0 = none)."""
    return int(getattr(settings, f"sendgrid_asm_group_{category}", 0) or 0)


def _from_http_error(kind: AnswerKind, error: http_errors.HTTPError) -> ProviderAnswer:
    body = error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else error.body
    headers: Mapping[str, str] = dict(error.headers.items()) if error.headers else {}
    return ProviderAnswer(
        kind, status_code=int(error.status_code), detail=str(body)[:500], headers=headers
    )
