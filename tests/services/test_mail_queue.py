"""Queueing e-mail: rendered once, written once per key, refused (not written) when it may not go."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from advocacy.domain.outbox import Refusal
from advocacy.models import Account, ClientLink, Contact, OutboxMessage, Suppression
from advocacy.services.access.client_links import resolve_link
from advocacy.services.mail.queue import queue_email
from tests.conftest import NOW
from tests.factories import make_account, make_mail_contact, make_touchpoint


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def nurture(session: Session, contact: Any, **extra: Any) -> Any:
    options: dict[str, Any] = {
        "category": "nurture",
        "template": "example_nurture",
        "to": contact.email,
        "contact_id": contact.id,
        "source": ("nurture_step", 1),
        "occurrence": "1",
        "context": {"topic": "Succession planning", "recipient_name": "Ann"},
        "now": NOW,
    }
    options.update(extra)
    return queue_email(session, **options)


def count_messages(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def test_a_client_email_is_rendered_with_unsubscribe_link_headers_and_footer(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session)
    result = nurture(session, contact)
    assert result.queued and result.created
    message = session.get(OutboxMessage, result.message_id)
    assert message is not None
    settings = ctx.config["ADVOCACY"]
    assert message.subject == f"A note from {settings.firm_name}: Succession planning"
    headers = json.loads(message.headers_json)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith(settings.base_url + "/c/unsubscribe/")
    token = url.rsplit("/", 1)[1]
    link = resolve_link(session, token, purpose="unsubscribe", now=NOW)
    assert link is not None and link.email == contact.email and link.contact_id == contact.id
    for body in (message.html_body, message.text_body):
        assert url in body  # the visible link is the same opaque URL
        assert settings.firm_name in body
        assert settings.firm_postal_address in body
    assert "Dear Ann," in message.text_body
    assert message.account_id == contact.account_id
    assert message.status == "queued" and message.next_attempt_at == NOW


def test_each_client_email_gets_its_own_opaque_link(ctx: Flask, session: Session) -> None:
    contact = make_mail_contact(session)
    first = nurture(session, contact, occurrence="1")
    second = nurture(session, contact, occurrence="2")
    urls = {
        json.loads(session.get(OutboxMessage, r.message_id).headers_json)["List-Unsubscribe"]
        for r in (first, second)
    }
    assert len(urls) == 2


def test_a_transactional_email_has_no_unsubscribe_headers_but_the_footer(
    ctx: Flask, session: Session
) -> None:
    result = queue_email(
        session,
        category="transactional",
        template="staff_notice",
        to="Partner@Firm.example",
        source=("digest", 4),
        context={"title": "Your week & more", "message": "Three check-ins are due."},
        now=NOW,
    )
    message = session.get(OutboxMessage, result.message_id)
    assert message.to_email == "partner@firm.example"
    assert message.subject == "Your week & more"  # plain text, not HTML-escaped
    assert json.loads(message.headers_json) == {}
    assert "unsubscribe" not in message.text_body.lower()
    assert ctx.config["ADVOCACY"].firm_postal_address in message.text_body
    assert session.exec(select(func.count()).select_from(ClientLink)).one() == 0


def test_client_text_is_escaped_in_html_but_not_in_the_text_body(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session)
    result = nurture(session, contact, context={"topic": "<b>R&D</b>", "recipient_name": "A"})
    message = session.get(OutboxMessage, result.message_id)
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in message.html_body
    assert "<b>R&D</b>" in message.text_body


def test_queueing_the_same_key_twice_writes_one_message(ctx: Flask, session: Session) -> None:
    contact = make_mail_contact(session)
    first = nurture(session, contact)
    second = nurture(session, contact)
    assert second.queued and not second.created
    assert second.message_id == first.message_id
    assert count_messages(session) == 1
    assert session.exec(select(func.count()).select_from(ClientLink)).one() == 1


def test_two_processes_racing_on_one_key_write_one_message(
    ctx: Flask, session: Session, engine: Engine
) -> None:
    contact_id = make_mail_contact(session).id
    barrier = threading.Barrier(4)
    results: list[Any] = []

    def queue() -> None:
        with ctx.app_context(), Session(engine) as own:
            contact = own.get(Contact, contact_id)
            barrier.wait()
            results.append(nurture(own, contact))
            own.commit()  # the caller's use case commits what queue_email wrote

    threads = [threading.Thread(target=queue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(r.queued for r in results)
    assert len({r.message_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert count_messages(session) == 1


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"consent_basis": ""}, Refusal.NO_CONSENT),
        ({"status": "left"}, Refusal.CONTACT_INACTIVE),
        ({"status": "retired"}, Refusal.CONTACT_INACTIVE),
    ],
)
def test_a_client_email_without_consent_or_to_a_departed_contact_is_refused_and_not_written(
    ctx: Flask, session: Session, fields: dict, refusal: Refusal
) -> None:
    contact = make_mail_contact(session, consent_basis=fields.get("consent_basis", "contract"))
    if "status" in fields:
        contact.status = fields["status"]
        session.add(contact)
        session.commit()
    result = nurture(session, contact)
    assert not result.queued and result.refusal is refusal and result.message_id is None
    assert count_messages(session) == 0


@pytest.mark.parametrize(
    ("category", "refused"), [("nurture", True), ("all", True), ("survey", False)]
)
def test_a_suppressed_address_is_refused_for_its_categories(
    ctx: Flask, session: Session, category: str, refused: bool
) -> None:
    contact = make_mail_contact(session)
    session.add(
        Suppression(email=contact.email, category=category, reason="unsubscribe", created_at=NOW)
    )
    session.commit()
    result = nurture(session, contact)
    assert (result.refusal is Refusal.SUPPRESSED) is refused
    assert count_messages(session) == (0 if refused else 1)


def test_a_client_email_must_name_a_contact(ctx: Flask, session: Session) -> None:
    result = queue_email(
        session,
        category="survey",
        template="example_nurture",
        to="someone@client.example",
        context={"topic": "x"},
        now=NOW,
    )
    assert result.refusal is Refusal.NO_CONTACT


def test_the_pressure_budget_counts_pending_mail_and_logged_meetings(
    ctx: Flask, session: Session
) -> None:
    # Default budget: 2 client e-mails (or conversations) per contact in 14 days.
    contact = make_mail_contact(session)
    assert nurture(session, contact, occurrence="1").queued
    account = session.get(Account, contact.account_id)
    make_touchpoint(session, account, contact_id=contact.id, kind="meeting")
    refused = nurture(session, contact, occurrence="2")
    assert refused.refusal is Refusal.OVER_BUDGET
    assert "contact" in refused.detail


def test_the_account_budget_spares_the_fifth_stakeholder_in_a_week(
    ctx: Flask, session: Session
) -> None:
    account = make_account(session)
    contacts = [make_mail_contact(session, account) for _ in range(6)]
    results = [nurture(session, contact) for contact in contacts]
    assert [r.queued for r in results] == [True] * 5 + [False]
    assert results[-1].refusal is Refusal.OVER_BUDGET


def test_a_client_email_queued_outside_the_window_waits_for_the_contacts_morning(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session, timezone="America/New_York")
    result = nurture(session, contact)  # 09:30 UTC is 04:30 in New York
    message = session.get(OutboxMessage, result.message_id)
    assert message.next_attempt_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def test_the_email_is_rendered_in_the_contacts_language(ctx: Flask, session: Session) -> None:
    contact = make_mail_contact(session, language="fr")
    message = session.get(OutboxMessage, nurture(session, contact).message_id)
    assert message.language == "fr"
    assert 'lang="fr"' in message.html_body


def test_a_missing_template_is_an_error_not_a_blank_email(ctx: Flask, session: Session) -> None:
    from advocacy.adapters.email_templates import TemplateMissing

    with pytest.raises(TemplateMissing):
        queue_email(
            session, category="transactional", template="nope", to="a@firm.example", now=NOW
        )
    session.rollback()
    assert count_messages(session) == 0


def test_sent_mail_outside_the_period_no_longer_counts(ctx: Flask, session: Session) -> None:
    contact = make_mail_contact(session)
    for occurrence in ("1", "2"):
        message = session.get(
            OutboxMessage, nurture(session, contact, occurrence=occurrence).message_id
        )
        message.status, message.sent_at = "sent", NOW - timedelta(days=20)
        session.add(message)
        session.commit()
    assert nurture(session, contact, occurrence="3").queued
