"""Loading the demo firm: the same seed gives the same firm, a second run adds nothing, rows added
afterwards get fresh ids, and mail waiting before it is left alone (what the loaded firm shows is
in test_demo_firm.py)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from advocacy.demo import loader
from advocacy.models import (
    Account,
    AccountCreate,
    Campaign,
    Contact,
    ContentItem,
    Engagement,
    Enrolment,
    OutboxMessage,
    PermissionChange,
    ReferenceCall,
    Referral,
    StageChange,
    StepRecord,
    Survey,
    Touchpoint,
    User,
)
from advocacy.models import Testimonial as Quote  # pytest would collect Test* names
from advocacy.models import TestimonialPermission as Permission
from advocacy.services.journey.accounts import add_account
from advocacy.services.mail.queue import queue_email
from tests.conftest import empty_all_tables
from tests.services.test_demo_firm import demo_accounts


@pytest.fixture(autouse=True)
def in_the_app(app: Flask) -> Iterator[None]:
    """The demo's client voice goes through the outbox, whose e-mails the app renders."""
    with app.app_context():
        yield


def _fingerprint(session: Session) -> str:
    """The demo's content, without database ids (another run may start them elsewhere)."""
    digest = hashlib.sha256()
    accounts = {a.id: a.external_id for a in demo_accounts(session)}
    for a in demo_accounts(session):
        digest.update(repr((a.external_id, a.name, a.stage, a.camp, a.stage_since)).encode())
    contact_key: dict[int | None, str] = {None: ""}
    for c in session.exec(select(Contact).order_by(col(Contact.id))):
        contact_key[c.id] = c.email or ""
        digest.update(repr((accounts.get(c.account_id), c.email, c.title, c.status)).encode())
    for e in session.exec(select(Engagement).order_by(col(Engagement.id))):
        digest.update(repr((accounts.get(e.account_id), e.title, e.status, e.start_date)).encode())
    for t in session.exec(select(Touchpoint).order_by(col(Touchpoint.id))):
        row = (accounts.get(t.account_id), contact_key[t.contact_id], t.kind, t.occurred_at)
        digest.update(repr(row).encode())
    for s in session.exec(select(Survey).order_by(col(Survey.id))):
        row = (contact_key[s.contact_id], s.kind, s.status, s.score, s.comment, s.sent_at)
        digest.update(repr(row).encode())
    for q in session.exec(select(Quote).order_by(col(Quote.id))):
        row = (contact_key[q.contact_id], q.body, q.status, q.outcomes, q.published_at)
        digest.update(repr(row).encode())
    for p in session.exec(select(PermissionChange).order_by(col(PermissionChange.id))):
        digest.update(repr((p.use, p.action, p.expires_on, p.at)).encode())
    for r in session.exec(select(Referral).order_by(col(Referral.id))):
        digest.update(repr((contact_key[r.referrer_contact_id], r.name, r.status)).encode())
    for i in session.exec(select(ContentItem).order_by(col(ContentItem.id))):
        row = (i.kind, i.language, i.title, i.url, i.valid_from, i.valid_until)
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _testimonials(session: Session) -> list[tuple[object, ...]]:
    """Who said what, how it stands and what they allowed, in the order it was written."""
    emails = dict(session.exec(select(Contact.id, Contact.email)).all())
    uses = defaultdict(list)
    for permission in session.exec(select(Permission).order_by(col(Permission.use))):
        uses[permission.testimonial_id].append((permission.use, permission.expires_on))
    return [
        (emails[q.contact_id], q.body, q.status, q.rating, q.outcomes, uses[q.id])
        for q in session.exec(select(Quote).order_by(col(Quote.id)))
    ]


def test_the_same_seed_gives_the_same_firm_and_client_voice_and_another_seed_another(
    session: Session, engine: Engine, now: datetime
) -> None:
    loader.load_demo(session, size="small", now=now, seed=7)
    first, quotes = _fingerprint(session), _testimonials(session)
    assert len(quotes) >= 15
    empty_all_tables(engine)
    loader.load_demo(session, size="small", now=now, seed=7)
    assert _testimonials(session) == quotes
    assert _fingerprint(session) == first
    empty_all_tables(engine)
    loader.load_demo(session, size="small", now=now, seed=8)
    assert _testimonials(session) != quotes
    assert _fingerprint(session) != first


VOICE_AND_FIRM_AND_STAFF = (
    Account,
    Campaign,
    Enrolment,
    StepRecord,
    ContentItem,
    Contact,
    Engagement,
    Touchpoint,
    StageChange,
    Survey,
    Quote,
    PermissionChange,
    Referral,
    ReferenceCall,
    OutboxMessage,
    User,
)


def test_a_second_run_adds_nothing_and_rows_added_afterwards_get_fresh_ids(
    session: Session, now: datetime
) -> None:
    loader.load_demo(session, size="small", now=now)
    counts = [
        session.exec(select(func.count()).select_from(model)).one()
        for model in VOICE_AND_FIRM_AND_STAFF
    ]
    again = loader.load_demo(session, size="large", now=now)
    assert again.created == {} and again.skipped["accounts"] == 60
    assert again.skipped["staff"] == len(loader.DEMO_STAFF)
    assert counts == [
        session.exec(select(func.count()).select_from(model)).one()
        for model in VOICE_AND_FIRM_AND_STAFF
    ]
    # The demo assigns ids itself; on PostgreSQL the sequences must have moved past them.
    account = add_account(session, AccountCreate(name="Brand New Client"), by=None, now=now)
    session.commit()
    assert account.id is not None and account.id > 60
    assert session.exec(select(func.count()).select_from(StageChange)).one() > 60


def test_mail_waiting_before_the_demo_is_left_to_the_real_dispatcher(
    session: Session, now: datetime
) -> None:
    # The demo "sends" its own history through the local outbox; someone else's mail is not its
    # to settle, so with mail waiting it dispatches nothing at all.
    notice = {"title": "Hello", "message": "Waiting", "link": ""}
    queue_email(
        session,
        category="transactional",
        template="staff_notice",
        to="someone@firm.example",
        context=notice,
        now=now,
    )
    loader.load_demo(session, size="small", now=now)
    assert set(session.exec(select(OutboxMessage.status))) == {"queued"}
