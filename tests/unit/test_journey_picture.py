"""The journey picture's layout: whole years on one axis, stage bands until the next change,
engagements on tracks that never overlap, touchpoints in three lanes by initiative, gathered
per lane and month when an account has many."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from advocacy.domain.journey_picture import (
    DENSE_AT,
    END_MARGIN,
    LANE_HEIGHT,
    LEFT,
    RIGHT,
    WIDTH,
    EngagementFact,
    StageChangeFact,
    TouchpointFact,
    journey_picture,
)

TODAY = date(2026, 11, 23)


def test_an_account_without_history_has_no_picture() -> None:
    assert journey_picture([], [], [], today=TODAY) is None


def test_the_axis_runs_from_the_first_january_of_the_history_to_just_after_today() -> None:
    picture = journey_picture([StageChangeFact("prospect", date(2023, 6, 1))], [], [], today=TODAY)
    assert picture is not None
    assert (picture.starts, picture.ends) == (date(2023, 1, 1), TODAY + END_MARGIN)
    assert [tick.year for tick in picture.ticks] == [2023, 2024, 2025, 2026]
    assert picture.ticks[0].x == LEFT
    assert all(a.x < b.x for a, b in zip(picture.ticks, picture.ticks[1:], strict=False))
    assert picture.ticks[-1].x < WIDTH - RIGHT


def test_each_stage_lasts_until_the_next_change_and_the_last_until_today() -> None:
    changes = [
        StageChangeFact("active", date(2024, 3, 1)),
        StageChangeFact("prospect", date(2024, 1, 1)),
        StageChangeFact("between", date(2025, 9, 1)),
    ]
    picture = journey_picture(changes, [], [], today=TODAY)
    assert picture is not None
    bands = picture.bands
    assert [(b.stage, b.starts, b.ends) for b in bands] == [
        ("prospect", date(2024, 1, 1), date(2024, 3, 1)),
        ("active", date(2024, 3, 1), date(2025, 9, 1)),
        ("between", date(2025, 9, 1), TODAY),
    ]
    # Bands touch end to end: no gap, no overlap.
    for first, second in itertools.pairwise(bands):
        assert abs(first.x + first.width - second.x) < 0.2


def test_overlapping_engagements_take_separate_tracks_and_later_ones_reuse_a_free_one() -> None:
    engagements = [
        EngagementFact("Audit", "completed", date(2024, 1, 1), date(2024, 12, 31), ("Audit",)),
        EngagementFact("Tax", "active", date(2024, 6, 1), None, ("Tax advisory",)),
        EngagementFact("Review", "completed", date(2025, 2, 1), date(2025, 3, 1)),
    ]
    picture = journey_picture([], engagements, [], today=TODAY)
    assert picture is not None
    audit, tax, review = picture.bars
    assert audit.y != tax.y  # they overlap in time
    assert review.y == audit.y  # the audit was over: its track is free again
    assert tax.ends is None and tax.x + tax.width > review.x + review.width  # runs until today
    assert audit.label == "Audit" and review.label == ""  # a month is too narrow for its name


def test_touchpoints_fall_in_their_initiatives_lane_one_mark_each_when_few() -> None:
    touchpoints = [
        TouchpointFact(date(2025, 5, 2), "client", "call"),
        TouchpointFact(date(2025, 5, 2), "firm", "email"),
        TouchpointFact(date(2025, 6, 9), "external", "press"),
        TouchpointFact(date(2025, 6, 10), "unknown", "note"),  # no lane for it: left out
    ]
    picture = journey_picture([], [], touchpoints, today=TODAY)
    assert picture is not None and not picture.monthly
    lanes = {lane.initiative: lane for lane in picture.lanes}
    assert [lane.initiative for lane in picture.lanes] == ["client", "firm", "external"]
    assert lanes["firm"].y - lanes["client"].y == LANE_HEIGHT
    assert [(m.initiative, m.y, m.count) for m in picture.marks] == [
        ("client", lanes["client"].y, 1),
        ("firm", lanes["firm"].y, 1),
        ("external", lanes["external"].y, 1),
    ]
    assert picture.touchpoints == 3 and picture.count("client") == 1
    assert picture.height > lanes["external"].y + LANE_HEIGHT / 2


def test_many_touchpoints_are_gathered_per_lane_and_month_sized_by_their_number() -> None:
    start = date(2020, 1, 1)
    touchpoints = [
        TouchpointFact(start + timedelta(days=day), "firm", "email" if number % 3 else "meeting")
        for number, day in enumerate(range(0, 365 * 5, 3))  # about 600 over five years
    ]
    touchpoints.append(TouchpointFact(date(2022, 4, 9), "client", "call"))
    picture = journey_picture([], [], touchpoints, today=TODAY)
    assert picture is not None and picture.monthly and len(touchpoints) > DENSE_AT
    firm = [m for m in picture.marks if m.initiative == "firm"]
    assert len(firm) <= 61 and sum(m.count for m in firm) == len(touchpoints) - 1
    assert all(m.on.day == 1 for m in picture.marks)
    (client,) = [m for m in picture.marks if m.initiative == "client"]
    assert client.count == 1 and client.radius < max(m.radius for m in firm)
    assert max(m.radius for m in firm) <= LANE_HEIGHT / 2
    busy = max(firm, key=lambda m: m.count)
    assert busy.kinds[0][0] == "email"  # most frequent kind first
