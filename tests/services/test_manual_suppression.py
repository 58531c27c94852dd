"""Staff suppress an address by hand: who, when and why are kept, asking twice changes nothing, a
stronger reason is never weakened, and a message already queued is refused at send time."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.adapters.sendgrid_mail import SendGridSender
from advocacy.models import ConsentChange, OutboxMessage, Suppression
from advocacy.services.mail import consent
from advocacy.services.mail.dispatch import dispatch_due
from advocacy.services.mail.queue import queue_email
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_mail_contact, make_user
from tests.fake_sendgrid import FakeSendGrid

EMAIL = "dana@client.example"


@pytest.fixture
def settings(app_factory: Any, fake: FakeSendGrid) -> Iterator[Settings]:
    app: Flask = app_factory(
        mail_backend="sendgrid", sendgrid_api_key="SG.test", sendgrid_host=fake.url
    )
    with app.app_context():  # queueing renders the message's templates
        yield app.config["ADVOCACY"]


def rows(session: Session) -> dict[tuple[str, str], tuple[str, str]]:
    session.expire_all()
    return {
        (row.email, row.category): (row.reason, row.source)
        for row in session.exec(select(Suppression))
    }


def changes(session: Session) -> list[ConsentChange]:
    return list(session.exec(select(ConsentChange).order_by(ConsentChange.id)))


def queue_nurture(session: Session, contact: Any) -> int:
    result = queue_email(
        session,
        category="nurture",
        template="example_nurture",
        to=contact.email,
        contact_id=contact.id,
        source=("nurture_step", 1),
        context={"topic": "Cash flow"},
        now=NOW,
    )
    assert result.queued, result
    return result.message_id


def dispatch(engine: Engine, settings: Settings) -> None:
    sender = SendGridSender(settings, timeout=2, threads=1)
    try:
        dispatch_due(engine, settings, sender, now=NOW, worker_id="w1", rng=random.Random(3))
    finally:
        sender.close()


def status_of(session: Session, message_id: int) -> str:
    session.expire_all()
    found = session.get(OutboxMessage, message_id)
    assert found is not None
    return found.status


@pytest.mark.parametrize(
    ("categories", "expected"), [(["nurture"], "suppressed"), (["survey"], "sent")]
)
def test_a_manual_suppression_refuses_a_queued_message_of_that_category_at_send_time(
    settings: Settings,
    session: Session,
    engine: Engine,
    fake: FakeSendGrid,
    categories: list[str],
    expected: str,
) -> None:
    staff = make_user(session, role="admin", email="boss@firm.example")
    contact = make_mail_contact(session, email=EMAIL)
    message_id = queue_nurture(session, contact)
    consent.add_manual_suppression(
        session, "Dana@Client.Example", categories, reason="Asked by phone", by=staff, now=NOW
    )
    dispatch(engine, settings)
    assert status_of(session, message_id) == expected
    assert len(fake.requests) == (1 if expected == "sent" else 0)


def test_a_manual_suppression_keeps_who_when_and_why_and_is_logged_as_consent(
    session: Session,
) -> None:
    staff = make_user(session, role="admin", email="boss@firm.example")
    done = consent.add_manual_suppression(
        session, "  Dana@Client.EXAMPLE ", ["all"], reason=" Asked by phone ", by=staff, now=NOW
    )
    assert done.email == EMAIL and done.changed and done.added == {"all"}
    assert rows(session) == {(EMAIL, "all"): ("manual", "staff boss@firm.example: Asked by phone")}
    [row] = session.exec(select(Suppression)).all()
    assert row.created_at == NOW
    [change] = changes(session)
    assert (change.email, change.category, change.action, change.via, change.at) == (
        EMAIL,
        "all",
        "suppress",
        "staff",
        NOW,
    )
    assert change.detail == "manual suppression added by boss@firm.example: Asked by phone"


def test_adding_the_same_manual_suppression_again_changes_nothing_and_says_so(
    session: Session,
) -> None:
    staff = make_user(session, role="admin")
    first = consent.add_manual_suppression(
        session, EMAIL, ["survey", "nurture"], reason="Asked by phone", by=staff, now=NOW
    )
    before = rows(session)
    again = consent.add_manual_suppression(
        session, EMAIL.upper(), ["nurture", "survey"], reason="Asked again", by=staff, now=NOW
    )
    assert first.added == {"survey", "nurture"}
    assert not again.changed and again.already == {"survey", "nurture"}
    assert rows(session) == before
    assert len(changes(session)) == 2


def test_choosing_all_with_some_categories_writes_the_one_row_that_covers_them(
    session: Session,
) -> None:
    staff = make_user(session, role="admin")
    consent.add_manual_suppression(
        session, EMAIL, ["survey", "all"], reason="Asked by phone", by=staff, now=NOW
    )
    assert set(rows(session)) == {(EMAIL, "all")}


def test_a_manual_suppression_never_weakens_what_a_bounce_or_the_client_caused(
    session: Session,
) -> None:
    staff = make_user(session, role="admin")
    for category, reason in [("all", "bounce"), ("survey", "unsubscribe")]:
        session.add(Suppression(email=EMAIL, category=category, reason=reason, created_at=NOW))
    session.commit()
    done = consent.add_manual_suppression(
        session, EMAIL, ["all"], reason="Asked by phone", by=staff, now=NOW
    )
    assert not done.changed
    assert {key: reason for key, (reason, _source) in rows(session).items()} == {
        (EMAIL, "all"): "bounce",
        (EMAIL, "survey"): "unsubscribe",
    }
    assert changes(session) == []


def test_staff_can_remove_the_suppression_they_added(session: Session) -> None:
    staff = make_user(session, role="admin")
    consent.add_manual_suppression(
        session, EMAIL, ["nurture"], reason="Asked by phone", by=staff, now=NOW
    )
    [row] = session.exec(select(Suppression)).all()
    consent.remove_manual_suppression(session, row.id, by=staff, now=NOW)
    assert rows(session) == {}
    assert [c.action for c in changes(session)] == ["suppress", "lift"]


@pytest.mark.parametrize(
    ("email", "categories", "reason", "field"),
    [
        ("not-an-address", ["all"], "Asked", "email"),
        ("a@" + "b" * 250 + ".example", ["all"], "Asked", "email"),
        (EMAIL, [], "Asked", "categories"),
        (EMAIL, ["transactional"], "Asked", "categories"),
        (EMAIL, ["bogus"], "Asked", "categories"),
        (EMAIL, ["all"], "   ", "reason"),
        (EMAIL, ["all"], "x" * 201, "reason"),
    ],
)
def test_a_refused_manual_suppression_writes_nothing(
    session: Session, email: str, categories: list[str], reason: str, field: str
) -> None:
    staff = make_user(session, role="admin")
    with pytest.raises(consent.SuppressionRefused) as refused:
        consent.add_manual_suppression(session, email, categories, reason=reason, by=staff, now=NOW)
    assert refused.value.field == field
    assert rows(session) == {} and changes(session) == []
