"""The small demo firm as a first run shows it: every stage and camp, consistent histories,
movers and retirees, touchpoints, a library, campaigns, and a score history whose top decile
gave several times the average. Loaded once for the module: these tests only read it (the
loading rules themselves are in test_demo.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from advocacy.app import create_app
from advocacy.db import build_engine
from advocacy.demo import campaigns, loader, vocabulary
from advocacy.demo.loader import DemoReport
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
    Campaign,
    Contact,
    ContentItem,
    Engagement,
    JourneySignal,
    OutboxMessage,
    Person,
    ServiceLine,
    StageChange,
    StepRecord,
    Touchpoint,
    User,
)
from advocacy.repository import content
from advocacy.services.scoring import history
from tests.conftest import NOW, empty_all_tables, settings_overrides


@pytest.fixture(scope="module")
def demo(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, Engine, DemoReport]]:
    app = create_app(settings_overrides(database_url, tmp_path_factory.mktemp("demo") / "i"))
    engine = build_engine(database_url)
    # The demo's client voice goes through the outbox, whose e-mails the app renders.
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        report = loader.load_demo(session, size="small", now=NOW)
    yield app, engine, report
    empty_all_tables(engine)
    engine.dispose()
    app.extensions["advocacy.engine"].dispose()


@pytest.fixture
def session(demo: tuple[Flask, Engine, DemoReport]) -> Iterator[Session]:
    app, engine, _ = demo
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def report(demo: tuple[Flask, Engine, DemoReport]) -> DemoReport:
    return demo[2]


def demo_accounts(session: Session) -> list[Account]:
    """The demo firm's accounts (the prospects its clients introduced are not among them)."""
    return list(
        session.exec(
            select(Account)
            .where(col(Account.external_id).startswith("demo-"))
            .order_by(col(Account.id))
        )
    )


def test_the_small_demo_has_accounts_in_every_stage_and_every_former_camp(
    session: Session, report: DemoReport, now: datetime
) -> None:
    accounts = demo_accounts(session)
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
    engagements: dict[int, list[Engagement]] = defaultdict(list)
    for engagement in session.exec(select(Engagement)):
        engagements[engagement.account_id].append(engagement)
    history: dict[int, list[StageChange]] = defaultdict(list)
    for change in session.exec(select(StageChange).order_by(col(StageChange.at))):
        history[change.account_id].append(change)
    for account in demo_accounts(session):
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
    accounts = demo_accounts(session)
    bad = [a for a in accounts if a.camp == Camp.BAD]
    assert bad and all(a.do_not_ask and a.camp_reason for a in bad)
    assert not any(a.do_not_ask for a in accounts if a.camp != Camp.BAD)


def test_moved_people_have_a_contact_elsewhere_and_a_champion_moved_signal(
    session: Session, now: datetime
) -> None:
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
    kinds = set(session.exec(select(Touchpoint.kind).distinct()))
    initiatives = set(session.exec(select(Touchpoint.initiative).distinct()))
    assert kinds == {kind.value for kind in TouchpointKind}
    assert initiatives == {initiative.value for initiative in Initiative}
    latest = session.exec(select(func.max(Touchpoint.occurred_at))).one()
    assert latest is not None and latest <= now
    emails = list(session.exec(select(Contact.email)))
    assert emails and all(e and e.endswith(".example") for e in emails)


def test_the_demo_library_offers_every_service_line_in_both_languages_some_items_expired(
    session: Session, report: DemoReport, now: datetime
) -> None:
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

    found = {row.state for row in session.exec(select(AccountLineAwareness))}
    assert {"bought", "engaged", "introduced"} <= found


def test_the_demo_marketer_ran_one_campaign_to_its_end_and_runs_another_now(
    session: Session, report: DemoReport, now: datetime
) -> None:
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


def test_on_the_demo_firm_the_top_decile_gave_several_times_the_average(session: Session) -> None:
    report = history.calibration_report(session, today=NOW.date(), months=6, every_days=91)
    result = report.result
    assert result.enough, (result.observations, result.outcomes)
    assert len(report.starts) >= 5
    assert result.top_lift >= 2.5
    assert result.deciles[-1].lift < 1.0
    assert sum(d.contacts for d in result.deciles) == result.observations
