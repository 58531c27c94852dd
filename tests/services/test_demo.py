"""The demo firm: realistic, consistent with the journey rules, deterministic, loaded once."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from advocacy.demo import campaigns, loader, vocabulary
from advocacy.domain.content import ContentKind
from advocacy.domain.journey import (
    Camp,
    EngagementFacts,
    EngagementStatus,
    Stage,
    stage_implied_by_engagements,
)
from advocacy.domain.people import ContactStatus
from advocacy.domain.touchpoints import Initiative, TouchpointKind
from advocacy.models import (
    Account,
    AccountCreate,
    Campaign,
    Contact,
    ContentItem,
    Engagement,
    Enrolment,
    JourneySignal,
    OutboxMessage,
    PermissionChange,
    Person,
    ReferenceCall,
    Referral,
    ServiceLine,
    StageChange,
    StepRecord,
    Survey,
    Touchpoint,
    User,
)
from advocacy.models import Testimonial as Quote  # pytest would collect Test* names
from advocacy.models import TestimonialPermission as Permission
from advocacy.repository import content
from advocacy.services.journey.accounts import add_account
from advocacy.services.mail.queue import queue_email
from tests.conftest import empty_all_tables


@pytest.fixture(autouse=True)
def in_the_app(app: Flask) -> Iterator[None]:
    """The demo's client voice goes through the outbox, whose e-mails the app renders."""
    with app.app_context():
        yield


def _accounts(session: Session) -> list[Account]:
    """The demo firm's accounts (the prospects its clients introduced are not among them)."""
    return list(
        session.exec(
            select(Account)
            .where(col(Account.external_id).startswith("demo-"))
            .order_by(col(Account.id))
        )
    )


def test_the_small_demo_has_accounts_in_every_stage_and_every_former_camp(
    session: Session, now: datetime
) -> None:
    report = loader.load_demo(session, size="small", now=now)
    accounts = _accounts(session)
    assert {a.stage for a in accounts} == {stage.value for stage in Stage}
    former_camps = {a.camp for a in accounts if a.stage == Stage.FORMER}
    assert former_camps == {camp.value for camp in Camp}
    assert report.created["accounts"] == len(accounts) == 60
    others = session.exec(select(Account).where(col(Account.id).not_in([a.id for a in accounts])))
    assert all(a.source == "referral" and a.stage == Stage.PROSPECT for a in others)
    assert 250 <= report.created["contacts"] <= 360
    assert 120 <= report.created["engagements"] <= 180
    assert 2_500 <= report.created["touchpoints"] <= 3_500
    owners = set(session.exec(select(User.id).where(User.role == "account_manager")))
    assert {a.owner_id for a in accounts} <= owners


def test_every_demo_account_stage_agrees_with_its_engagements_and_its_history(
    session: Session, now: datetime
) -> None:
    loader.load_demo(session, size="small", now=now)
    engagements: dict[int, list[Engagement]] = defaultdict(list)
    for engagement in session.exec(select(Engagement)):
        engagements[engagement.account_id].append(engagement)
    history: dict[int, list[StageChange]] = defaultdict(list)
    for change in session.exec(select(StageChange).order_by(col(StageChange.at))):
        history[change.account_id].append(change)
    for account in _accounts(session):
        assert account.id is not None
        mine = engagements[account.id]
        facts = [EngagementFacts(e.id or 0, EngagementStatus(e.status), e.end_date) for e in mine]
        assert stage_implied_by_engagements(Stage(account.stage), facts) is None, account.name
        statuses = {EngagementStatus(e.status) for e in mine}
        if account.stage == Stage.ACTIVE:
            assert statuses & {EngagementStatus.ACTIVE, EngagementStatus.WON}
        elif account.stage == Stage.PROSPECT:
            assert statuses <= {
                EngagementStatus.PROPOSED,
                EngagementStatus.LOST,
                EngagementStatus.DEFERRED,
            }
        else:
            assert statuses & {EngagementStatus.COMPLETED, EngagementStatus.CANCELLED}
        assert all(e.revisit_on for e in mine if e.status == EngagementStatus.DEFERRED)
        assert all(e.end_date >= e.start_date for e in mine if e.start_date and e.end_date)
        # The history is a chain that starts at creation and ends at today's stage.
        changes = history[account.id]
        assert changes[0].from_stage is None and changes[0].at == account.created_at
        for before, after in pairwise(changes):
            assert after.from_stage == before.to_stage and after.at >= before.at
        assert changes[-1].to_stage == account.stage and changes[-1].at == account.stage_since
        assert account.stage_since <= now and account.created_at <= now


def test_every_bad_camp_account_is_do_not_ask(session: Session, now: datetime) -> None:
    loader.load_demo(session, size="small", now=now)
    accounts = _accounts(session)
    bad = [a for a in accounts if a.camp == Camp.BAD]
    assert bad and all(a.do_not_ask and a.camp_reason for a in bad)
    assert not any(a.do_not_ask for a in accounts if a.camp != Camp.BAD)


def test_moved_people_have_a_contact_elsewhere_and_a_champion_moved_signal(
    session: Session, now: datetime
) -> None:
    loader.load_demo(session, size="small", now=now)
    contacts = {c.id: c for c in session.exec(select(Contact))}
    movers = [c for c in contacts.values() if c.moved_to_contact_id is not None]
    assert movers
    signals = list(session.exec(select(JourneySignal)))
    for old in movers:
        new = contacts[old.moved_to_contact_id]
        assert new.person_id == old.person_id and new.account_id != old.account_id
        assert old.status == ContactStatus.LEFT and old.ended_on == new.started_on
        assert any(
            s.kind == "champion_moved"
            and s.contact_id == new.id
            and s.account_id == new.account_id
            and s.related_account_id == old.account_id
            for s in signals
        )
        assert any(s.kind == "restaff" and s.contact_id == old.id for s in signals)
    retired = [c for c in contacts.values() if c.status == ContactStatus.RETIRED]
    assert retired
    for contact in retired:
        person = session.get(Person, contact.person_id)
        assert person is not None and person.retired_on == contact.ended_on


def test_touchpoints_cover_every_initiative_and_kind_and_stay_in_the_past(
    session: Session, now: datetime
) -> None:
    loader.load_demo(session, size="small", now=now)
    kinds = set(session.exec(select(Touchpoint.kind).distinct()))
    initiatives = set(session.exec(select(Touchpoint.initiative).distinct()))
    assert kinds == {kind.value for kind in TouchpointKind}
    assert initiatives == {initiative.value for initiative in Initiative}
    latest = session.exec(select(func.max(Touchpoint.occurred_at))).one()
    assert latest is not None and latest <= now
    emails = list(session.exec(select(Contact.email)))
    assert emails and all(e and e.endswith(".example") for e in emails)


def _fingerprint(session: Session) -> str:
    """The demo's content, without database ids (another run may start them elsewhere)."""
    digest = hashlib.sha256()
    accounts = {a.id: a.external_id for a in _accounts(session)}
    for a in _accounts(session):
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


VOICE_AND_FIRM = (
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
)


def test_a_second_run_says_the_firm_is_there_and_adds_nothing(
    session: Session, now: datetime
) -> None:
    loader.load_demo(session, size="small", now=now)
    counts = [
        session.exec(select(func.count()).select_from(model)).one() for model in VOICE_AND_FIRM
    ]
    again = loader.load_demo(session, size="large", now=now)
    assert again.created == {} and again.skipped["accounts"] == 60
    assert counts == [
        session.exec(select(func.count()).select_from(model)).one() for model in VOICE_AND_FIRM
    ]


def test_rows_added_after_the_demo_get_fresh_ids(session: Session, now: datetime) -> None:
    # The demo assigns ids itself; on PostgreSQL the sequences must have moved past them.
    loader.load_demo(session, size="small", now=now)
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


def test_the_demo_library_offers_every_service_line_in_both_languages_some_items_expired(
    session: Session, now: datetime
) -> None:
    report = loader.load_demo(session, size="small", now=now)
    library = list(session.exec(select(ContentItem).order_by(col(ContentItem.id))))
    assert report.created["content items"] == len(library) == 3 * len(vocabulary.SERVICE_LINES)
    assert {item.kind for item in library} == {kind.value for kind in ContentKind}
    assert {item.language for item in library} == {"en", "fr"}
    today = now.date()
    expired = [i for i in library if i.valid_until is not None and i.valid_until < today]
    assert 2 <= len(expired) < len(library) // 2
    marketer = session.exec(select(User).where(User.role == "marketing")).one()
    assert {item.created_by_id for item in library} == {marketer.id}
    assert all(item.url.startswith("https://insights.demo.advocacy.example/") for item in library)
    offered = content.available_content(session, now)
    lines = session.exec(select(ServiceLine)).all()
    for line in lines:
        assert (line.id, "en") in offered or (line.id, "fr") in offered, line.name
    assert sum(len(found) for found in offered.values()) == len(library) - len(expired)


def test_the_demo_firm_knows_what_its_clients_bought_and_heard_about(
    session: Session, now: datetime
) -> None:
    from advocacy.models import AccountLineAwareness

    loader.load_demo(session, size="small", now=now)
    found = {row.state for row in session.exec(select(AccountLineAwareness))}
    assert {"bought", "engaged", "introduced"} <= found


def test_the_demo_marketer_ran_one_campaign_to_its_end_and_runs_another_now(
    session: Session, now: datetime
) -> None:
    report = loader.load_demo(session, size="small", now=now)
    assert report.created["campaigns"] == 2
    found = {c.name: c for c in session.exec(select(Campaign))}
    running, finished = found[campaigns.RUNNING], found[campaigns.FINISHED]
    marketer = session.exec(select(User).where(User.role == "marketing")).one()
    assert {running.created_by_id, finished.created_by_id} == {marketer.id}
    assert (running.status, finished.status) == ("active", "finished")
    assert finished.activated_at < finished.finished_at < running.activated_at < now  # type: ignore[operator]
    for campaign in (running, finished):
        emails = session.exec(
            select(func.count())
            .select_from(StepRecord)
            .where(
                StepRecord.campaign_id == campaign.id,
                col(StepRecord.outbox_message_id).is_not(None),
            )
        ).one()
        assert emails > 0, campaign.name
    sent = session.exec(
        select(OutboxMessage.status).where(OutboxMessage.category == "nurture")
    ).all()
    assert set(sent) == {"sent"}
