"""Check-in cadence rules: the rhythm by stage and camp, pauses, overrides, whom to call, discipline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.domain.cadence import (
    AccountCadenceFacts,
    CadenceRules,
    CheckInError,
    CheckInKind,
    CheckInOutcome,
    CheckInRecord,
    CheckInStatus,
    Stakeholder,
    check_every_days,
    check_next_on,
    check_open,
    check_snooze,
    discipline,
    next_check_in,
    next_date_after,
    pick_contact,
    repair_due_on,
    talking_points,
)
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.people import BuyingRole, ContactStatus, Seniority
from advocacy.domain.repair import Feedback, repair_points
from advocacy.domain.talking_points import NextLinePoint

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
TODAY = T0.date()
RULES = CadenceRules()  # 14 / 60 / 90 / 182 days, revisit lead 7, horizon 7


def facts(stage: Stage, camp: Camp = Camp.UNKNOWN, **fields: object) -> AccountCadenceFacts:
    fields.setdefault("stage_since", T0 - timedelta(days=400))
    return AccountCadenceFacts(account_id=1, stage=stage, camp=camp, **fields)  # type: ignore[arg-type]


def days_ago(n: int) -> datetime:
    return T0 - timedelta(days=n)


@pytest.mark.parametrize(
    ("stage", "camp", "last_talk_days_ago", "expected_due_in_days", "rule"),
    [
        # active: every 14 days after the last conversation
        (Stage.ACTIVE, Camp.UNKNOWN, 14, 0, "active.every"),
        (Stage.ACTIVE, Camp.UNKNOWN, 20, -6, "active.every"),
        (Stage.ACTIVE, Camp.UNKNOWN, 8, 6, "active.every"),  # within the 7-day horizon
        (Stage.ACTIVE, Camp.UNKNOWN, 3, None, None),  # talked 3 days ago: not yet
        # between engagements: every 60 days
        (Stage.BETWEEN, Camp.UNKNOWN, 60, 0, "between.every"),
        (Stage.BETWEEN, Camp.GOOD, 50, None, None),
        (Stage.BETWEEN, Camp.UNKNOWN, 55, 5, "between.every"),
        # former clients, good camp (and not yet known): twice a year
        (Stage.FORMER, Camp.GOOD, 182, 0, "former.every"),
        (Stage.FORMER, Camp.GOOD, 100, None, None),
        (Stage.FORMER, Camp.UNKNOWN, 200, -18, "former.every"),
    ],
)
def test_the_rhythm_follows_the_stage_from_the_last_conversation(
    stage, camp, last_talk_days_ago, expected_due_in_days, rule
):
    due = next_check_in(
        facts(stage, camp, last_conversation_at=days_ago(last_talk_days_ago)), RULES, today=TODAY
    )
    if expected_due_in_days is None:
        assert due is None
    else:
        assert due is not None
        assert due.due_on == TODAY + timedelta(days=expected_due_in_days)
        assert due.rule == rule
        assert due.kind is CheckInKind.ROUTINE


def test_without_any_conversation_the_rhythm_counts_from_the_stage_change():
    due = next_check_in(facts(Stage.BETWEEN, stage_since=days_ago(61)), RULES, today=TODAY)
    assert due is not None and due.due_on == TODAY - timedelta(days=1)


def test_a_completed_or_skipped_check_in_restarts_the_clock_like_a_conversation():
    due = next_check_in(
        facts(
            Stage.ACTIVE,
            last_conversation_at=days_ago(40),
            last_check_in_closed_at=days_ago(2),
        ),
        RULES,
        today=TODAY,
    )
    assert due is None


def test_an_open_check_in_blocks_a_second_one():
    assert (
        next_check_in(
            facts(Stage.ACTIVE, last_conversation_at=days_ago(90), has_open_check_in=True),
            RULES,
            today=TODAY,
        )
        is None
    )


def test_bad_camp_gets_one_repair_proposal_and_no_routine():
    first = next_check_in(
        facts(Stage.FORMER, Camp.BAD, stage_since=days_ago(3)), RULES, today=TODAY
    )
    assert first is not None
    assert first.kind is CheckInKind.REPAIR
    assert first.due_on == TODAY  # three days after the event, not three days overdue
    after = facts(
        Stage.FORMER,
        Camp.BAD,
        repair_proposed=True,
        last_conversation_at=days_ago(1000),
    )
    assert next_check_in(after, RULES, today=TODAY) is None


@pytest.mark.parametrize(
    ("revisit_in_days", "last_talk_days_ago", "expected_due_in_days", "kind"),
    [
        (10, None, 3, CheckInKind.REVISIT),  # due a week before the revisit date
        (30, None, None, None),  # too far ahead for the horizon
        (-20, None, -27, CheckInKind.REVISIT),  # revisit date passed without a call: overdue
        (-20, 10, None, None),  # revisited 10 days ago: next in 80 days, beyond the horizon
        (-200, 95, -5, CheckInKind.ROUTINE),  # every 90 days after the revisit
    ],
)
def test_a_not_now_prospect_is_called_around_its_revisit_date_then_every_90_days(
    revisit_in_days, last_talk_days_ago, expected_due_in_days, kind
):
    due = next_check_in(
        facts(
            Stage.PROSPECT,
            revisit_on=TODAY + timedelta(days=revisit_in_days),
            last_conversation_at=None
            if last_talk_days_ago is None
            else days_ago(last_talk_days_ago),
        ),
        RULES,
        today=TODAY,
    )
    if expected_due_in_days is None:
        assert due is None
    else:
        assert due is not None
        assert due.due_on == TODAY + timedelta(days=expected_due_in_days)
        assert due.kind is kind


def test_a_prospect_without_a_not_now_gets_no_routine_check_ins():
    assert (
        next_check_in(facts(Stage.PROSPECT, stage_since=days_ago(900)), RULES, today=TODAY) is None
    )


def test_an_account_rhythm_overrides_the_stage_rhythm():
    more_often = facts(Stage.BETWEEN, last_conversation_at=days_ago(21), every_days=21)
    due = next_check_in(more_often, RULES, today=TODAY)
    assert due is not None and due.due_on == TODAY
    less_often = facts(Stage.ACTIVE, last_conversation_at=days_ago(20), every_days=45)
    assert next_check_in(less_often, RULES, today=TODAY) is None


def test_a_pause_pushes_the_check_in_to_its_end():
    paused = facts(
        Stage.ACTIVE, last_conversation_at=days_ago(30), paused_until=TODAY + timedelta(days=3)
    )
    due = next_check_in(paused, RULES, today=TODAY)
    assert due is not None and due.due_on == TODAY + timedelta(days=3) and due.rule == "paused"
    long_pause = facts(
        Stage.ACTIVE, last_conversation_at=days_ago(30), paused_until=TODAY + timedelta(days=60)
    )
    assert next_check_in(long_pause, RULES, today=TODAY) is None


def test_a_date_chosen_at_completion_wins_over_the_rule():
    chosen = facts(
        Stage.BETWEEN,
        last_check_in_closed_at=days_ago(5),
        next_on=TODAY + timedelta(days=2),
    )
    due = next_check_in(chosen, RULES, today=TODAY)
    assert due is not None and due.due_on == TODAY + timedelta(days=2) and due.rule == "chosen"


@pytest.mark.parametrize("days", [0, -1, 731])
def test_an_account_rhythm_is_between_one_day_and_two_years(days):
    with pytest.raises(CheckInError):
        check_every_days(days)


def test_no_account_rhythm_means_the_stage_decides():
    assert check_every_days(None) is None
    assert check_every_days(30) == 30


@pytest.mark.parametrize("offset", [0, -3, 367])
def test_a_snooze_goes_to_a_later_day_within_a_year(offset):
    with pytest.raises(CheckInError):
        check_snooze(TODAY + timedelta(days=offset), today=TODAY)


def test_the_next_check_in_date_must_be_ahead():
    with pytest.raises(CheckInError):
        check_next_on(TODAY, today=TODAY)
    assert check_next_on(None, today=TODAY) is None
    assert check_next_on(date(2026, 2, 1), today=TODAY) == date(2026, 2, 1)


@pytest.mark.parametrize("status", [CheckInStatus.DONE, CheckInStatus.SKIPPED])
def test_a_closed_check_in_cannot_change(status):
    with pytest.raises(CheckInError):
        check_open(status)


def person(contact_id: int, influence: int, seniority=Seniority.MANAGER, **fields):
    fields.setdefault("status", ContactStatus.ACTIVE)
    return Stakeholder(contact_id, influence=influence, seniority=seniority, **fields)


def test_the_most_influential_stakeholder_not_contacted_lately_is_picked():
    people = [
        person(1, 5, last_contacted_at=days_ago(2)),  # influential but spoken to this week
        person(2, 4, last_contacted_at=days_ago(40)),
        person(3, 3),
        person(4, 5, status=ContactStatus.LEFT),  # gone
    ]
    assert pick_contact(people, now=T0, lately=timedelta(days=14)) == 2


def test_ties_go_to_the_decision_maker_then_to_seniority():
    people = [
        person(1, 4, Seniority.C_LEVEL),
        person(2, 4, Seniority.MANAGER, roles=frozenset({BuyingRole.DECISION_MAKER})),
        person(3, 4, Seniority.BOARD),
    ]
    assert pick_contact(people, now=T0, lately=timedelta(days=14)) == 2
    assert pick_contact(people[::2], now=T0, lately=timedelta(days=14)) == 3


def test_when_everyone_was_contacted_lately_the_longest_silent_is_picked():
    people = [
        person(1, 5, last_contacted_at=days_ago(1)),
        person(2, 2, last_contacted_at=days_ago(9)),
    ]
    assert pick_contact(people, now=T0, lately=timedelta(days=14)) == 2


def test_nobody_to_call_when_no_active_contact():
    assert (
        pick_contact([person(1, 5, status=ContactStatus.RETIRED)], now=T0, lately=timedelta(1))
        is None
    )


def test_talking_points_carry_the_chosen_next_lines_and_what_happened():
    tax = NextLinePoint(2, "Tax", {"kind": "in_catalogue"})
    points = talking_points(
        next_lines=[tax],
        bought=["Audit", "Audit"],
        open_engagements=["Audit 2026"],
        recent=[
            (days_ago(30), "call", "Old"),
            (days_ago(1), "meeting", "Newest   with\nspaces"),
            (days_ago(5), "email", "x" * 400),
            (days_ago(10), "event", "Dropped: only three are kept"),
        ],
        moved=[("Ann Lee", "Globex")],
        retired=["Bob Stone"],
    )
    assert points.next_lines == [tax] and points.never_bought == ()
    assert points.as_data()["next_lines"] == [
        {"service_line_id": 2, "name": "Tax", "reason": {"kind": "in_catalogue"}, "line_names": {}}
    ]
    assert "never_bought" not in points.as_data()
    assert points.bought == ["Audit"]
    assert points.recent[0][2] == "Newest with spaces"
    assert len(points.recent) == 3 and len(points.recent[1][2]) == 160
    assert points.as_data()["moved"] == [["Ann Lee", "Globex"]]


def test_discipline_counts_on_time_late_skipped_and_overdue_per_owner():
    records = [
        CheckInRecord(7, CheckInStatus.DONE, TODAY - timedelta(days=10), TODAY - timedelta(days=9)),
        CheckInRecord(7, CheckInStatus.DONE, TODAY - timedelta(days=10), TODAY - timedelta(days=1)),
        CheckInRecord(7, CheckInStatus.SKIPPED, TODAY - timedelta(days=3), TODAY),
        CheckInRecord(7, CheckInStatus.OPEN, TODAY - timedelta(days=1)),
        CheckInRecord(7, CheckInStatus.OPEN, TODAY + timedelta(days=3)),
        CheckInRecord(8, CheckInStatus.DONE, TODAY, TODAY),
    ]
    result = discipline(records, today=TODAY)
    mine = result[7]
    assert (mine.on_time, mine.late, mine.skipped, mine.overdue, mine.open) == (1, 1, 1, 1, 2)
    assert mine.on_time_share == 0.5
    assert result[8].on_time_share == 1.0


@pytest.mark.parametrize(
    ("outcome", "chosen", "expected"),
    [
        (CheckInOutcome.NO_ANSWER, None, TODAY + timedelta(days=3)),
        (CheckInOutcome.LEFT_MESSAGE, None, TODAY + timedelta(days=3)),
        (CheckInOutcome.NO_ANSWER, TODAY + timedelta(days=10), TODAY + timedelta(days=10)),
        (CheckInOutcome.SPOKE, None, None),
        (CheckInOutcome.NEW_NEED, TODAY + timedelta(days=5), TODAY + timedelta(days=5)),
    ],
)
def test_an_attempt_that_reached_nobody_is_tried_again_soon(outcome, chosen, expected):
    assert next_date_after(outcome, chosen, today=TODAY) == expected


@pytest.mark.parametrize(
    ("became_bad_days_ago", "due_in_days"),
    [(580, 0), (30, 0), (3, 0), (1, 2), (0, 3)],
    ids=["nineteen-months-ago", "a-month-ago", "three-days-ago", "yesterday", "today"],
)
def test_a_repair_conversation_is_due_within_days_of_the_event_and_never_born_overdue(
    became_bad_days_ago: int, due_in_days: int
) -> None:
    plan = next_check_in(
        facts(Stage.FORMER, Camp.BAD, stage_since=days_ago(became_bad_days_ago)),
        RULES,
        today=TODAY,
    )
    assert plan is not None and plan.kind is CheckInKind.REPAIR
    assert plan.due_on == TODAY + timedelta(days=due_in_days)


def test_a_pause_does_not_delay_a_repair_conversation() -> None:
    plan = next_check_in(
        facts(
            Stage.FORMER,
            Camp.BAD,
            stage_since=days_ago(10),
            paused_until=TODAY + timedelta(days=60),
        ),
        RULES,
        today=TODAY,
    )
    assert plan is not None and plan.due_on == TODAY


@pytest.mark.parametrize(
    ("wanted_in_days", "due_in_days"), [(-40, 0), (-1, 0), (0, 0), (2, 2), (3, 3), (40, 3)]
)
def test_a_repair_is_due_between_today_and_a_few_days_from_now(
    wanted_in_days: int, due_in_days: int
) -> None:
    wanted = TODAY + timedelta(days=wanted_in_days)
    assert repair_due_on(wanted, today=TODAY, within_days=3) == TODAY + timedelta(days=due_in_days)


def test_repair_talking_points_are_about_the_problem_and_never_a_sale() -> None:
    points = repair_points(
        problem="survey evidence: 2 answers, latest NPS 3",
        feedback=[
            Feedback(T0 - timedelta(days=40), "Dana", "NPS 5/10", "Slow.", "Audit 2025"),
            Feedback(T0, "Dana", "NPS 3/10", "The report   came late.", "Audit 2026"),
        ],
    )
    assert not (points.next_lines or points.bought or points.open_engagements)
    assert points.problem == ["survey evidence: 2 answers, latest NPS 3"]
    assert points.feedback[0] == (TODAY.isoformat(), "Dana", "NPS 3/10", "The report came late.")
    assert points.concerns == ["Audit 2025", "Audit 2026"]
    assert points.as_data()["next_lines"] == [] and "never_bought" not in points.as_data()
