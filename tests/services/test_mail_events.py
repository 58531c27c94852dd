"""Processing SendGrid events: the message, the journey map and the address's suppressions change
as each event says, and processing twice changes nothing more. Events arrive as SendGrid sends
them: signed, through the real `/webhooks/sendgrid`, then processed by the jobs' service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from advocacy.domain.mail import Category, suppressed_for
from advocacy.domain.outbox import MESSAGE_ID_ARG
from advocacy.models import ConsentChange, MailEvent, OutboxMessage, Suppression, Touchpoint
from advocacy.repository.mail import suppressed_categories
from advocacy.services.mail.events import process_pending_events
from tests.conftest import NOW
from tests.factories import make_account, make_contact, make_sent_message
from tests.sendgrid_events import Signer, post_events

EMAIL = "dana@client.example"
ASM = {41: Category.SURVEY, 42: Category.NURTURE}
_ids = iter(range(1, 10_000))


@pytest.fixture
def message(session: Session) -> OutboxMessage:
    account = make_account(session, name="Client SA")
    contact = make_contact(session, account, full_name="Dana", email=EMAIL)
    return make_sent_message(
        session,
        to_email=EMAIL,
        contact_id=contact.id,
        account_id=account.id,
        provider_message_id="sgid1",
        subject="Our autumn letter",
    )


Deliver = Callable[..., int]


@pytest.fixture
def deliver(app_factory: Any) -> Deliver:
    """Post events signed to the webhook of a running app, then process what it stored."""
    signer = Signer()
    client = app_factory(sendgrid_webhook_public_key=signer.public_key).test_client()

    def post_and_process(session: Session, *events: dict[str, Any]) -> int:
        post_events(client, signer, events)
        session.expire_all()
        return process_pending_events(session, NOW, asm_groups=ASM)

    return post_and_process


def event(message: OutboxMessage | None, kind: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("sg_event_id", f"evt-{next(_ids)}")
    fields.setdefault("email", message.to_email if message else EMAIL)
    fields.setdefault("timestamp", int((NOW - timedelta(minutes=5)).timestamp()))
    if message is not None:
        fields.setdefault(MESSAGE_ID_ARG, str(message.id))
        fields.setdefault("sg_message_id", f"{message.provider_message_id}.filter01.1")
    return {"event": kind, **fields}


def touchpoints(session: Session) -> list[Touchpoint]:
    return list(session.exec(select(Touchpoint).order_by(Touchpoint.id)))


def suppressions(session: Session) -> dict[str, str]:
    rows = session.exec(select(Suppression).where(Suppression.email == EMAIL))
    return {row.category: row.reason for row in rows}


def consent_log(session: Session) -> list[tuple[str, str, str]]:
    rows = session.exec(select(ConsentChange).order_by(ConsentChange.id))
    return [(row.category, row.action, row.via) for row in rows]


def test_delivered_updates_the_message_and_becomes_a_firm_touchpoint(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    assert deliver(session, event(message, "processed"), event(message, "delivered")) == 2
    session.refresh(message)
    assert message.delivery == "delivered"
    found = touchpoints(session)
    assert [(t.kind, t.initiative, t.source, t.contact_id) for t in found] == [
        ("email", "firm", "system", message.contact_id),
        ("email", "firm", "system", message.contact_id),
    ]
    assert found[1].summary == "E-mail delivered: Our autumn letter"
    assert found[0].account_id == message.account_id


def test_opens_and_clicks_are_the_clients_initiative_once_per_message(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(
        session,
        event(message, "open"),
        event(message, "open"),
        event(message, "click", url="https://firm.example/letter"),
    )
    session.refresh(message)
    assert message.delivery == "click"
    assert [(t.summary.split(":")[0], t.initiative) for t in touchpoints(session)] == [
        ("E-mail opened", "client"),
        ("Link clicked in e-mail", "client"),
    ]


def test_a_late_processed_event_never_hides_a_delivery(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "delivered"))
    deliver(session, event(message, "processed"))
    session.refresh(message)
    assert message.delivery == "delivered"


def test_a_message_in_unknown_state_becomes_sent_when_an_event_proves_it_left(
    deliver: Deliver,
    session: Session,
) -> None:
    message = make_sent_message(session, status="unknown", to_email=EMAIL)
    deliver(session, event(message, "processed", sg_message_id="newid.filter.1"))
    session.refresh(message)
    assert (message.status, message.provider_message_id) == ("sent", "newid")
    assert message.sent_at is not None


def test_events_are_matched_by_provider_id_and_address_when_custom_args_are_missing(
    deliver: Deliver,
    session: Session,
) -> None:
    # One request with two personalizations: both messages share SendGrid's message id.
    first = make_sent_message(session, to_email="a@client.example", provider_message_id="batch")
    second = make_sent_message(session, to_email="b@client.example", provider_message_id="batch")
    raw = event(second, "delivered")
    del raw[MESSAGE_ID_ARG]
    deliver(session, raw)
    session.refresh(first)
    session.refresh(second)
    assert (first.delivery, second.delivery) == ("", "delivered")
    stored = session.exec(select(MailEvent)).one()
    assert stored.message_id == second.id


def test_a_custom_arg_pointing_at_another_address_is_not_trusted(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    other = make_sent_message(session, to_email="other@client.example")
    deliver(session, event(message, "delivered", **{MESSAGE_ID_ARG: str(other.id)}))
    session.refresh(other)
    session.refresh(message)
    assert other.delivery == ""
    assert message.delivery == "delivered"  # found through the provider id and address


def test_a_hard_bounce_stops_all_mail_including_transactional(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "bounce", type="bounce", reason="550 no such user"))
    assert suppressions(session) == {"all": "bounce"}
    found = suppressed_categories(session, EMAIL)
    assert suppressed_for(Category.TRANSACTIONAL, found)
    assert consent_log(session) == []  # a bounce is not the client's choice
    session.refresh(message)
    assert message.delivery == "bounce"


def test_a_blocked_bounce_is_temporary_and_suppresses_nothing(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "bounce", type="blocked", reason="IP reputation"))
    assert suppressions(session) == {}
    session.refresh(message)
    assert message.delivery == "blocked"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("Invalid", {"all": "dropped"}),
        ("Bounced Address", {"all": "bounce"}),
        ("Spam Reporting Address", {"all": "spamreport"}),
        ("Invalid SMTPAPI header", {}),
        ("Unsubscribed Address", {"all": "unsubscribe"}),
    ],
)
def test_a_dropped_message_suppresses_according_to_its_reason(
    deliver: Deliver,
    session: Session,
    message: OutboxMessage,
    reason: str,
    expected: dict[str, str],
) -> None:
    deliver(session, event(message, "dropped", reason=reason))
    assert suppressions(session) == expected


def test_a_spam_report_stops_every_client_facing_category_and_is_recorded(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "spamreport"))
    assert suppressions(session) == {"all": "spamreport"}
    found = suppressed_categories(session, EMAIL)
    assert not suppressed_for(Category.TRANSACTIONAL, found)
    assert all(suppressed_for(c, found) for c in Category if c is not Category.TRANSACTIONAL)
    assert consent_log(session) == [("all", "unsubscribe", "webhook")]
    assert touchpoints(session)[0].initiative == "client"


def test_an_unsubscribe_event_stops_all_client_facing_mail(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "unsubscribe"))
    assert suppressions(session) == {"all": "unsubscribe"}
    assert consent_log(session) == [("all", "unsubscribe", "webhook")]
    change = session.exec(select(ConsentChange)).one()
    assert change.contact_id == message.contact_id


def test_a_group_unsubscribe_stops_only_that_groups_category(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "group_unsubscribe", asm_group_id=41))
    assert suppressions(session) == {"survey": "unsubscribe"}
    found = suppressed_categories(session, EMAIL)
    assert suppressed_for(Category.SURVEY, found)
    assert not suppressed_for(Category.NURTURE, found)
    assert consent_log(session) == [("survey", "unsubscribe", "webhook")]


def test_a_group_resubscribe_lifts_that_category_only(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "unsubscribe"))
    deliver(session, event(message, "group_resubscribe", asm_group_id=42))
    # Everything else stays withdrawn, now one row per category.
    assert suppressions(session) == {
        "survey": "unsubscribe",
        "advocacy_ask": "unsubscribe",
        "reference_request": "unsubscribe",
    }
    assert consent_log(session)[-1] == ("nurture", "resubscribe", "webhook")


def test_a_group_we_do_not_map_changes_no_suppression(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "group_unsubscribe", asm_group_id=999))
    assert suppressions(session) == {}


def test_a_resubscribe_never_lifts_a_spam_report(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(session, event(message, "spamreport"))
    deliver(session, event(message, "group_resubscribe", asm_group_id=42))
    assert suppressions(session) == {"all": "spamreport"}


def test_an_unsubscribe_for_an_address_without_a_message_still_suppresses_it(
    deliver: Deliver,
    session: Session,
) -> None:
    deliver(session, event(None, "unsubscribe"))
    assert suppressions(session) == {"all": "unsubscribe"}
    assert touchpoints(session) == []


def test_staff_mail_without_a_contact_makes_no_touchpoint(
    deliver: Deliver, session: Session
) -> None:
    message = make_sent_message(session, category="transactional", to_email="ann@firm.example")
    deliver(session, event(message, "delivered"))
    assert touchpoints(session) == []
    session.refresh(message)
    assert message.delivery == "delivered"


def test_processing_twice_changes_nothing_more(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    raws = [
        event(message, "delivered"),
        event(message, "open"),
        event(message, "group_unsubscribe", asm_group_id=41),
        event(message, "bounce", type="bounce"),
    ]
    deliver(session, *raws)
    before = (len(touchpoints(session)), suppressions(session), consent_log(session))
    # The same events again (a retry from SendGrid), then another processing run.
    assert deliver(session, *raws) == 0
    assert process_pending_events(session, NOW, asm_groups=ASM) == 0
    assert (len(touchpoints(session)), suppressions(session), consent_log(session)) == before
    assert all(row.processed_at == NOW for row in session.exec(select(MailEvent)))


def test_an_event_dated_after_now_becomes_a_touchpoint_dated_now(
    deliver: Deliver, session: Session, message: OutboxMessage
) -> None:
    deliver(
        session, event(message, "open", timestamp=int((NOW + timedelta(minutes=2)).timestamp()))
    )
    assert touchpoints(session)[0].occurred_at == NOW


def test_a_failing_event_is_set_aside_and_the_others_are_processed(
    deliver: Deliver, session: Session, message: OutboxMessage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advocacy.services.mail import events as mail_events

    real = mail_events._process_one

    def explode_on_open(session: Session, row: MailEvent, *args: Any) -> None:
        if row.event == "open":
            raise RuntimeError("boom")
        real(session, row, *args)

    monkeypatch.setattr(mail_events, "_process_one", explode_on_open)
    deliver(session, event(message, "delivered"), event(message, "open"), event(message, "click"))
    session.refresh(message)
    assert message.delivery == "click"
    assert all(row.processed_at == NOW for row in session.exec(select(MailEvent)))
    assert [t.summary.split(":")[0] for t in touchpoints(session)] == [
        "E-mail delivered",
        "Link clicked in e-mail",
    ]
