"""Who a campaign reaches and when a contact leaves it: segment matching, enrolment and re-entry,
stop rules, step timing and what an edit of a running campaign may change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.domain.campaigns import (
    EnrolmentStatus,
    Segment,
    Step,
    StepKind,
    StopReason,
    advance,
    check_step_edit,
)
from advocacy.domain.errors import RuleError
from advocacy.domain.nurture_audience import (
    Audience,
    EnrolmentState,
    matches,
    may_enter,
    next_occurrence,
    stop_reason,
)
from advocacy.domain.people import ContactStatus

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
ENROLLED = NOW - timedelta(days=10)
CLIENT = Audience(
    contact_id=1,
    account_id=10,
    stage="between",
    camp="unknown",
    industry="Logistics",
    owner_id=7,
    seniority="c_level",
    roles=frozenset({"sponsor"}),
    bought_line_ids=frozenset({1}),
    typecasting_index=0.25,
)
EMAIL, WAIT, TASK = StepKind.NEXT_LINE_EMAIL, StepKind.WAIT, StepKind.TASK


# --- segment matching ------------------------------------------------------------------------


def test_an_empty_segment_matches_every_current_contact() -> None:
    assert matches(Segment(), CLIENT, NOW)
    assert not matches(Segment(), replace(CLIENT, status=ContactStatus.RETIRED), NOW)


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        (Segment(stages=frozenset({"between"})), True),
        (Segment(stages=frozenset({"former"})), False),
        (Segment(industries=frozenset({" logistics "})), True),
        (Segment(owner_ids=frozenset({8})), False),
        (Segment(bought_line_ids=frozenset({1})), True),
        (Segment(bought_line_ids=frozenset({1, 2})), False),
        (Segment(not_bought_line_ids=frozenset({1})), False),
        (Segment(max_typecasting_index=0.25), True),
        (Segment(max_typecasting_index=0.2), False),
        (Segment(buying_roles=frozenset({"sponsor", "user"})), True),
        (Segment(seniorities=frozenset({"manager"})), False),
        (Segment(advocacy_tiers=frozenset({"champion"})), False),
    ],
)
def test_every_criterion_set_must_hold(segment: Segment, expected: bool) -> None:
    assert matches(segment, CLIENT, NOW) is expected


def test_an_account_without_an_index_is_not_in_a_low_index_audience() -> None:
    assert not matches(
        Segment(max_typecasting_index=1.0), replace(CLIENT, typecasting_index=None), NOW
    )


def test_no_human_touch_counts_days_since_the_last_call_or_meeting() -> None:
    segment = Segment(no_human_touch_days=30)
    assert matches(segment, CLIENT, NOW)  # never called
    assert matches(segment, replace(CLIENT, last_human_touch_at=NOW - timedelta(days=30)), NOW)
    assert not matches(segment, replace(CLIENT, last_human_touch_at=NOW - timedelta(days=29)), NOW)


def test_not_now_prospects_are_an_audience_of_their_own() -> None:
    segment = Segment(deferred_prospects=True)
    prospect = replace(CLIENT, stage="prospect")
    assert matches(segment, replace(prospect, deferred_prospect=True), NOW)
    assert not matches(segment, prospect, NOW)
    assert not matches(segment, CLIENT, NOW)


# --- stop rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": ContactStatus.LEFT}, StopReason.LEFT),
        ({"status": ContactStatus.RETIRED}, StopReason.LEFT),
        ({"suppressed": frozenset({"nurture"})}, StopReason.UNSUBSCRIBED),
        ({"suppressed": frozenset({"all"})}, StopReason.UNSUBSCRIBED),
        ({"objected": True}, StopReason.UNSUBSCRIBED),
        ({"camp": "bad"}, StopReason.BAD_CAMP),
        ({"open_detractor_signal": True}, StopReason.DETRACTOR),
        ({"detractor_answer_at": NOW - timedelta(days=1)}, StopReason.DETRACTOR),
        ({"last_client_touch_at": NOW - timedelta(days=1)}, StopReason.REPLIED),
        ({"hired_again_at": NOW - timedelta(days=1)}, StopReason.NEW_ENGAGEMENT),
        ({"stage": "active"}, StopReason.LEFT_SEGMENT),
    ],
)
def test_each_stop_rule_takes_the_contact_out(
    change: dict[str, object], reason: StopReason
) -> None:
    segment = Segment(stages=frozenset({"between"}))
    assert stop_reason(CLIENT, ENROLLED, segment, NOW) is None
    assert stop_reason(replace(CLIENT, **change), ENROLLED, segment, NOW) is reason  # type: ignore[arg-type]


def test_only_what_happened_since_enrolment_stops_for_replies_and_new_work() -> None:
    before = ENROLLED - timedelta(days=1)
    facts = replace(CLIENT, last_client_touch_at=before, hired_again_at=before)
    assert stop_reason(facts, ENROLLED, Segment(), NOW) is None


def test_a_detractor_answer_older_than_a_quarter_and_before_enrolment_does_not_stop() -> None:
    old = NOW - timedelta(days=200)
    assert stop_reason(replace(CLIENT, detractor_answer_at=old), ENROLLED, Segment(), NOW) is None
    enrolled_long_ago = NOW - timedelta(days=300)
    facts = replace(CLIENT, detractor_answer_at=old)
    assert stop_reason(facts, enrolled_long_ago, Segment(), NOW) is StopReason.DETRACTOR


def test_leaving_wins_over_every_other_reason() -> None:
    facts = replace(CLIENT, status=ContactStatus.LEFT, camp="bad", objected=True)
    assert stop_reason(facts, ENROLLED, Segment(), NOW) is StopReason.LEFT


# --- enrolment and re-entry --------------------------------------------------------------------


def _ended(reason: StopReason, days_ago: int, status: EnrolmentStatus = EnrolmentStatus.STOPPED):
    return EnrolmentState(
        occurrence=1,
        status=status,
        enrolled_at=NOW - timedelta(days=days_ago + 30),
        stop_reason=reason,
        ended_at=NOW - timedelta(days=days_ago),
    )


def test_a_contact_enters_once_when_the_campaign_allows_no_reentry() -> None:
    assert next_occurrence(None, None, NOW) == 1
    assert next_occurrence(_ended(StopReason.COMPLETED, 400), None, NOW) is None


def test_a_contact_reenters_after_the_set_days_with_the_next_occurrence() -> None:
    assert next_occurrence(_ended(StopReason.COMPLETED, 59), 60, NOW) is None
    assert next_occurrence(_ended(StopReason.COMPLETED, 60), 60, NOW) == 2
    assert next_occurrence(_ended(StopReason.LEFT_SEGMENT, 90), 60, NOW) == 2


def test_nobody_removed_by_hand_or_unsubscribed_comes_back_by_themselves() -> None:
    assert next_occurrence(_ended(StopReason.REMOVED, 400), 60, NOW) is None
    assert next_occurrence(_ended(StopReason.UNSUBSCRIBED, 400), 60, NOW) is None


def test_an_enrolled_contact_is_not_enrolled_again() -> None:
    active = EnrolmentState(1, EnrolmentStatus.ACTIVE, ENROLLED, next_position=1)
    assert next_occurrence(active, 1, NOW) is None


def test_a_contact_with_a_standing_stop_reason_does_not_enter() -> None:
    assert may_enter(CLIENT, Segment(), None, None, NOW) == 1
    assert may_enter(replace(CLIENT, camp="bad"), Segment(), None, None, NOW) is None
    assert may_enter(replace(CLIENT, objected=True), Segment(), None, None, NOW) is None
    assert may_enter(CLIENT, Segment(stages=frozenset({"former"})), None, None, NOW) is None


# --- step timing and edits ---------------------------------------------------------------------

STEPS = (
    Step(1, EMAIL),
    Step(2, WAIT, wait_days=7),
    Step(3, WAIT, wait_until=date(2026, 12, 10)),
    Step(4, TASK, task_text="Call"),
)


def test_the_first_step_is_due_at_once_and_waits_add_up_before_the_next() -> None:
    assert advance(STEPS, 0, NOW) == (1, NOW)
    assert advance(STEPS, 1, NOW) == (4, datetime(2026, 12, 10, tzinfo=UTC))
    later = NOW + timedelta(days=20)
    assert advance(STEPS, 1, later) == (4, later + timedelta(days=7))


def test_after_the_last_step_the_campaign_is_over_for_the_contact() -> None:
    assert advance(STEPS, 4, NOW) == (None, NOW)


def test_a_step_someone_passed_keeps_its_place_and_kind_but_not_its_settings() -> None:
    check_step_edit(STEPS, (Step(1, EMAIL), Step(2, WAIT, wait_days=30)), reached=2)
    with pytest.raises(RuleError):
        check_step_edit(STEPS, (Step(1, EMAIL),), reached=2)
    with pytest.raises(RuleError):
        check_step_edit(STEPS, (Step(1, TASK, task_text="x"), Step(2, WAIT, wait_days=1)), 1)
    check_step_edit(STEPS, (), reached=0)
