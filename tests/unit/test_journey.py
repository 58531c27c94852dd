"""The partner journey rules, as tables of plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.domain.journey import (
    ALLOWED,
    Camp,
    EngagementFacts,
    EngagementStatus,
    IllegalMove,
    Stage,
    camp_from_evidence,
    may_ask_for_advocacy,
    move_stage,
    proposes_former,
    stage_implied_by_engagements,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
S = EngagementStatus


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (Stage.PROSPECT, Stage.BETWEEN),
        (Stage.PROSPECT, Stage.FORMER),
        (Stage.ACTIVE, Stage.PROSPECT),
        (Stage.BETWEEN, Stage.PROSPECT),
        (Stage.FORMER, Stage.BETWEEN),
        (Stage.ACTIVE, Stage.ACTIVE),
    ],
)
def test_a_stage_cannot_be_skipped_or_reversed_and_the_refusal_says_why(
    old: Stage, new: Stage
) -> None:
    with pytest.raises(IllegalMove) as refused:
        move_stage(1, old, new, at=T0, reason="because")
    assert str(refused.value) and str(refused.value) != "This move is not allowed."


@pytest.mark.parametrize(
    ("old", "new"),
    [(old, new) for old, targets in ALLOWED.items() for new in sorted(targets)],
)
def test_every_allowed_move_is_recorded_with_its_reason(old: Stage, new: Stage) -> None:
    move = move_stage(7, old, new, at=T0, reason="  signed the renewal  ")
    assert (move.account_id, move.old, move.new, move.at, move.reason) == (
        7,
        old,
        new,
        T0,
        "signed the renewal",
    )


def test_a_former_client_who_signs_again_becomes_active() -> None:
    assert (
        move_stage(1, Stage.FORMER, Stage.ACTIVE, at=T0, reason="new mandate").new is Stage.ACTIVE
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_move_needs_a_reason(reason: str) -> None:
    with pytest.raises(IllegalMove, match="reason"):
        move_stage(1, Stage.ACTIVE, Stage.BETWEEN, at=T0, reason=reason)


@pytest.mark.parametrize(
    ("current", "statuses", "expected"),
    [
        (Stage.PROSPECT, [S.WON], (Stage.ACTIVE, "engagement.live")),
        (Stage.PROSPECT, [S.ACTIVE], (Stage.ACTIVE, "engagement.live")),
        (Stage.BETWEEN, [S.COMPLETED, S.WON], (Stage.ACTIVE, "engagement.live")),
        (Stage.FORMER, [S.ACTIVE], (Stage.ACTIVE, "engagement.live")),
        (Stage.ACTIVE, [S.ACTIVE, S.COMPLETED], None),
        (Stage.ACTIVE, [S.COMPLETED], (Stage.BETWEEN, "engagement.last_completed")),
        (Stage.ACTIVE, [S.COMPLETED, S.CANCELLED], (Stage.BETWEEN, "engagement.last_completed")),
        (Stage.PROSPECT, [S.LOST], None),
        (Stage.PROSPECT, [S.DEFERRED], None),
        (Stage.PROSPECT, [S.PROPOSED], None),
        (Stage.BETWEEN, [S.COMPLETED], None),
        (Stage.FORMER, [S.COMPLETED], None),
        (Stage.ACTIVE, [], None),
    ],
)
def test_engagement_events_drive_the_stage(
    current: Stage, statuses: list[EngagementStatus], expected: tuple[Stage, str] | None
) -> None:
    engagements = [EngagementFacts(i, status) for i, status in enumerate(statuses)]
    assert stage_implied_by_engagements(current, engagements) == expected


@pytest.mark.parametrize(
    ("stage", "since_days", "last_end_days", "expected"),
    [
        (Stage.BETWEEN, 800, None, True),
        (Stage.BETWEEN, 700, None, False),
        (Stage.BETWEEN, 800, 100, False),  # an engagement ended recently: not silent
        (Stage.ACTIVE, 2000, None, False),
        (Stage.FORMER, 2000, None, False),
    ],
)
def test_long_silence_between_engagements_proposes_former(
    stage: Stage, since_days: int, last_end_days: int | None, expected: bool
) -> None:
    last_end = (T0 - timedelta(days=last_end_days)).date() if last_end_days else None
    assert (
        proposes_former(
            stage,
            last_engagement_end=last_end,
            stage_since=T0 - timedelta(days=since_days),
            now=T0,
            silence=timedelta(days=730),
        )
        is expected
    )


@pytest.mark.parametrize(
    ("scores", "camp"),
    [
        ([], Camp.UNKNOWN),
        ([10], Camp.GOOD),
        ([9, 3], Camp.BAD),
        ([3, 9], Camp.GOOD),
        ([8, 8], Camp.GOOD),
        ([7, 7], Camp.UNKNOWN),
        ([11, -1], Camp.UNKNOWN),
    ],
)
def test_the_former_client_camp_follows_the_latest_satisfaction(
    scores: list[int], camp: Camp
) -> None:
    assert camp_from_evidence(scores) is camp


@pytest.mark.parametrize(
    ("camp", "do_not_ask", "allowed"),
    [
        (Camp.GOOD, False, True),
        (Camp.UNKNOWN, False, True),
        (Camp.BAD, False, False),
        (Camp.GOOD, True, False),
    ],
)
def test_a_bad_camp_or_do_not_ask_account_is_never_asked(
    camp: Camp, do_not_ask: bool, allowed: bool
) -> None:
    assert may_ask_for_advocacy(camp, do_not_ask=do_not_ask) is allowed


def test_dates_are_compared_as_days() -> None:
    assert not proposes_former(
        Stage.BETWEEN,
        last_engagement_end=date(2026, 11, 22),
        stage_since=T0 - timedelta(days=900),
        now=T0,
        silence=timedelta(days=730),
    )
