"""Delivery through SendGrid's Mail Send API with the official `sendgrid` library.

One request per message, on purpose. Personalizations (up to 1,000 per request) only pay off when
recipients share one body; here every message has its own rendered body, its own unsubscribe URL
and its own List-Unsubscribe header, and exactly-once bookkeeping needs one provider outcome per
message: with a shared request, one invalid address turns the whole request into a 400 (so one bad
address would block or resend the others) and the answer carries a single X-Message-Id. Throughput
comes instead from several threads, each on a kept-alive HTTP connection.

The library defines the request: the payload equals `Mail(...).get()` (built directly by
`payload`, which the contract tests compare with the library's object), the URL, API version and
auth headers come from `SendGridAPIClient`, and non-2xx answers become python_http_client's
exception classes (`BadRequestsError`, `TooManyRequestsError`...). Only the transport is ours:
python_http_client builds a fresh urllib opener (about 0.5 ms of CPU, more than all the rest of a
message) and a fresh TCP connection for every request, which caps a 2-core machine well below the
outbox's target. `_Connections` posts the same bytes over one kept-alive connection per thread,
and tells "the connection failed before anything was sent" (safe to retry) apart from "sent, then
no answer or a garbled one" (the message becomes `unknown`).
"""

from __future__ import annotations

import http.client
import io
import json
import re
import threading
import time
import urllib.error
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

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

from advocacy.domain.outbox import AnswerKind, OutgoingMail, ProviderAnswer
from advocacy.settings import Settings

MESSAGE_ID_ARG = "outbox_id"  # the only custom arg: our row id, never personal data
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_THREADS = 8
# Servers drop idle keep-alive connections; a POST on a connection they closed cannot be told apart
# from a lost answer, so a connection idle this long is replaced before it is used again.
MAX_IDLE_SECONDS = 4.0
_MAX_LINE = 65536  # the limits http.client applies to an answer's header lines
_MAX_HEADERS = 100
_ILLEGAL_IN_HEADER = re.compile(r"[\r\n\0]")


class NotSent(ConnectionError):
    """The connection failed before the request was written: retrying cannot duplicate."""


@dataclass
class _Link:
    """A thread's kept-alive connection and the buffered reader over its socket."""

    connection: http.client.HTTPConnection
    reader: BinaryIO
    used_at: float

    def close(self) -> None:
        self.reader.close()
        self.connection.close()


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    head: bytes  # the raw header block, parsed in full only for an error
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    will_close: bool


class _Connections:
    """One kept-alive connection per thread; all closed together.

    `http.client` opens each connection (TCP_NODELAY; TLS with the default context, SNI and ALPN)
    but the exchange is ours: the request goes out in one write and the answer is read with a
    strict HTTP/1.1 parser (status line, headers, Content-Length or chunked body). http.client's
    own exchange costs about 0.18 ms of CPU per message (header checks, two writes, the
    `email` package parsing the answer's headers), a third of what a whole send costs with it, and
    every thread shares one interpreter lock. The full `email` parse still builds the headers of
    an error answer, so the library's exception classes see what they always saw.
    """

    def __init__(self, host: str, timeout: float) -> None:
        parsed = urllib.parse.urlsplit(host)
        self._https = parsed.scheme == "https"
        self._netloc = parsed.netloc
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[_Link] = []
        self._lock = threading.Lock()
        self.opened = 0  # connections opened so far (a kept-alive one serves many messages)

    def _get(self) -> _Link:
        link: _Link | None = getattr(self._local, "link", None)
        if link is not None and time.monotonic() - link.used_at > MAX_IDLE_SECONDS:
            self._drop()
            link = None
        if link is None:
            factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = factory(self._netloc, timeout=self._timeout)
            try:
                connection.connect()
            except OSError as error:
                connection.close()
                raise NotSent(str(error) or type(error).__name__) from error
            assert connection.sock is not None
            link = _Link(connection, connection.sock.makefile("rb"), time.monotonic())
            with self._lock:
                self._all.append(link)
                self.opened += 1
            self._local.link = link
        return link

    def _drop(self) -> None:
        link: _Link | None = getattr(self._local, "link", None)
        if link is not None:
            link.close()
            with self._lock:
                if link in self._all:
                    self._all.remove(link)
            self._local.link = None

    def post(self, url: str, head: bytes, body: bytes) -> tuple[int, Mapping[str, str]]:
        """POST and return (status, headers); non-2xx raise the library's HTTPError classes.

        `head` is the request line and headers up to "Content-Length: ", which this completes.
        """
        link = self._get()
        try:
            assert link.connection.sock is not None
            link.connection.sock.sendall(b"%s%d\r\n\r\n%s" % (head, len(body), body))
            answer = _read_answer(link.reader)
        except BaseException:
            self._drop()  # a half-used connection is never reused
            raise
        link.used_at = time.monotonic()
        if answer.will_close:
            self._drop()
        if answer.status >= 300:
            headers = http.client.parse_headers(io.BytesIO(answer.head + b"\r\n"))
            error = urllib.error.HTTPError(
                url, answer.status, answer.reason, headers, io.BytesIO(answer.body)
            )
            raise http_errors.handle_error(error)
        return answer.status, answer.headers

    def close(self) -> None:
        with self._lock:
            for link in self._all:
                link.close()
            self._all.clear()


def request_head(url: str, headers: Mapping[str, str]) -> bytes:
    """The request line and fixed headers of a JSON POST to `url`, up to "Content-Length: "."""
    parts = urllib.parse.urlsplit(url)
    lines = [f"POST {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += ["Accept-Encoding: identity"]  # what http.client sends: no compressed answers
    for name, value in headers.items():
        if _ILLEGAL_IN_HEADER.search(name) or _ILLEGAL_IN_HEADER.search(value) or ":" in name:
            raise ValueError(f"invalid HTTP header {name!r}")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")


def _read_answer(reader: BinaryIO) -> _Answer:
    """Read one HTTP/1.x answer; anything malformed raises an HTTPException (the outcome is unknown)."""
    while True:
        version, status, reason = _status_line(_line(reader))
        head = _head(reader)
        if status >= 200:
            break  # 1xx answers (100 Continue) come before the real one
    headers: dict[str, str] = {}
    for raw in head.split(b"\r\n") if head else ():
        name, colon, value = raw.decode("latin-1").partition(":")
        if not colon or not name or name != name.strip():
            raise http.client.HTTPException(f"malformed header line {raw[:80]!r}")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    tokens = {token.strip().lower() for token in headers.get("connection", "").split(",")}
    will_close = "close" in tokens or (version == "HTTP/1.0" and "keep-alive" not in tokens)
    if status in (204, 304):
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = _chunked(reader)
    elif "content-length" in headers:
        try:
            length = int(headers["content-length"])
        except ValueError as error:
            raise http.client.HTTPException("malformed Content-Length") from error
        if length < 0:
            raise http.client.HTTPException("malformed Content-Length")
        body = _exactly(reader, length)
    else:
        body = reader.read()  # delimited by the end of the connection
        will_close = True
    return _Answer(status, reason, head, headers, body, will_close)


def _line(reader: BinaryIO) -> bytes:
    line = reader.readline(_MAX_LINE + 1)
    if len(line) > _MAX_LINE:
        raise http.client.LineTooLong("header line")
    return line


def _status_line(line: bytes) -> tuple[str, int, str]:
    if not line:
        raise http.client.RemoteDisconnected("Remote end closed connection without response")
    version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise http.client.BadStatusLine(repr(line[:80]))
    return version, int(code), reason.strip()


def _head(reader: BinaryIO) -> bytes:
    """The header lines up to the empty line, joined with CRLF, folded lines unfolded."""
    lines: list[bytes] = []
    while True:
        line = _line(reader)
        if line in (b"\r\n", b"\n"):
            return b"\r\n".join(lines)
        if not line:
            raise http.client.RemoteDisconnected("connection closed inside the answer's headers")
        if len(lines) >= _MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
        line = line.rstrip(b"\r\n")
        if line[:1] in (b" ", b"\t") and lines:  # obsolete line folding
            lines[-1] += b" " + line.strip()
        else:
            lines.append(line)


def _chunked(reader: BinaryIO) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = _line(reader).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError as error:
            raise http.client.HTTPException(f"malformed chunk size {size_line[:20]!r}") from error
        if size == 0:
            break
        parts.append(_exactly(reader, size))
        if _exactly(reader, 2) != b"\r\n":
            raise http.client.HTTPException("malformed chunk end")
    while _line(reader) not in (b"\r\n", b"\n", b""):  # trailers: not used
        pass
    return b"".join(parts)


def _exactly(reader: BinaryIO, length: int) -> bytes:
    data = reader.read(length)
    if len(data) < length:
        raise http.client.IncompleteRead(data, length - len(data))
    return data


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
        self.url: str = api.client.mail.send._build_url(None)
        self.headers: dict[str, str] = {**api._default_headers, "Content-Type": "application/json"}
        self.head = request_head(self.url, self.headers)
        self._connections = _Connections(settings.sendgrid_host, timeout)
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
            status, headers = self._connections.post(self.url, self.head, body)
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
            provider_message_id=headers.get("x-message-id", ""),
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
