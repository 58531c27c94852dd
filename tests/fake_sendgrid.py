"""A local stand-in for SendGrid's Mail Send endpoint: records every request, answers like the service.

`FakeSendGrid()` runs a stdlib ThreadingHTTPServer on 127.0.0.1, port 0, in a thread. Every
`POST /v3/mail/send` is recorded (JSON body and headers) *before* it is answered, the way the real
service accepts a message before the client reads the answer. By default it answers 202 with an
`X-Message-Id`; `script()` makes chosen requests answer 400, 429 (with X-RateLimit-Reset), 500, or
answer only after a delay (a client timeout).

`python -m tests.fake_sendgrid` serves in its own process (the benchmark uses it so the server does
not share a GIL with the dispatcher): it prints `PORT <n>` and serves `GET /_stats` (counts only)
and `POST /_reset`.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from advocacy.domain.outbox import MESSAGE_ID_ARG  # the name the product's sender sets


@dataclass
class Recorded:
    """One request as the server saw it, and what it answered."""

    body: dict[str, Any]
    headers: dict[str, str]  # names in lower case: HTTP header names are case-insensitive
    status: int
    provider_message_id: str = ""  # the X-Message-Id it answered with (202 only)

    @property
    def message_id(self) -> str | None:
        return (self.body.get("custom_args") or {}).get(MESSAGE_ID_ARG)

    @property
    def accepted(self) -> bool:
        """Whether the provider took the message (a slow 202 still delivers)."""
        return self.status == 202


@dataclass
class Rule:
    match: Callable[[dict[str, Any]], bool]
    status: int
    times: int | None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: str = ""


def _recipient(body: dict[str, Any]) -> str:
    try:
        return body["personalizations"][0]["to"][0]["email"]
    except (KeyError, IndexError, TypeError):
        return ""


class FakeSendGrid:
    """The fake service; use as a context manager or call start()/stop()."""

    def __init__(self, *, keep_bodies: bool = True) -> None:
        self.requests: list[Recorded] = []
        self.keep_bodies = keep_bodies
        self.accepted_ids: Counter[str] = Counter()
        self.total = 0
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- scripting ---------------------------------------------------------------------------

    def script(
        self,
        *,
        to: str | None = None,
        message_id: int | str | None = None,
        status: int = 202,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        body: str = "",
        match: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Answer requests for `to` / `message_id` (or every request) with `status`, `times` times."""

        def default_match(request_body: dict[str, Any]) -> bool:
            if to is not None and _recipient(request_body) != to:
                return False
            found = (request_body.get("custom_args") or {}).get(MESSAGE_ID_ARG)
            return message_id is None or found == str(message_id)

        with self._lock:
            self._rules.append(
                Rule(match or default_match, status, times, dict(headers or {}), delay, body)
            )

    def unscript(self) -> None:
        """Answer every request normally again (202), e.g. when an outage ends."""
        with self._lock:
            self._rules.clear()

    def _answer_for(self, body: dict[str, Any]) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.match(body) and (rule.times is None or rule.times > 0):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule
        return None

    def _record(
        self, body: dict[str, Any], headers: dict[str, str], status: int, provider_id: str = ""
    ) -> None:
        with self._lock:
            self.total += 1
            recorded = Recorded(body if self.keep_bodies else {}, headers, status, provider_id)
            if self.keep_bodies:
                self.requests.append(recorded)
            found = (body.get("custom_args") or {}).get(MESSAGE_ID_ARG)
            if status == 202 and found is not None:
                self.accepted_ids[found] += 1

    def reset(self) -> None:
        """Forget what was recorded (the benchmark measures the ceiling, then the product)."""
        with self._lock:
            self.requests.clear()
            self.accepted_ids.clear()
            self.total = 0

    # --- reading what happened -----------------------------------------------------------------

    def accepted(self) -> list[Recorded]:
        with self._lock:
            return [request for request in self.requests if request.accepted]

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.total,
                "accepted": sum(self.accepted_ids.values()),
                "unique": len(self.accepted_ids),
                "duplicates": sum(n - 1 for n in self.accepted_ids.values() if n > 1),
            }

    # --- the HTTP side --------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive for clients that want it

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                if self.path != "/_stats":
                    self._send(404, b"")
                    return
                self._send(200, json.dumps(fake.stats()).encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path == "/_reset":
                    fake.reset()
                    self._send(204, b"")
                    return
                if self.path != "/v3/mail/send" or len(raw) != length:
                    self._send(404, b"")
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._send(400, b'{"errors":[{"message":"invalid JSON"}]}')
                    return
                rule = fake._answer_for(body)
                status = rule.status if rule else 202
                provider_id = f"fake{next(fake._ids):08d}" if status == 202 else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake._record(body, headers, status, provider_id)
                if rule and rule.delay:
                    fake._released.wait(rule.delay)
                extra = dict(rule.headers) if rule else {}
                if status == 202:
                    extra["X-Message-Id"] = provider_id
                    self._send(202, b"", extra)
                    return
                payload = rule.body if rule and rule.body else '{"errors":[{"message":"scripted"}]}'
                self._send(status, payload.encode(), extra)

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

        return Handler

    def start(self) -> FakeSendGrid:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()  # let slow answers finish so their threads end
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSendGrid:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def main() -> None:
    fake = FakeSendGrid(keep_bodies=False)
    print(f"PORT {fake.port}", flush=True)
    try:
        fake._server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    sys.exit(main())
