"""An e-mail is queued inside its use case's transaction: `queue_email` never commits, so a use case
that fails after queueing leaves nothing in the outbox (no e-mail about a change that was not kept).

The failures are the database's: a commit or a flush refused through SQLAlchemy's session events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlmodel import Session, func, select

from advocacy.domain.referrals import IntroPreference
from advocacy.models import ClientLink, OutboxMessage, Referral
from advocacy.services.mail.queue import queue_email
from advocacy.services.voice import referrals, testimonial_mail
from advocacy.services.voice.referrals import Introduction
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_account, make_mail_contact, make_user


class DatabaseRefused(RuntimeError):
    """What the database says when it will not take the write."""


@pytest.fixture
def settings(app: Flask) -> Iterator[Settings]:
    with app.app_context():
        yield app.config["ADVOCACY"]


@contextmanager
def refused(session: Session, name: str, when: Callable[[Session], bool]) -> Iterator[None]:
    """The session's `name` event (before_commit, before_flush...) fails whenever `when` says so."""

    def fail(session: Session, *args: Any) -> None:
        if when(session):
            raise DatabaseRefused(name)

    event.listen(session, name, fail)
    try:
        yield
    finally:
        event.remove(session, name, fail)


def always(session: Session) -> bool:
    return True


def count(session: Session, model: type[Any]) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_queue_email_leaves_the_transaction_to_its_caller(
    settings: Settings, session: Session
) -> None:
    result = queue_email(
        session,
        category="transactional",
        template="staff_notice",
        to="owen@firm.example",
        source=("test", 1),
        context={"title": "Hello", "message": "Something to look at."},
        now=NOW,
    )
    assert result.queued and result.created
    session.rollback()
    assert count(session, OutboxMessage) == 0


def test_a_staff_ask_whose_commit_fails_queues_no_email_and_keeps_no_link(
    settings: Settings, session: Session
) -> None:
    owner = make_user(session, email="owen@firm.example")
    contact = make_mail_contact(session, make_account(session, owner=owner))
    with refused(session, "before_commit", always), pytest.raises(DatabaseRefused):
        referrals.ask_for_introduction(
            session, settings, contact.account_id, contact.id, by=owner, now=NOW
        )
    session.rollback()
    assert count(session, OutboxMessage) == 0
    assert count(session, ClientLink) == 0


def test_a_client_introduction_whose_commit_fails_notifies_no_owner(
    settings: Settings, session: Session
) -> None:
    owner = make_user(session, email="owen@firm.example")
    referrer = make_mail_contact(session, make_account(session, owner=owner))
    url = referrals.create_referral_link(session, settings, referrer, now=NOW)
    session.commit()
    intro = Introduction(
        "Paul Prospect", "Newco Ltd", "paul@newco.example", "", IntroPreference.CALL
    )
    with refused(session, "before_commit", always), pytest.raises(DatabaseRefused):
        referrals.introduce(session, settings, url.rsplit("/", 1)[1], intro, now=NOW)
    session.rollback()
    assert count(session, Referral) == 0
    assert count(session, OutboxMessage) == 0


def test_a_batch_of_emails_that_fails_half_way_queues_none_of_them(
    settings: Settings, session: Session
) -> None:
    # Two contacts with one address (a person who moved): one manage link e-mail each.
    for _ in range(2):
        make_mail_contact(session, email="ann@client.example")

    def second_message(session: Session) -> bool:
        return any(isinstance(row, OutboxMessage) for row in session.new) and (
            count_in_transaction(session) >= 1
        )

    with refused(session, "before_flush", second_message), pytest.raises(DatabaseRefused):
        testimonial_mail.renew_manage_link(session, settings, "ann@client.example", now=NOW)
    session.rollback()
    assert count(session, OutboxMessage) == 0


def count_in_transaction(session: Session) -> int:
    """Outbox rows this transaction already wrote (flushed), without flushing again."""
    with session.no_autoflush:
        return session.exec(select(func.count()).select_from(OutboxMessage)).one()
