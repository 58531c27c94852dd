"""The account's journey map as one picture: where stages, engagements and touchpoints fall on a
single timeline across the years. Pure layout in the units of an SVG viewBox; the template draws.

Touchpoints go in three lanes by who started them (client, firm, external). An account with many
touchpoints would bury the timeline under marks, so above `DENSE_AT` they are gathered into one
mark per lane and month, sized by how many it holds.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

WIDTH: Final = 800.0
LEFT: Final = 80.0  # room for the lane names
RIGHT: Final = 12.0
AXIS_HEIGHT: Final = 18.0
STAGE_Y: Final = 24.0
STAGE_HEIGHT: Final = 16.0
TRACK_HEIGHT: Final = 16.0
TRACK_GAP: Final = 4.0
MAX_TRACKS: Final = 6  # past this, engagements share the last track rather than grow the picture
LANE_HEIGHT: Final = 26.0
DENSE_AT: Final = 60
MARK_RADIUS: Final = 4.0
LARGEST_RADIUS: Final = LANE_HEIGHT / 2 - 1
MIN_BAR_WIDTH: Final = 3.0
CHARACTER_WIDTH: Final = 7.5  # of the bar labels' font, to know how much text a bar can hold
LANES: Final = ("client", "firm", "external")
END_MARGIN: Final = timedelta(days=20)


@dataclass(frozen=True)
class StageChangeFact:
    to_stage: str
    on: date


@dataclass(frozen=True)
class EngagementFact:
    title: str
    status: str
    starts: date
    ends: date | None  # None: still running (or never dated)
    service_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class TouchpointFact:
    on: date
    initiative: str
    kind: str


@dataclass(frozen=True)
class YearTick:
    x: float
    year: int


@dataclass(frozen=True)
class StageBand:
    x: float
    width: float
    stage: str
    starts: date
    ends: date


@dataclass(frozen=True)
class EngagementBar:
    x: float
    y: float
    width: float
    title: str
    status: str
    service_lines: tuple[str, ...]
    starts: date
    ends: date | None
    label: str  # what fits inside the bar; the full text is in its title


@dataclass(frozen=True)
class Lane:
    initiative: str
    y: float  # the lane's middle line
    count: int


@dataclass(frozen=True)
class TouchpointMark:
    x: float
    y: float
    radius: float
    initiative: str
    on: date  # the day, or the first of the month for a gathered mark
    count: int
    kinds: tuple[tuple[str, int], ...]  # most frequent first


@dataclass(frozen=True)
class JourneyPicture:
    width: float
    height: float
    starts: date
    ends: date
    monthly: bool  # marks gather a lane's month
    ticks: tuple[YearTick, ...]
    bands: tuple[StageBand, ...]
    bars: tuple[EngagementBar, ...]
    lanes: tuple[Lane, ...]
    marks: tuple[TouchpointMark, ...]

    @property
    def touchpoints(self) -> int:
        return sum(lane.count for lane in self.lanes)

    def count(self, initiative: str) -> int:
        """How many touchpoints one lane holds."""
        return sum(lane.count for lane in self.lanes if lane.initiative == initiative)


class _Scale:
    """Days to x, over the whole years the journey spans."""

    def __init__(self, starts: date, ends: date) -> None:
        self.starts = starts
        self.days = max(1, (ends - starts).days + 1)

    def x(self, day: date) -> float:
        share = (day - self.starts).days / self.days
        return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)


def _fit(text: str, width: float) -> str:
    room = int((width - 6) // CHARACTER_WIDTH)
    if room < 4:
        return ""
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _tracks(engagements: list[EngagementFact], today: date) -> list[int]:
    """A track per engagement so that bars on one track never overlap (first free track)."""
    last_end: list[date] = []
    tracks = []
    for engagement in engagements:
        ends = engagement.ends or today
        for number, busy_until in enumerate(last_end):
            if busy_until < engagement.starts:
                last_end[number] = ends
                tracks.append(number)
                break
        else:
            if len(last_end) < MAX_TRACKS:
                last_end.append(ends)
                tracks.append(len(last_end) - 1)
            else:
                last_end[-1] = max(last_end[-1], ends)
                tracks.append(MAX_TRACKS - 1)
    return tracks


def _kinds(kinds: Iterable[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(Counter(kinds).items(), key=lambda item: (-item[1], item[0])))


def _marks(
    touchpoints: list[TouchpointFact], scale: _Scale, lane_y: dict[str, float], monthly: bool
) -> list[TouchpointMark]:
    groups: dict[tuple[str, date], list[str]] = defaultdict(list)
    for touchpoint in touchpoints:
        key = touchpoint.on.replace(day=1) if monthly else touchpoint.on
        groups[(touchpoint.initiative, key)].append(touchpoint.kind)
    marks = []
    for (initiative, on), kinds in sorted(
        groups.items(), key=lambda item: (item[0][1], item[0][0])
    ):
        count = len(kinds)
        # A gathered mark sits mid-month; its area grows with the count, up to the lane's height.
        x = scale.x(on + timedelta(days=14)) if monthly else scale.x(on)
        radius = min(LARGEST_RADIUS, MARK_RADIUS * math.sqrt(count)) if count > 1 else MARK_RADIUS
        marks.append(
            TouchpointMark(
                x, lane_y[initiative], round(radius, 1), initiative, on, count, _kinds(kinds)
            )
        )
    return marks


def journey_picture(
    stages: Iterable[StageChangeFact],
    engagements: Iterable[EngagementFact],
    touchpoints: Iterable[TouchpointFact],
    *,
    today: date,
) -> JourneyPicture | None:
    """Lay out an account's stages, engagements and touchpoints on one timeline, from the first
    January of its history to a little after today (or its last planned day); None with none."""
    changes = sorted(stages, key=lambda change: change.on)
    bought = sorted(engagements, key=lambda e: (e.starts, e.title))
    moments = [t for t in touchpoints if t.initiative in LANES]
    days = [
        *(s.on for s in changes),
        *(e.starts for e in bought),
        *(e.ends for e in bought if e.ends),
        *(t.on for t in moments),
    ]
    if not days:
        return None
    starts = date(min(min(days), today).year, 1, 1)
    # A little room after the last day, so that its mark is not cut in half at the edge.
    ends = max(max(days), today) + END_MARGIN
    scale = _Scale(starts, ends)
    ticks = tuple(YearTick(scale.x(date(y, 1, 1)), y) for y in range(starts.year, ends.year + 1))
    bands = []
    for number, change in enumerate(changes):
        # A stage lasts until the next change, the current one until today.
        until = changes[number + 1].on if number + 1 < len(changes) else today
        x = scale.x(change.on)
        width = max(MIN_BAR_WIDTH, scale.x(until) - x)
        bands.append(StageBand(x, round(width, 1), change.to_stage, change.on, until))
    track_of = _tracks(bought, today)
    first_track_y = STAGE_Y + STAGE_HEIGHT + TRACK_GAP * 2
    bars = []
    for engagement, track in zip(bought, track_of, strict=True):
        x = scale.x(engagement.starts)
        width = round(max(MIN_BAR_WIDTH, scale.x(engagement.ends or today) - x), 1)
        text = ", ".join(engagement.service_lines) or engagement.title
        y = first_track_y + track * (TRACK_HEIGHT + TRACK_GAP)
        bars.append(
            EngagementBar(
                x,
                y,
                width,
                engagement.title,
                engagement.status,
                engagement.service_lines,
                engagement.starts,
                engagement.ends,
                _fit(text, width),
            )
        )
    tracks = (max(track_of) + 1) if track_of else 0
    lanes_top = first_track_y + tracks * (TRACK_HEIGHT + TRACK_GAP) + TRACK_GAP
    counts = Counter(t.initiative for t in moments)
    lane_y = {name: lanes_top + LANE_HEIGHT * (n + 0.5) for n, name in enumerate(LANES)}
    lanes = tuple(Lane(name, lane_y[name], counts.get(name, 0)) for name in LANES)
    monthly = len(moments) > DENSE_AT
    return JourneyPicture(
        width=WIDTH,
        height=lanes_top + LANE_HEIGHT * len(LANES) + 4,
        starts=starts,
        ends=ends,
        monthly=monthly,
        ticks=ticks,
        bands=tuple(bands),
        bars=tuple(bars),
        lanes=lanes,
        marks=tuple(_marks(moments, scale, lane_y, monthly)),
    )
