"""Check-in generation and work on a real database: the rhythm over a simulated year, one open
check-in per account, talking points, completion on the timeline, snooze, reassign, skip."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from advocacy.domain.cadence import CadenceRules, CheckInError, CheckInOutcome
from advocacy.domain.errors import NotAllowed
from advocacy.domain.journey import Camp, EngagementStatus, Stage
from advocacy.domain.touchpoints import Channel
from advocacy.models import CheckIn, Touchpoint
from advocacy.services.check_ins import generation, work
from advocacy.services.check_ins.work import Completion
from advocacy.services.journey.accounts import move_account_to_stage, set_former_camp
from advocacy.services.journey.people import record_departure
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_touchpoint,
    make_user,
)

RULES = CadenceRules()
# Late enough that every account of the portfolio (all set up at NOW) has a check-in due.
LATER = NOW + timedelta(days=200)


def portfolio(session: Session):
    """One account in each journey situation, all owned by one account manager."""
    owner = make_user(session)
    active = make_account(session, owner=owner, name="Active Co")
    make_engagement(session, active, status="active", by=owner)
    between = make_account(session, owner=owner, name="Between Co")
    make_engagement(session, between, status="active", by=owner)
    make_engagement(session, between, status="completed", by=owner)
    _finish_live(session, between, owner)
    good = make_account(session, owner=owner, name="Good Former Co")
    _to_former(session, good, owner, Camp.GOOD)
    bad = make_account(session, owner=owner, name="Bad Former Co")
    _to_former(session, bad, owner, Camp.BAD)
    not_now = make_account(session, owner=owner, name="Not Now Co")
    make_engagement(
        session,
        not_now,
        status="deferred",
        revisit_on=NOW.date() + timedelta(days=60),
        by=owner,
    )
    plain_prospect = make_account(session, owner=owner, name="Prospect Co")
    orphan = make_account(session, name="Nobody's Co")
    make_engagement(session, orphan, status="active")
    for account in (active, between, good, bad, not_now, plain_prospect, orphan):
        make_contact(session, account)
    return owner, {
        "active": active,
        "between": between,
        "good": good,
        "bad": bad,
        "not_now": not_now,
        "prospect": plain_prospect,
        "orphan": orphan,
    }


def _finish_live(session: Session, account, owner) -> None:
    from advocacy.models import EngagementUpdate
    from advocacy.services.journey.engagements import update_engagement

    for engagement in account_engagements(session, account.id):
        if engagement.status == EngagementStatus.ACTIVE.value:
            update_engagement(
                session,
                engagement.id,
                EngagementUpdate(status=EngagementStatus.COMPLETED),
                by=owner,
                now=NOW,
            )


def account_engagements(session: Session, account_id: int):
    from advocacy.models import Engagement

    return list(session.exec(select(Engagement).where(Engagement.account_id == account_id)))


def _to_former(session: Session, account, owner, camp: Camp) -> None:
    make_engagement(session, account, status="active", by=owner)
    _finish_live(session, account, owner)
    move_account_to_stage(
        session, account.id, Stage.FORMER, reason="project ended", by=owner, now=NOW
    )
    set_former_camp(session, account.id, camp, reason="survey", by=owner, now=NOW)


def open_check_ins(session: Session) -> list[CheckIn]:
    session.expire_all()
    return list(session.exec(select(CheckIn).where(CheckIn.status == "open")))


def test_a_year_of_check_ins_follows_each_accounts_rhythm(session: Session):
    owner, accounts = portfolio(session)
    assert session.get(type(accounts["between"]), accounts["between"].id).stage == "between"
    completed: dict[int, list[date]] = defaultdict(list)
    kinds: dict[int, set[str]] = defaultdict(set)
    start = NOW.replace(hour=6, minute=0)
    for day in range(365):
        now = start + timedelta(days=day)
        generation.generate_due(session, RULES, now=now)
        opened = open_check_ins(session)
        per_account = defaultdict(int)
        for check_in in opened:
            per_account[check_in.account_id] += 1
        assert all(n == 1 for n in per_account.values()), "two open check-ins on one account"
        # The account manager calls on the due day, never before.
        for check_in in opened:
            kinds[check_in.account_id].add(check_in.kind)
            if check_in.due_on <= now.date():
                work.complete_check_in(
                    session,
                    check_in.id,
                    Completion(CheckInOutcome.SPOKE, Channel.PHONE, notes="Caught up"),
                    by=owner,
                    now=now + timedelta(hours=3),
                )
                completed[check_in.account_id].append(now.date())

    def gaps(name: str) -> set[int]:
        days = completed[accounts[name].id]
        return {(b - a).days for a, b in itertools.pairwise(days)}

    assert gaps("active") == {14}
    assert len(completed[accounts["active"].id]) >= 25
    assert gaps("between") == {60}
    assert gaps("good") == {182}
    # The bad camp: one repair conversation proposed, nothing routine.
    assert len(completed[accounts["bad"].id]) == 1
    assert kinds[accounts["bad"].id] == {"repair"}
    # Not now: a week before the revisit date, then every 90 days.
    not_now_days = completed[accounts["not_now"].id]
    assert not_now_days[0] == NOW.date() + timedelta(days=53)
    assert gaps("not_now") == {90}
    assert kinds[accounts["not_now"].id] == {"revisit", "routine"}
    assert completed[accounts["prospect"].id] == []
    assert completed[accounts["orphan"].id] == []
    # Every completion is a call on the account's timeline.
    calls = session.exec(
        select(Touchpoint).where(
            Touchpoint.account_id == accounts["active"].id, Touchpoint.kind == "call"
        )
    ).all()
    assert len(calls) == len(completed[accounts["active"].id])


def test_running_the_generation_twice_creates_nothing_twice(session: Session):
    portfolio(session)
    first = generation.generate_due(session, RULES, now=NOW)
    second = generation.generate_due(session, RULES, now=NOW)
    assert first.created == len(open_check_ins(session)) > 0
    assert second.created == 0


def test_a_check_in_names_whom_to_call_and_what_to_talk_about(session: Session):
    owner = make_user(session)
    account = make_account(session, owner=owner, name="Globex")
    audit, tax, _strategy = (make_service_line(session, name) for name in ("Audit", "Tax", "Deals"))
    make_engagement(
        session, account, status="active", service_line_ids=[audit.id], title="Audit 2026"
    )
    _junior = make_contact(session, account, full_name="Junior", influence=2)
    ceo = make_contact(session, account, full_name="The CEO", influence=5, seniority="c_level")
    talked = make_contact(session, account, full_name="Talked", influence=5)
    make_touchpoint(
        session,
        account,
        contact_id=talked.id,
        occurred_at=NOW - timedelta(days=20),
        summary="Quarterly review",
    )
    leaver = make_contact(session, account, full_name="Ann Leaver")
    record_departure(
        session, leaver.id, retired=False, on=NOW.date(), new_employer="Initech", by=owner, now=NOW
    )

    # Active since NOW: the first check-in falls due two weeks later, created a week ahead.
    generation.generate_due(session, RULES, now=NOW + timedelta(days=7))
    (check_in,) = open_check_ins(session)
    assert check_in.owner_id == owner.id
    assert check_in.contact_id == ceo.id
    points = json.loads(check_in.talking_points_json)
    # Nothing to go on but the catalogue: the two unbought lines, in the catalogue's order.
    assert [line["name"] for line in points["next_lines"]] == ["Tax", "Deals"]
    assert points["next_lines"][0]["service_line_id"] == tax.id
    assert points["next_lines"][0]["reason"] == {"kind": "in_catalogue"}
    assert "never_bought" not in points
    assert points["open_engagements"] == ["Audit 2026"]
    assert points["recent"][0][2] == "Quarterly review"
    assert points["moved"] == [["Ann Leaver", "Initech"]]


def test_completing_logs_the_conversation_and_can_choose_the_next_date(session: Session):
    owner, accounts = portfolio(session)
    generation.generate_due(session, RULES, now=LATER)
    check_in = next(c for c in open_check_ins(session) if c.account_id == accounts["between"].id)
    done = work.complete_check_in(
        session,
        check_in.id,
        Completion(
            CheckInOutcome.NEW_NEED,
            Channel.VIDEO,
            notes="They plan a carve-out",
            next_step="Send a proposal",
            next_on=LATER.date() + timedelta(days=10),
        ),
        by=owner,
        now=LATER,
    )
    touchpoint = session.get(Touchpoint, done.touchpoint_id)
    assert touchpoint is not None and touchpoint.kind == "meeting"
    assert touchpoint.summary == "They plan a carve-out — Send a proposal"
    assert done.open_for_account_id is None and done.status == "done"
    # Sooner than the 60-day rule: due in 10 days, so created once within the 7-day horizon.
    generation.generate_due(session, RULES, now=LATER + timedelta(days=2))
    assert not [c for c in open_check_ins(session) if c.account_id == accounts["between"].id]
    generation.generate_due(session, RULES, now=LATER + timedelta(days=3))
    (again,) = [c for c in open_check_ins(session) if c.account_id == accounts["between"].id]
    assert again.due_on == LATER.date() + timedelta(days=10) and again.rule == "chosen"
    with pytest.raises(CheckInError):
        work.complete_check_in(
            session,
            check_in.id,
            Completion(CheckInOutcome.SPOKE, Channel.PHONE),
            by=owner,
            now=LATER,
        )


def test_completing_with_someone_no_longer_active_there_changes_nothing(session: Session):
    owner, accounts = portfolio(session)
    between, active = accounts["between"], accounts["active"]
    leaver = make_contact(session, between, full_name="Ann Leaver")
    record_departure(
        session, leaver.id, retired=True, on=LATER.date(), new_employer=None, by=owner, now=LATER
    )
    elsewhere = make_contact(session, active, full_name="Bo Elsewhere")
    generation.generate_due(session, RULES, now=LATER)
    check_in = next(c for c in open_check_ins(session) if c.account_id == between.id)
    touchpoints_before = len(session.exec(select(Touchpoint)).all())
    for contact in (leaver, elsewhere):
        with pytest.raises(CheckInError, match="active contact of this account"):
            work.complete_check_in(
                session,
                check_in.id,
                Completion(CheckInOutcome.SPOKE, Channel.PHONE, contact_id=contact.id),
                by=owner,
                now=LATER,
            )
        session.rollback()
    session.refresh(check_in)
    assert check_in.status == "open" and check_in.touchpoint_id is None
    assert len(session.exec(select(Touchpoint)).all()) == touchpoints_before


def test_snooze_reassign_and_skip_keep_the_rules(session: Session):
    owner, accounts = portfolio(session)
    colleague = make_user(session)
    marketing = make_user(session, role="marketing")
    generation.generate_due(session, RULES, now=LATER)
    check_in = next(c for c in open_check_ins(session) if c.account_id == accounts["active"].id)

    with pytest.raises(CheckInError):
        work.snooze_check_in(session, check_in.id, LATER.date(), by=owner, now=LATER)
    snoozed = work.snooze_check_in(
        session, check_in.id, LATER.date() + timedelta(days=4), by=owner, now=LATER
    )
    assert snoozed.due_on == LATER.date() + timedelta(days=4)

    with pytest.raises(NotAllowed):
        work.skip_check_in(session, check_in.id, "no", by=colleague, now=LATER)
    with pytest.raises(CheckInError):
        work.reassign_check_in(session, check_in.id, marketing.id, by=owner, now=LATER)
    assert (
        work.reassign_check_in(session, check_in.id, colleague.id, by=owner, now=LATER).owner_id
        == colleague.id
    )

    with pytest.raises(CheckInError):
        work.skip_check_in(session, check_in.id, "   ", by=owner, now=LATER)
    skipped = work.skip_check_in(session, check_in.id, "Client on holiday", by=owner, now=LATER)
    assert skipped.status == "skipped" and skipped.skip_reason == "Client on holiday"
    # The rhythm restarts from the skip: nothing new until 14 days later (7-day horizon).
    generation.generate_due(session, RULES, now=LATER + timedelta(days=6))
    assert not [c for c in open_check_ins(session) if c.account_id == accounts["active"].id]
    generation.generate_due(session, RULES, now=LATER + timedelta(days=7))
    assert [c for c in open_check_ins(session) if c.account_id == accounts["active"].id]


def test_an_account_rhythm_and_pause_change_what_is_generated(session: Session):
    owner, accounts = portfolio(session)
    between = accounts["between"]
    generation.generate_due(session, RULES, now=LATER)
    work.set_account_cadence(
        session,
        between.id,
        every_days=None,
        paused_until=LATER.date() + timedelta(days=30),
        by=owner,
        now=LATER,
    )
    (moved,) = [c for c in open_check_ins(session) if c.account_id == between.id]
    assert moved.due_on == LATER.date() + timedelta(days=30)
    with pytest.raises(CheckInError):
        work.set_account_cadence(
            session, between.id, every_days=0, paused_until=None, by=owner, now=LATER
        )
    with pytest.raises(CheckInError):
        work.set_account_cadence(
            session, between.id, every_days=None, paused_until=LATER.date(), by=owner, now=LATER
        )
    session.expire_all()
    assert session.get(
        type(between), between.id
    ).check_ins_paused_until == LATER.date() + timedelta(days=30)
