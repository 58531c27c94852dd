"""Property: whatever happens between queueing and sending, no client-facing e-mail reaches a
suppressed, unconsented or departed contact (seeded random scenarios, checked at send time)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from advocacy.adapters.mail_delivery import LocalOutbox
from advocacy.domain.mail import CLIENT_FACING, Category, suppressed_for
from advocacy.models import Contact, OutboxMessage, Suppression
from advocacy.services.mail.dispatch import dispatch_due
from advocacy.services.mail.queue import queue_email
from tests.conftest import NOW
from tests.factories import make_account, make_mail_contact

SUPPRESSION_CATEGORIES = ["all", "nurture", "survey", "advocacy_ask", "reference_request"]


@pytest.fixture
def ctx(app_factory) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    # A generous budget: this test is about consent, not pressure.
    app = app_factory(mail_pressure_per_contact=50, mail_pressure_per_account=500)
    with app.app_context():
        yield app


def random_contact_state(session: Session, contact: Contact, rng: random.Random) -> None:
    """Change consent, status or suppressions the way staff, imports and the webhook can."""
    roll = rng.random()
    if roll < 0.2:
        contact.consent_basis = ""
    elif roll < 0.35:
        contact.status = rng.choice(["left", "retired"])
    elif roll < 0.45:
        contact.consent_basis, contact.status = "contract", "active"
    session.add(contact)
    if rng.random() < 0.3:
        category = rng.choice(SUPPRESSION_CATEGORIES)
        exists = session.exec(
            select(Suppression).where(
                Suppression.email == contact.email, Suppression.category == category
            )
        ).first()
        if exists is None:
            session.add(
                Suppression(
                    email=contact.email,
                    category=category,
                    reason=rng.choice(["unsubscribe", "bounce", "spamreport"]),
                    created_at=NOW,
                )
            )
    session.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_client_email_reaches_a_suppressed_unconsented_or_departed_contact(
    ctx: Flask, session: Session, engine: Engine, seed: int
) -> None:
    rng = random.Random(seed)
    settings = ctx.config["ADVOCACY"]
    contacts = [make_mail_contact(session, make_account(session)) for _ in range(12)]
    for contact in contacts:
        random_contact_state(session, contact, rng)
    for step in range(40):
        contact = rng.choice(contacts)
        queue_email(
            session,
            category=rng.choice(sorted(CLIENT_FACING)),
            template="example_nurture",
            to=contact.email,
            contact_id=contact.id,
            source=("property", seed),
            occurrence=str(step),
            context={"topic": "x"},
            now=NOW,
        )
        session.commit()  # each queueing is its own use case here
        if rng.random() < 0.3:
            random_contact_state(session, rng.choice(contacts), rng)
    dispatch_due(engine, settings, LocalOutbox(), now=NOW, worker_id="property")

    session.expire_all()
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).all()
    assert sent, "the scenario should let some mail through"
    stopped = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.status).in_(["suppressed", "cancelled"]))
    ).all()
    assert stopped, "the scenario should change some contacts between queueing and sending"
    for message in sent:
        contact = session.get(Contact, message.contact_id)
        assert contact is not None
        suppressions = session.exec(
            select(Suppression).where(Suppression.email == message.to_email)
        ).all()
        categories = {s.category for s in suppressions} | {
            "bounce" for s in suppressions if s.reason == "bounce"
        }
        assert not suppressed_for(Category(message.category), categories), message.id
        assert contact.consent_basis, message.id
        assert contact.status == "active", message.id
