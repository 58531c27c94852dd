"""The bulk form of queueing writes what `queue_email` called once per draft would write: the same
messages, the same refusals, the same keys, budget counted within the batch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.domain.mail import Category
from advocacy.domain.outbox import Refusal
from advocacy.models import ClientLink, OutboxMessage, Suppression
from advocacy.services.mail.queue import queue_email
from advocacy.services.mail.queue_bulk import Draft, queue_emails
from tests.conftest import NOW, count_queries
from tests.factories import make_account, make_mail_contact

TOKEN = re.compile(r"/c/unsubscribe/[A-Za-z0-9_\-]+")


@pytest.fixture
def ctx(app_factory: Any) -> Iterator[Flask]:
    app = app_factory(mail_pressure_per_account=2, mail_pressure_per_contact=2)
    with app.app_context():
        yield app


def drafts(session: Session) -> list[Draft]:
    shared = make_account(session)
    ann = make_mail_contact(session, shared, timezone="Europe/Paris")
    bob = make_mail_contact(session, shared, timezone="Europe/Paris")
    cyd = make_mail_contact(session, shared, timezone="Europe/Paris")  # third at one account
    tokyo = make_mail_contact(session, timezone="Asia/Tokyo")  # 18:30 there: waits
    gone = make_mail_contact(session, consent_basis="")
    muted = make_mail_contact(session)
    session.add(
        Suppression(email=muted.email, category="nurture", reason="unsubscribe", created_at=NOW)
    )
    session.commit()

    def draft(contact: Any, step: int = 1, **extra: Any) -> Draft:
        return Draft(
            category=Category.NURTURE,
            template="nurture_content",
            to=contact.email,
            contact_id=contact.id,
            source=("nurture_campaign", 7),
            occurrence=f"{step}:1",
            context={"item": {"title": "Tax news", "summary": "", "url": "https://x.example/a"}},
            to_name="A client",
            service_line_id=None,
            **extra,
        )

    return [
        draft(ann),
        draft(ann),  # the same key twice: one message
        draft(bob),
        draft(cyd),  # over the account's budget of two
        draft(tokyo),
        draft(gone),
        draft(muted),
        Draft(
            Category.TRANSACTIONAL,
            "nurture_content",
            "marketer@firm.example",
            context={"item": {"title": "T", "summary": "", "url": "https://x.example"}},
        ),
    ]


def snapshot(session: Session) -> list[dict[str, Any]]:
    found = []
    for message in session.exec(select(OutboxMessage).order_by(OutboxMessage.idempotency_key)):
        values = message.model_dump(exclude={"id"})
        for name in ("html_body", "text_body", "headers_json"):
            values[name] = TOKEN.sub("/c/unsubscribe/TOKEN", values[name])
        found.append(values)
    return found


def outcomes(results: list[Any]) -> list[tuple[bool, bool, Refusal | None]]:
    return [(r.message_id is not None, r.created, r.refusal) for r in results]


def test_the_bulk_form_writes_the_same_messages_and_refusals_as_one_call_each(
    ctx: Flask, session: Session
) -> None:
    batch = drafts(session)
    settings = ctx.config["ADVOCACY"]
    one_by_one = [
        queue_email(
            session,
            category=d.category,
            template=d.template,
            to=d.to,
            contact_id=d.contact_id,
            account_id=d.account_id,
            source=d.source,
            occurrence=d.occurrence,
            context=d.context,
            now=NOW,
            to_name=d.to_name,
            user_id=d.user_id,
            language=d.language,
            settings=settings,
            service_line_id=d.service_line_id,
        )
        for d in batch
    ]
    expected = snapshot(session)
    links = len(session.exec(select(ClientLink)).all())
    session.rollback()

    bulk = queue_emails(session, batch, now=NOW, settings=settings)
    assert outcomes(bulk) == outcomes(one_by_one)
    assert [r.refusal for r in bulk] == [
        None, None, None, Refusal.OVER_BUDGET, None, Refusal.NO_CONSENT, Refusal.SUPPRESSED, None
    ]  # fmt: skip
    assert bulk[0].message_id == bulk[1].message_id
    assert snapshot(session) == expected
    assert len(session.exec(select(ClientLink)).all()) == links
    # The contact in Tokyo is outside the send window: queued for when it opens.
    assert sum(m["next_attempt_at"] > NOW for m in snapshot(session)) == 1


def test_a_second_bulk_call_with_the_same_drafts_writes_nothing_new(
    ctx: Flask, session: Session
) -> None:
    batch = drafts(session)
    settings = ctx.config["ADVOCACY"]
    first = queue_emails(session, batch, now=NOW, settings=settings)
    session.commit()
    again = queue_emails(session, batch, now=NOW, settings=settings)
    assert [r.message_id for r in again if r.message_id] == [
        r.message_id for r in first if r.message_id
    ]
    assert not any(r.created for r in again)


def test_the_bulk_form_sends_the_same_statements_whatever_the_batch_size(
    ctx: Flask, engine: Engine, session: Session
) -> None:
    settings = ctx.config["ADVOCACY"]
    counts = []
    for size in (2, 12):
        contacts = [make_mail_contact(session) for _ in range(size)]
        batch = [
            Draft(Category.NURTURE, "nurture_content", c.email, contact_id=c.id, occurrence=str(size),
                  context={"item": {"title": "T", "summary": "", "url": "https://x.example"}})
            for c in contacts
        ]  # fmt: skip
        with count_queries(engine) as statements:
            results = queue_emails(session, batch, now=NOW, settings=settings)
        session.commit()
        assert all(r.created for r in results)
        counts.append(len(statements))
    assert counts[0] == counts[1]
