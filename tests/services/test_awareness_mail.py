"""A nurture e-mail names the service line it introduces: SendGrid's "delivered" introduces that
line to the contact (and the account), a click shows interest. Events arrive signed through the
real webhook; the round trip queues, sends through the real sendgrid library to a local fake, and
plays back the events SendGrid would post about what it received."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.adapters.sendgrid_mail import SendGridSender
from advocacy.domain.outbox import MESSAGE_ID_ARG
from advocacy.models import AccountLineAwareness, ContactLineAwareness, OutboxMessage
from advocacy.services.mail.dispatch import dispatch_due
from advocacy.services.mail.events import process_pending_events
from advocacy.services.mail.queue import queue_email
from tests.conftest import NOW, count_queries
from tests.factories import make_account, make_mail_contact, make_sent_message, make_service_line
from tests.fake_sendgrid import FakeSendGrid
from tests.sendgrid_events import Signer, events_for, post_events

_ids = iter(range(1, 100_000))


def contact_states(session: Session) -> dict[tuple[int, int], str]:
    session.expire_all()
    return {
        (row.contact_id, row.service_line_id): row.state
        for row in session.exec(select(ContactLineAwareness))
    }


def account_states(session: Session) -> dict[tuple[int, int], str]:
    return {
        (row.account_id, row.service_line_id): row.state
        for row in session.exec(select(AccountLineAwareness))
    }


def event(message: OutboxMessage, kind: str) -> dict[str, Any]:
    return {
        "event": kind,
        "sg_event_id": f"aw-{next(_ids)}",
        "email": message.to_email,
        "timestamp": int((NOW - timedelta(minutes=5)).timestamp()),
        MESSAGE_ID_ARG: str(message.id),
        "sg_message_id": f"{message.provider_message_id}.filter01.1",
    }


@pytest.fixture
def webhook(app_factory: Any) -> Any:
    signer = Signer()
    client = app_factory(sendgrid_webhook_public_key=signer.public_key).test_client()

    def post_and_process(session: Session, *events: dict[str, Any]) -> int:
        post_events(client, signer, events)
        session.expire_all()
        return process_pending_events(session, NOW)

    return post_and_process


def sent(session: Session, contact: Any, line_id: int | None) -> OutboxMessage:
    return make_sent_message(
        session,
        to_email=contact.email,
        contact_id=contact.id,
        account_id=contact.account_id,
        service_line_id=line_id,
        provider_message_id=f"sg{next(_ids)}",
        category="nurture",
    )


def test_delivered_introduces_the_line_and_a_click_shows_interest(
    session: Session, webhook: Any
) -> None:
    esg = make_service_line(session, "ESG reporting")
    contact = make_mail_contact(session)
    message = sent(session, contact, esg.id)
    webhook(session, event(message, "delivered"))
    assert contact_states(session) == {(contact.id, esg.id): "introduced"}
    assert account_states(session) == {(contact.account_id, esg.id): "introduced"}
    webhook(session, event(message, "click"))
    assert contact_states(session) == {(contact.id, esg.id): "engaged"}
    [row] = session.exec(select(ContactLineAwareness)).all()
    assert row.introduced_at == row.engaged_at == NOW - timedelta(minutes=5)


def test_a_message_that_introduces_no_line_moves_no_awareness(
    session: Session, webhook: Any
) -> None:
    contact = make_mail_contact(session)
    message = sent(session, contact, None)
    webhook(session, event(message, "delivered"), event(message, "click"))
    assert contact_states(session) == {}


def test_an_open_or_a_bounce_proves_nothing_about_the_line(session: Session, webhook: Any) -> None:
    esg = make_service_line(session, "ESG reporting")
    contact = make_mail_contact(session)
    message = sent(session, contact, esg.id)
    webhook(session, event(message, "open"), event(message, "bounce"))
    assert contact_states(session) == {}


def test_a_click_before_its_delivered_event_is_not_lowered_by_it(
    session: Session, webhook: Any
) -> None:
    esg = make_service_line(session, "ESG reporting")
    contact = make_mail_contact(session)
    message = sent(session, contact, esg.id)
    webhook(session, event(message, "click"))
    webhook(session, event(message, "delivered"))
    assert contact_states(session) == {(contact.id, esg.id): "engaged"}


def _awareness_writes(statements: list[str]) -> int:
    return sum(
        1
        for statement in statements
        if statement.lstrip().upper().startswith("INSERT INTO") and "line_awareness" in statement
    )


def test_one_batch_of_events_raises_awareness_in_one_statement_per_table(
    session: Session, webhook: Any, engine: Engine
) -> None:
    lines = [make_service_line(session) for _ in range(3)]
    account = make_account(session)
    messages = [
        sent(session, make_mail_contact(session, account), lines[number % 3].id)
        for number in range(6)
    ]
    with count_queries(engine) as statements:
        assert webhook(session, *[event(message, "delivered") for message in messages]) == 6
    assert len(contact_states(session)) == 6
    assert account_states(session) == {(account.id, line.id): "introduced" for line in lines}
    assert _awareness_writes(statements) == 2


# --- the round trip through the real queue, the real library and the fake SendGrid ------------


def test_a_nurture_email_sent_delivered_and_clicked_makes_its_contact_engaged(
    sg_app: Flask, session: Session, engine: Engine, fake: FakeSendGrid, signer: Signer
) -> None:
    settings = sg_app.config["ADVOCACY"]
    esg = make_service_line(session, "ESG reporting")
    contact = make_mail_contact(session)
    queued = queue_email(
        session,
        category="nurture",
        template="example_nurture",
        to=contact.email,
        contact_id=contact.id,
        source=("nurture_step", 1),
        context={"topic": "ESG reporting"},
        now=NOW,
        service_line_id=esg.id,
    )
    assert queued.queued, queued
    session.commit()  # the caller's use case commits what queue_email wrote
    sender = SendGridSender(settings, timeout=5.0, threads=1)
    try:
        report = dispatch_due(
            engine, settings, sender, now=NOW, worker_id="w1", rng=random.Random(3)
        )
    finally:
        sender.close()
    assert report["sent"] == 1
    [request] = fake.accepted()
    post_events(sg_app.test_client(), signer, events_for(request, ("delivered",)))
    session.expire_all()
    process_pending_events(session, NOW + timedelta(hours=1))
    assert contact_states(session) == {(contact.id, esg.id): "introduced"}
    post_events(sg_app.test_client(), signer, events_for(request, ("click",)))
    process_pending_events(session, NOW + timedelta(hours=2))
    assert contact_states(session) == {(contact.id, esg.id): "engaged"}
    assert account_states(session) == {(contact.account_id, esg.id): "engaged"}


def test_an_open_or_a_click_of_nurture_mail_rescores_its_contact_in_the_batch(
    session: Session, webhook: Any
) -> None:
    from advocacy.models import ContactScore

    contact = make_mail_contact(session)
    message = sent(session, contact, None)
    webhook(session, event(message, "delivered"))
    session.expire_all()
    assert session.get(ContactScore, contact.id) is None  # a delivery says nothing of them
    webhook(session, event(message, "open"), event(message, "click"))
    session.expire_all()
    stored = session.get(ContactScore, contact.id)
    assert stored is not None
    nurture = next(
        factor["detail"]
        for factor in json.loads(stored.factors_json)["factors"]
        if factor["factor"] == "nurture"
    )
    assert (nurture["opens"], nurture["clicks"]) == (1, 1)
