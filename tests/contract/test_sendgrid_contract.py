"""The real `sendgrid` library against a local Mail Send server: payload, headers, ASM, custom args,
and how each kind of answer is classified."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sendgrid.helpers.mail import ApiKeyIncludedException
from sqlmodel import Session, select

from advocacy.adapters.sendgrid_mail import SendGridSender
from advocacy.domain import mail_events
from advocacy.domain.outbox import MESSAGE_ID_ARG, AnswerKind, OutgoingMail
from advocacy.models import MailEvent, OutboxMessage
from advocacy.services.mail.dispatch import dispatch_due
from advocacy.services.mail.events import process_pending_events
from advocacy.services.mail.queue import queue_email
from tests.conftest import NOW, free_port
from tests.factories import make_mail_contact, queue_staff_notices
from tests.fake_sendgrid import FakeSendGrid
from tests.sendgrid_events import Signer, events_for, post_events

API_KEY = "SG.test-key"


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as server:
        yield server


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def sg_app(app_factory: Any, fake: FakeSendGrid, signer: Signer) -> Flask:
    return app_factory(
        mail_backend="sendgrid",
        sendgrid_api_key=API_KEY,
        sendgrid_host=fake.url,
        sendgrid_asm_group_nurture=77,
        sendgrid_webhook_public_key=signer.public_key,
        mail_unknown_resend_after_minutes=60,
    )


@pytest.fixture
def sender(sg_app: Flask) -> Iterator[SendGridSender]:
    sender = SendGridSender(sg_app.config["ADVOCACY"], timeout=0.5, threads=2)
    yield sender
    sender.close()


def outgoing(message: OutboxMessage) -> OutgoingMail:
    assert message.id is not None
    return OutgoingMail(
        message_id=message.id,
        category=message.category,
        to_email=message.to_email,
        to_name=message.to_name,
        subject=message.subject,
        html_body=message.html_body,
        text_body=message.text_body,
        headers=json.loads(message.headers_json),
    )


def queued_nurture(app: Flask, session: Session) -> OutboxMessage:
    contact = make_mail_contact(session, email="ann@client.example")
    with app.app_context():
        result = queue_email(
            session,
            category="nurture",
            template="example_nurture",
            to=contact.email,
            to_name="Ann Client",
            contact_id=contact.id,
            source=("nurture_step", 3),
            context={"topic": "Year-end tax"},
            now=NOW,
        )
    message = session.get(OutboxMessage, result.message_id)
    assert message is not None
    return message


def staff_mail(message_id: int = 1, to: str = "staff@firm.example") -> OutgoingMail:
    return OutgoingMail(message_id, "transactional", to, "", "Hello", "<p>Hi</p>", "Hi\n", {})


def test_the_request_is_the_libraries_mail_payload_with_our_headers(
    sg_app: Flask, session: Session, fake: FakeSendGrid, sender: SendGridSender
) -> None:
    message = queued_nurture(sg_app, session)
    answer = sender.send(outgoing(message))
    assert answer.kind is AnswerKind.ACCEPTED
    assert answer.provider_message_id.startswith("fake")
    [request] = fake.requests
    assert request.body == sender.build(outgoing(message)).get()
    body = request.body
    assert body["personalizations"] == [
        {"to": [{"email": "ann@client.example", "name": "Ann Client"}]}
    ]
    assert body["from"] == {
        "email": "relationships@northwind.example",
        "name": "Northwind Partners",
    }
    assert body["subject"] == message.subject
    assert [part["type"] for part in body["content"]] == ["text/plain", "text/html"]
    unsubscribe = json.loads(message.headers_json)["List-Unsubscribe"]
    assert body["headers"] == {
        "List-Unsubscribe": unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert body["asm"] == {"group_id": 77}
    assert body["categories"] == ["nurture"]
    assert body["custom_args"] == {MESSAGE_ID_ARG: str(message.id)}
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"


def test_categories_and_custom_args_carry_no_personal_data(
    sg_app: Flask, session: Session, fake: FakeSendGrid, sender: SendGridSender
) -> None:
    message = queued_nurture(sg_app, session)
    sender.send(outgoing(message))
    body = fake.requests[0].body
    exposed = json.dumps([body["categories"], body["custom_args"]])
    assert "@" not in exposed and "Ann" not in exposed and "client" not in exposed


def test_a_transactional_email_has_no_unsubscribe_group_or_headers(
    sg_app: Flask, fake: FakeSendGrid, sender: SendGridSender
) -> None:
    sender.send(staff_mail())
    body = fake.requests[0].body
    assert "asm" not in body and "headers" not in body
    assert body["categories"] == ["transactional"]


def test_an_unconfigured_group_is_left_out(sg_app: Flask, fake: FakeSendGrid) -> None:
    settings = replace(sg_app.config["ADVOCACY"], sendgrid_asm_group_nurture=0)
    sender = SendGridSender(settings, timeout=0.5, threads=1)
    try:
        sender.send(replace(staff_mail(), category="nurture"))
    finally:
        sender.close()
    assert "asm" not in fake.requests[0].body


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, AnswerKind.REJECTED),
        (413, AnswerKind.REJECTED),
        (401, AnswerKind.ACCOUNT_REFUSED),
        (403, AnswerKind.ACCOUNT_REFUSED),
        (429, AnswerKind.RATE_LIMITED),
        (500, AnswerKind.UNCERTAIN),  # "an error occurred": whether it was queued is unsaid
        (502, AnswerKind.UNCERTAIN),
        (504, AnswerKind.UNCERTAIN),
        (503, AnswerKind.UNAVAILABLE),  # "the v3 Web API is not available": nothing taken
    ],
)
def test_error_answers_map_to_outcomes(
    fake: FakeSendGrid, sender: SendGridSender, status: int, kind: AnswerKind
) -> None:
    fake.script(status=status, headers={"X-RateLimit-Reset": "1790000000"}, body='{"errors":[1]}')
    answer = sender.send(staff_mail())
    assert answer.kind is kind
    assert answer.status_code == status
    assert '{"errors":[1]}' in answer.detail
    if kind is AnswerKind.RATE_LIMITED:
        assert answer.headers is not None
        assert answer.headers["X-RateLimit-Reset"] == "1790000000"
    # The connection stays usable for the next message.
    assert sender.send(staff_mail(2)).kind is AnswerKind.ACCEPTED


def test_a_timeout_after_sending_is_uncertain_and_the_provider_has_it(
    fake: FakeSendGrid, sender: SendGridSender
) -> None:
    fake.script(delay=2.0)
    started = time.monotonic()
    answer = sender.send(staff_mail())
    assert answer.kind is AnswerKind.UNCERTAIN
    assert time.monotonic() - started < 1.5
    assert len(fake.accepted()) == 1  # which is why it must not simply be resent
    assert sender.send(staff_mail(2)).kind is AnswerKind.ACCEPTED


def test_a_refused_connection_is_not_sent(sg_app: Flask) -> None:
    settings = replace(sg_app.config["ADVOCACY"], sendgrid_host=f"http://127.0.0.1:{free_port()}")
    sender = SendGridSender(settings, timeout=0.5, threads=1)
    try:
        answer = sender.send(staff_mail())
    finally:
        sender.close()
    assert answer.kind is AnswerKind.NOT_SENT


def test_connections_are_kept_alive_between_messages(
    fake: FakeSendGrid, sender: SendGridSender
) -> None:
    for number in range(20):
        assert sender.send(staff_mail(number)).kind is AnswerKind.ACCEPTED
    assert sender._pool.num_connections == 1  # one connection for this thread, not one per message


def test_the_configured_thread_count_bounds_the_connections(
    app_factory: Any, fake: FakeSendGrid
) -> None:
    app = app_factory(
        mail_backend="sendgrid",
        sendgrid_api_key=API_KEY,
        sendgrid_host=fake.url,
        mail_sender_threads=3,
    )
    sender = SendGridSender(app.config["ADVOCACY"], timeout=2.0)
    try:
        assert sender.threads == 3
        # More callers than the setting allows: they wait for a connection rather than open more.
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(sender.send, [staff_mail(n) for n in range(40)]))
        assert {answer.kind for answer in answers} == {AnswerKind.ACCEPTED}
        assert 1 <= sender._pool.num_connections <= 3
    finally:
        sender.close()
    assert len(fake.accepted()) == 40


@pytest.mark.parametrize(
    "mail",
    [
        staff_mail(),
        staff_mail(to="kim.o'neil+billing@firm.example"),
        replace(staff_mail(), to_name="Zoë Müller, CPA"),
        replace(staff_mail(), subject="", text_body="", html_body=""),
        replace(staff_mail(), category="nurture", headers={"List-Unsubscribe": "<https://u>"}),
        replace(staff_mail(), category="survey", subject="Ihre Meinung zählt — 2 Minuten"),
    ],
    ids=["plain", "odd-address", "named", "empty", "nurture-asm", "survey-no-asm"],
)
def test_the_payload_equals_the_librarys_mail_object(
    sender: SendGridSender, mail: OutgoingMail
) -> None:
    assert sender.payload(mail) == sender.build(mail).get()


def test_a_body_holding_an_api_key_is_refused_as_the_library_refuses_it(
    sender: SendGridSender,
) -> None:
    leaky = replace(staff_mail(), text_body="SG.abc123.def456 is our key")
    with pytest.raises(ApiKeyIncludedException):
        sender.build(leaky)
    with pytest.raises(ApiKeyIncludedException):
        sender.payload(leaky)


def test_the_events_sendgrid_posts_name_the_message_by_the_custom_arg_the_sender_set(
    sg_app: Flask, session: Session, fake: FakeSendGrid, signer: Signer
) -> None:
    # The request times out after SendGrid took it: the outcome is unknown.
    with sg_app.app_context():
        [message_id] = queue_staff_notices(session, 1, now=NOW)
    fake.script(message_id=message_id, delay=1.0)
    settings = sg_app.config["ADVOCACY"]
    sender = SendGridSender(settings, timeout=0.2, threads=1)
    engine = sg_app.extensions["advocacy.engine"]
    try:
        dispatch_due(engine, settings, sender, now=NOW, worker_id="w1")
        assert session.get(OutboxMessage, message_id).status == "unknown"  # type: ignore[union-attr]
        [request] = fake.accepted()
        # The custom args are what the server received, echoed as SendGrid echoes them.
        assert request.body["custom_args"] == {MESSAGE_ID_ARG: str(message_id)}
        events = events_for(request, ("processed", "delivered"))
        assert all(event[MESSAGE_ID_ARG] == str(message_id) for event in events)
        post_events(sg_app.test_client(), signer, events)
        # The parser reads the very name the sender set.
        parsed = [mail_events.parse_event(event, received_at=NOW) for event in events]
        assert [event.message_id for event in parsed if event] == [message_id, message_id]
        session.expire_all()
        stored = session.exec(select(MailEvent).order_by(MailEvent.id)).all()
        assert [(row.event, row.message_id) for row in stored] == [
            ("processed", message_id),
            ("delivered", message_id),
        ]
        # After the wait, the dispatcher settles the message instead of resending it.
        later = NOW + timedelta(minutes=61)
        report = dispatch_due(engine, settings, sender, now=later, worker_id="w2")
    finally:
        sender.close()
    assert report["sent"] == 1
    assert fake.accepted_ids == {str(message_id): 1}
    process_pending_events(session, later)
    session.expire_all()
    settled = session.get(OutboxMessage, message_id)
    assert settled is not None
    assert (settled.status, settled.delivery) == ("sent", "delivered")
    assert settled.provider_message_id == request.provider_message_id


class CannedServer:
    """A TCP server that reads each HTTP request and writes the next canned answer verbatim.

    For the answers FakeSendGrid's stdlib server never gives: chunked bodies, 100 Continue,
    garbled status lines, a connection closed without an answer. `None` closes without answering.
    """

    def __init__(self, answers: list[bytes | None]) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while self.answers:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with client:
                self._converse(client.makefile("rb"), client)

    def _converse(self, reader: Any, client: socket.socket) -> None:
        while self.answers:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = reader.readline()
                if not line:
                    return
                head += line
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            self.requests.append(head + reader.read(length))
            answer = self.answers.pop(0)
            if answer is None:
                return
            client.sendall(answer)
            if b"connection: close" in answer.lower():
                return

    def __enter__(self) -> CannedServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._listener.close()
        self._thread.join(timeout=5)


ACCEPTED = b"HTTP/1.1 202 Accepted\r\nX-Message-Id: canned-1\r\nContent-Length: 0\r\n\r\n"


def canned_sender(sg_app: Flask, server: CannedServer) -> SendGridSender:
    settings = replace(sg_app.config["ADVOCACY"], sendgrid_host=server.url)
    return SendGridSender(settings, timeout=2.0, threads=1)


@pytest.mark.parametrize(
    ("answer", "kind", "detail"),
    [
        (
            b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
            b'9\r\n{"errors"\r\n6\r\n:["to"\r\n2\r\n]}\r\n0\r\n\r\n',
            AnswerKind.REJECTED,
            '{"errors":["to"]}',
        ),
        (
            b"HTTP/1.1 100 Continue\r\n\r\n" + ACCEPTED,
            AnswerKind.ACCEPTED,
            "",
        ),
        (
            b"HTTP/1.1 202 Accepted\r\nx-message-id:  lower-case\r\nContent-Length: 0\r\n\r\n",
            AnswerKind.ACCEPTED,
            "",
        ),
        (b"HTTP/1.1 2O2 Accepted\r\n\r\n", AnswerKind.UNCERTAIN, "2O2"),
        (
            b"HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 10\r\n\r\nshort",
            AnswerKind.UNCERTAIN,
            "IncompleteRead",
        ),
        (None, AnswerKind.UNCERTAIN, "without response"),
    ],
    ids=["chunked-400", "100-continue", "header-case", "garbled", "cut-short", "no-answer"],
)
def test_every_kind_of_http_answer_is_read_or_classified_uncertain(
    sg_app: Flask, answer: bytes | None, kind: AnswerKind, detail: str
) -> None:
    with CannedServer([answer, ACCEPTED]) as server:
        sender = canned_sender(sg_app, server)
        try:
            first = sender.send(staff_mail(1))
            second = sender.send(staff_mail(2))
        finally:
            sender.close()
    assert first.kind is kind
    assert detail in first.detail
    if answer is not None and b"X-Message-Id: canned-1" in answer:
        assert first.provider_message_id == "canned-1"
    if b"lower-case" in (answer or b""):
        assert first.provider_message_id == "lower-case"
    # What was sent is the library's request, whole: one POST with the JSON payload.
    assert server.requests[0].startswith(b"POST /v3/mail/send HTTP/1.1\r\n")
    assert json.loads(server.requests[0].split(b"\r\n\r\n", 1)[1]) == sender.payload(staff_mail(1))
    # A connection left in doubt is never reused; a clean one is.
    assert second.kind is AnswerKind.ACCEPTED
    assert server.connections == (1 if kind is not AnswerKind.UNCERTAIN else 2)


def test_an_answer_that_closes_the_connection_is_followed_by_a_new_one(sg_app: Flask) -> None:
    closing = ACCEPTED.replace(b"Content-Length", b"Connection: close\r\nContent-Length")
    with CannedServer([closing, ACCEPTED]) as server:
        sender = canned_sender(sg_app, server)
        try:
            answers = [sender.send(staff_mail(n)).kind for n in (1, 2)]
        finally:
            sender.close()
    assert answers == [AnswerKind.ACCEPTED, AnswerKind.ACCEPTED]
    assert server.connections == 2
