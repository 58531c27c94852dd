"""A firm's system receiving webhooks: a local HTTP server that verifies every request's Standard
Webhooks signature with the `standardwebhooks` library, as a real receiver would.

`WebhookReceiver()` runs a stdlib ThreadingHTTPServer on 127.0.0.1, port 0, in a thread. A
request whose signature verifies is recorded in `events` and answered with the next scripted
status (200 by default); one that does not is answered 401 and recorded in `rejected` only.
`delay_s` makes every answer late (a receiver slower than the client's timeout).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    payload: dict[str, Any]
    status: int

    @property
    def type(self) -> str:
        return str(self.payload["type"])

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.payload["data"])


@dataclass
class WebhookReceiver:
    secret: str = ""
    script: list[int] = field(default_factory=list)  # statuses answered in turn, then 200
    delay_s: float = 0.0
    events: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    ids: Counter[str] = field(default_factory=Counter)
    hosts: list[str] = field(default_factory=list)  # each request's Host header, in turn

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.hosts.append(self.headers.get("host", ""))
                status = receiver._receive(body, dict(self.headers.items()))
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client gave up (timeout): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def _receive(self, body: bytes, headers: dict[str, str]) -> int:
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except (WebhookVerificationError, ValueError) as error:
            with self._lock:
                self.rejected.append(str(error))
            return 401
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self._lock:
            status = self.script.pop(0) if self.script else 200
            self.events.append(Received(webhook_id, payload, status))
            if 200 <= status < 300:
                self.ids[webhook_id] += 1
            return status

    def accepted(self) -> list[Received]:
        with self._lock:
            return [event for event in self.events if 200 <= event.status < 300]

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
