"""Repair conversations on a real database: due within days of the event and never born overdue,
about the problem (the client's words, the engagement, who answered) and never a sale; a
detractor's open routine check-in becomes the repair conversation."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from advocacy.domain.cadence import CadenceRules
from advocacy.domain.journey import Camp, EngagementStatus, Stage
from advocacy.models import CheckIn, EngagementUpdate
from advocacy.services.check_ins import generation
from advocacy.services.journey.accounts import move_account_to_stage, set_former_camp
from advocacy.services.journey.engagements import update_engagement
from advocacy.services.voice.survey_answers import answer_survey
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_engagement,
    make_mail_contact,
    make_service_line,
    make_survey,
    make_user,
)

RULES = CadenceRules()


def open_check_ins(session: Session, account_id: int) -> list[CheckIn]:
    session.expire_all()
    return list(
        session.exec(
            select(CheckIn).where(CheckIn.account_id == account_id, CheckIn.status == "open")
        )
    )


def test_a_detractors_open_routine_check_in_becomes_the_repair_conversation(
    settings: Settings, session: Session
) -> None:
    make_service_line(session, "Tax advice")  # never bought: a cross-sell point before
    owner = make_user(session, role="admin")
    account = make_account(session, owner=owner, name="Client SA")
    make_engagement(session, account, status="active", title="Audit 2026", by=owner)
    generation.generate_due(session, RULES, now=NOW + timedelta(days=20))
    [routine] = open_check_ins(session, account.id)
    assert routine.kind == "routine"
    next_lines = json.loads(routine.talking_points_json)["next_lines"]
    assert [line["name"] for line in next_lines] == ["Tax advice"]

    survey, token = make_survey(session, settings, owner=owner, account=account, full_name="Dana")
    answer_survey(session, token, 3, "The report came late.", settings=settings, now=NOW)

    [repair] = open_check_ins(session, account.id)
    assert repair.id == routine.id
    assert (repair.kind, repair.rule, repair.contact_id) == (
        "repair",
        "detractor",
        survey.contact_id,
    )
    assert NOW.date() <= repair.due_on <= NOW.date() + timedelta(days=3)
    points = json.loads(repair.talking_points_json)
    assert (points["next_lines"], points["bought"], points["open_engagements"]) == ([], [], [])
    [feedback] = points["feedback"]
    assert feedback == [NOW.date().isoformat(), "Dana", "NPS 3/10", "The report came late."]


def test_a_detractor_without_an_open_check_in_gets_a_repair_conversation_within_days(
    settings: Settings, session: Session
) -> None:
    owner = make_user(session, role="admin")
    account = make_account(session, owner=owner)
    _survey, token = make_survey(session, settings, owner=owner, account=account, full_name="Eve")
    answer_survey(session, token, 1, "Nobody called back.", settings=settings, now=NOW)
    [repair] = open_check_ins(session, account.id)
    assert (repair.kind, repair.owner_id) == ("repair", owner.id)
    assert repair.due_on == NOW.date() + timedelta(days=3)
    assert "Nobody called back." in repair.talking_points_json


def test_a_bad_camp_found_nineteen_months_late_is_due_today_not_overdue_and_sells_nothing(
    session: Session,
) -> None:
    make_service_line(session, "Tax advice")
    owner = make_user(session, role="admin")
    account = make_account(session, owner=owner, name="Old Client SA")
    make_mail_contact(session, account)
    long_ago = NOW - timedelta(days=580)
    engagement = make_engagement(session, account, status="active", by=owner)
    update_engagement(
        session,
        engagement.id,
        EngagementUpdate(status=EngagementStatus.COMPLETED),
        by=owner,
        now=long_ago,
    )
    move_account_to_stage(
        session, account.id, Stage.FORMER, reason="project ended", by=owner, now=long_ago
    )
    set_former_camp(session, account.id, Camp.BAD, reason="missed the deadline", by=owner, now=NOW)
    generation.generate_due(session, RULES, now=NOW)
    [repair] = open_check_ins(session, account.id)
    assert (repair.kind, repair.due_on, repair.created_at.date()) == (
        "repair",
        NOW.date(),
        NOW.date(),
    )
    points = json.loads(repair.talking_points_json)
    assert points["next_lines"] == [] and points["bought"] == []
    assert points["problem"] == ["missed the deadline"]
