"""Dispatching the outbox against a local SendGrid: every fault ends in exactly one delivery or a
stated reason, never a duplicate."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.adapters.mail_delivery import LocalOutbox
from advocacy.adapters.sendgrid_mail import SendGridSender
from advocacy.domain.outbox import OutgoingMail
from advocacy.models import Account, OutboxMessage, Suppression
from advocacy.repository.outbox import claim_due, mark_requests_started
from advocacy.services.mail.dispatch import dispatch_due
from advocacy.services.mail.queue import queue_email
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_mail_contact, make_touchpoint, queue_staff_notices
from tests.fake_sendgrid import FakeSendGrid
from tests.sendgrid_events import Signer, events_for, post_events


@pytest.fixture
def sg_app(app_factory: Any, fake: FakeSendGrid, signer: Signer) -> Iterator[Flask]:
    app = app_factory(
        mail_backend="sendgrid",
        sendgrid_api_key="SG.test",
        sendgrid_host=fake.url,
        sendgrid_webhook_public_key=signer.public_key,
        mail_batch_size=10,
        mail_max_attempts=3,
        mail_unknown_resend_after_minutes=30,
    )
    with app.app_context():
        yield app


@pytest.fixture
def settings(sg_app: Flask) -> Settings:
    return sg_app.config["ADVOCACY"]


@pytest.fixture
def sender(settings: Settings) -> Iterator[SendGridSender]:
    # A generous timeout: only the test of a late answer wants one, and sets its own; on a busy
    # machine a short one would turn an accepted request into an unknown outcome.
    sender = SendGridSender(settings, timeout=5.0, threads=4)
    yield sender
    sender.close()


def run(engine: Engine, settings: Settings, sender: Any, now: datetime = NOW, worker: str = "w1"):
    return dispatch_due(engine, settings, sender, now=now, worker_id=worker, rng=random.Random(3))


def statuses(session: Session) -> dict[int, str]:
    session.expire_all()
    return {m.id: m.status for m in session.exec(select(OutboxMessage)).all()}


def message(session: Session, message_id: int) -> OutboxMessage:
    session.expire_all()
    found = session.get(OutboxMessage, message_id)
    assert found is not None
    return found


def provider_reports(app: Flask, fake: FakeSendGrid, signer: Signer, *kinds: str) -> int:
    """SendGrid posts, signed, its events about every request it accepted, to the webhook."""
    events = [event for request in fake.accepted() for event in events_for(request, kinds)]
    return post_events(app.test_client(), signer, events)


def outgoing(row: Any) -> OutgoingMail:
    return OutgoingMail(
        row.id,
        row.category,
        row.to_email,
        row.to_name,
        row.subject,
        row.html_body,
        row.text_body,
        {},
    )


def nurture(session: Session, contact: Any, occurrence: str = "1") -> int:
    result = queue_email(
        session,
        category="nurture",
        template="example_nurture",
        to=contact.email,
        contact_id=contact.id,
        source=("nurture_step", 1),
        occurrence=occurrence,
        context={"topic": "Cash flow"},
        now=NOW,
    )
    assert result.queued, result
    session.commit()  # the caller's use case commits what queue_email wrote
    return result.message_id


def test_the_outbox_backend_marks_messages_sent_without_leaving_the_machine(
    sg_app: Flask, settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid
) -> None:
    ids = queue_staff_notices(session, 3)
    report = run(engine, replace(settings, mail_backend="outbox"), LocalOutbox())
    assert report["sent"] == 3
    assert set(statuses(session).values()) == {"sent"}
    assert message(session, ids[0]).provider_message_id == f"local-{ids[0]}"
    assert message(session, ids[0]).sent_at == NOW
    assert fake.requests == []


def test_every_message_is_sent_once_with_the_providers_message_id(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    ids = queue_staff_notices(session, 25)
    report = run(engine, settings, sender)
    assert report["sent"] == 25 and report["claimed"] == 25
    assert fake.accepted_ids == {str(i): 1 for i in ids}
    sent = message(session, ids[0])
    assert sent.provider_message_id.startswith("fake") and sent.attempts == 1
    assert sent.lease_owner == "" and sent.lease_expires_at is None
    assert run(engine, settings, sender)["claimed"] == 0  # running again sends nothing


def test_a_429_waits_for_the_reset_and_then_sends_each_message_once(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid
) -> None:
    ids = queue_staff_notices(session, 10)
    reset = NOW + timedelta(seconds=40)
    fake.script(
        message_id=ids[0], status=429, headers={"X-RateLimit-Reset": str(int(reset.timestamp()))}
    )
    sender = SendGridSender(settings, timeout=5.0, threads=1)
    try:
        report = run(engine, settings, sender)
        first = message(session, ids[0])
        assert first.status == "queued" and first.next_attempt_at == reset
        assert first.attempts == 0  # a refused request is not an attempt
        # The rest of the batch was not sent into the limit; it waits for the reset too.
        assert report["sent"] == 0
        assert all(message(session, i).next_attempt_at == reset for i in ids)
        assert run(engine, settings, sender, now=reset - timedelta(seconds=1))["claimed"] == 0
        assert run(engine, settings, sender, now=reset)["sent"] == 10
    finally:
        sender.close()
    assert fake.accepted_ids == {str(i): 1 for i in ids}


def test_a_429_amid_parallel_sends_holds_the_rest_back_and_each_message_goes_once(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    ids = queue_staff_notices(session, 30)  # three batches of 10, four threads
    reset = NOW + timedelta(seconds=40)
    fake.script(
        message_id=ids[12], status=429, headers={"X-RateLimit-Reset": str(int(reset.timestamp()))}
    )
    report = run(engine, settings, sender)
    assert 10 <= report["sent"] < 20  # the first batch, and what had left before the 429
    limited = message(session, ids[12])
    assert limited.status == "queued" and limited.next_attempt_at == reset
    held = [message(session, i) for i in ids if message(session, i).status != "sent"]
    assert all(m.status == "queued" and m.attempts == 0 for m in held)
    assert {m.id for m in held} >= set(ids[20:])  # the batch claimed meanwhile was handed back
    assert fake.accepted_ids == {str(i): 1 for i in ids if message(session, i).status == "sent"}
    assert run(engine, settings, sender, now=reset)["sent"] == len(held)
    assert fake.accepted_ids == {str(i): 1 for i in ids}


def test_a_500_makes_the_message_unknown_and_it_is_resent_only_after_the_wait(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid
) -> None:
    [first, second] = queue_staff_notices(session, 2)
    fake.script(message_id=first, status=500)
    sender = SendGridSender(settings, timeout=5.0, threads=1)
    try:
        run(engine, settings, sender)
        unknown = message(session, first)
        assert unknown.status == "unknown" and "500" in unknown.error
        assert unknown.next_attempt_at == NOW + timedelta(minutes=30)
        # A server error may be the start of an outage: the next request waits a little.
        assert message(session, second).status == "queued"
        run(engine, settings, sender, now=NOW + timedelta(seconds=30))
        assert message(session, second).status == "sent"
        assert run(engine, settings, sender, now=NOW + timedelta(minutes=29))["claimed"] == 0
        run(engine, settings, sender, now=NOW + timedelta(minutes=30))
    finally:
        sender.close()
    assert message(session, first).status == "sent"
    assert message(session, first).attempts == 2
    assert fake.accepted_ids == {str(first): 1, str(second): 1}


def test_a_503_is_not_accepted_so_the_message_is_retried_after_a_backoff_not_the_wait(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid
) -> None:
    ids = queue_staff_notices(session, 5)
    fake.script(status=503, times=1, headers={"Retry-After": "45"})
    sender = SendGridSender(settings, timeout=5.0, threads=1)
    try:
        run(engine, settings, sender)
        refused = message(session, ids[0])
        assert refused.status == "queued" and refused.attempts == 1
        assert "unavailable" in refused.error
        # SendGrid said when to come back; the batch was not sent into the outage.
        assert refused.next_attempt_at == NOW + timedelta(seconds=45)
        assert {message(session, i).status for i in ids} == {"queued"}
        assert run(engine, settings, sender, now=NOW + timedelta(seconds=45))["sent"] == 5
    finally:
        sender.close()
    assert fake.accepted_ids == {str(i): 1 for i in ids}


def test_an_outage_of_500s_leaves_only_the_requests_under_way_in_doubt(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    ids = queue_staff_notices(session, 300)
    fake.script(status=500, times=None)
    outage_end = NOW + timedelta(minutes=2)
    now = NOW
    while now < outage_end:  # the job runs every few seconds through a 2-minute outage
        run(engine, settings, sender, now=now)
        now += timedelta(seconds=5)
    in_doubt = [i for i in ids if message(session, i).status == "unknown"]
    # Each 500 pauses sending for 30 s: only the requests under way at each try are in doubt.
    assert 0 < len(in_doubt) <= 4 * 5
    fake.unscript()  # SendGrid is back
    run(engine, settings, sender, now=now + timedelta(seconds=30))
    assert sum(1 for i in ids if message(session, i).status == "sent") == 300 - len(in_doubt)
    run(engine, settings, sender, now=now + timedelta(minutes=31))
    assert set(statuses(session).values()) == {"sent"}
    assert fake.accepted_ids == {str(i): 1 for i in ids}


def test_an_unknown_message_the_provider_reported_on_is_settled_not_resent(
    sg_app: Flask,
    settings: Settings,
    session: Session,
    engine: Engine,
    fake: FakeSendGrid,
    signer: Signer,
) -> None:
    [only] = queue_staff_notices(session, 1)
    fake.script(message_id=only, delay=1.0)  # accepted, but the answer comes too late
    sender = SendGridSender(settings, timeout=0.2, threads=1)
    try:
        run(engine, settings, sender)
        assert message(session, only).status == "unknown"
        # Not yet processed by the events job: the stored event alone settles the message.
        assert provider_reports(sg_app, fake, signer, "delivered") == 1
        report = run(engine, settings, sender, now=NOW + timedelta(minutes=31))
    finally:
        sender.close()
    assert report["sent"] == 1
    assert message(session, only).status == "sent"
    assert len(fake.requests) == 1  # the provider had it: no second request


def test_a_rejected_address_fails_with_the_reason_and_the_others_are_sent(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    ids = queue_staff_notices(session, 8)
    fake.script(to="staff3@firm.example", status=400, body='{"errors":[{"message":"bad to"}]}')
    run(engine, settings, sender)
    failed = message(session, ids[3])
    assert failed.status == "failed" and "400" in failed.error and "bad to" in failed.error
    assert [s for i, s in statuses(session).items() if i != ids[3]] == ["sent"] * 7
    run(engine, settings, sender, now=NOW + timedelta(days=1))
    assert len(fake.requests) == 8  # nothing resent, the bad one included


def test_a_connection_error_retries_with_backoff_then_gives_up(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid
) -> None:
    [only] = queue_staff_notices(session, 1)
    fake.stop()  # nothing listens any more: connections are refused before sending
    sender = SendGridSender(settings, timeout=5.0, threads=1)
    now = NOW
    try:
        for attempt in (1, 2):
            run(engine, settings, sender, now=now)
            retry = message(session, only)
            assert retry.status == "queued" and retry.attempts == attempt
            assert retry.next_attempt_at > now
            now = retry.next_attempt_at
        run(engine, settings, sender, now=now)
    finally:
        sender.close()
    gave_up = message(session, only)
    assert gave_up.status == "failed" and "gave up after 3 attempts" in gave_up.error


def test_a_suppression_added_after_queueing_stops_the_message_at_send_time(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    contact = make_mail_contact(session)
    message_id = nurture(session, contact)
    session.add(
        Suppression(email=contact.email, category="all", reason="unsubscribe", created_at=NOW)
    )
    session.commit()
    run(engine, settings, sender)
    assert message(session, message_id).status == "suppressed"
    assert fake.requests == []


@pytest.mark.parametrize("change", ["consent withdrawn", "contact left"])
def test_consent_is_checked_again_at_send_time(
    settings: Settings,
    session: Session,
    engine: Engine,
    fake: FakeSendGrid,
    sender: Any,
    change: str,
) -> None:
    contact = make_mail_contact(session)
    message_id = nurture(session, contact)
    if change == "consent withdrawn":
        contact.consent_basis = ""
    else:
        contact.status = "left"
    session.add(contact)
    session.commit()
    run(engine, settings, sender)
    assert message(session, message_id).status == "cancelled"
    assert fake.requests == []


def test_a_meeting_logged_after_queueing_makes_automated_mail_step_back(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    contact = make_mail_contact(session)
    message_id = nurture(session, contact)
    account = session.get(Account, contact.account_id)
    for kind in ("meeting", "call"):
        make_touchpoint(session, account, contact_id=contact.id, kind=kind)
    run(engine, settings, sender)
    cancelled = message(session, message_id)
    assert cancelled.status == "cancelled" and "pressure" in cancelled.error
    assert fake.requests == []


def test_one_batch_does_not_overrun_a_contacts_budget(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    contact = make_mail_contact(session)
    ids = [nurture(session, contact, occurrence=str(n)) for n in range(2)]
    # Queued before a third was allowed in by hand (e.g. a planner bug): only two may go.
    copy = message(session, ids[0]).model_dump(exclude={"id"})
    session.add(OutboxMessage(**{**copy, "idempotency_key": "added-by-hand"}))
    session.commit()
    run(engine, settings, sender)
    assert sorted(statuses(session).values()) == ["cancelled", "sent", "sent"]


def test_outside_the_send_window_the_message_waits_for_the_contacts_morning(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    contact = make_mail_contact(session, timezone="Europe/Paris")
    message_id = nurture(session, contact)
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    run(engine, settings, sender, now=saturday)
    waiting = message(session, message_id)
    assert waiting.status == "queued" and waiting.attempts == 0
    assert waiting.next_attempt_at == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Mon 08:00 CET
    run(engine, settings, sender, now=waiting.next_attempt_at)
    assert message(session, message_id).status == "sent"


def test_a_dispatcher_that_dies_mid_batch_holds_only_the_messages_whose_request_started(
    sg_app: Flask,
    settings: Settings,
    session: Session,
    engine: Engine,
    fake: FakeSendGrid,
    sender: Any,
    signer: Signer,
) -> None:
    ids = queue_staff_notices(session, 4)
    claimed = claim_due(
        session, worker_id="dead", now=NOW, lease_until=NOW + timedelta(minutes=2), limit=4
    )
    # It started two requests: the first reached SendGrid, the second died on the way.
    for row in claimed[:2]:
        assert mark_requests_started(session.connection(), [row.id], worker_id="dead", at=NOW)
    session.commit()
    sender.send(outgoing(claimed[0]))
    provider_reports(sg_app, fake, signer, "processed")
    assert run(engine, settings, sender, now=NOW + timedelta(minutes=1))["claimed"] == 0
    report = run(engine, settings, sender, now=NOW + timedelta(minutes=2))
    assert report["lease_expired"] == 4
    # Never put on the wire: back in the queue at once, and sent in the same run.
    assert [message(session, i).status for i in ids] == ["unknown", "unknown", "sent", "sent"]
    assert message(session, ids[2]).attempts == 1
    run(engine, settings, sender, now=NOW + timedelta(minutes=32))
    assert set(statuses(session).values()) == {"sent"}
    assert fake.accepted_ids == {str(i): 1 for i in ids}


def test_a_dispatcher_that_lost_its_lease_before_a_request_does_not_send_it(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid, sender: Any
) -> None:
    [only] = queue_staff_notices(session, 1)
    claim_due(session, worker_id="slow", now=NOW, lease_until=NOW + timedelta(minutes=2), limit=1)
    session.commit()
    run(engine, settings, sender, now=NOW + timedelta(minutes=3), worker="other")
    assert fake.accepted_ids == {str(only): 1}
    # The slow one wakes up and would start its request: it no longer holds the message.
    assert not mark_requests_started(session.connection(), [only], worker_id="slow", at=NOW)


def test_a_claim_takes_the_oldest_due_messages_up_to_the_batch_size(
    sg_app: Flask, session: Session
) -> None:
    ids = queue_staff_notices(session, 30)
    lease = NOW + timedelta(minutes=2)
    first = claim_due(session, worker_id="w1", now=NOW, lease_until=lease, limit=10)
    second = claim_due(session, worker_id="w2", now=NOW, lease_until=lease, limit=10)
    session.commit()
    assert [claimed.id for claimed in first] == ids[:10]
    assert [claimed.id for claimed in second] == ids[10:20]
    assert sorted(statuses(session).values()) == ["queued"] * 10 + ["sending"] * 20


def test_two_dispatchers_at_once_send_each_message_once(
    settings: Settings, session: Session, engine: Engine, fake: FakeSendGrid
) -> None:
    ids = queue_staff_notices(session, 120)
    errors: list[BaseException] = []

    def dispatcher(name: str) -> None:
        sender = SendGridSender(settings, timeout=2.0, threads=2)
        try:
            run(engine, settings, sender, worker=name)
        except BaseException as error:
            errors.append(error)
        finally:
            sender.close()

    threads = [threading.Thread(target=dispatcher, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(statuses(session).values()) == {"sent"}
    assert fake.accepted_ids == {str(i): 1 for i in ids}
