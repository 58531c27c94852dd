"""Does the advocacy score predict? The calibration report's arithmetic (docs/scoring.md).

Contacts are ranked by the score they had at the start of past periods (their snapshot that day,
so the score is judged on what it knew then) and cut into ten deciles; each decile's share of
contacts who gave a testimonial, a referral or a reference call within the following months is
compared with the average share (the lift). With too few outcomes, the report says so rather than
reading noise. Pure: the counts come in as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

DECILES: Final = 10
# Below these, a decile holds a handful of outcomes and its share is mostly chance.
MIN_OBSERVATIONS: Final = 200
MIN_OUTCOMES: Final = 30
MAX_PERIODS: Final = 12
DAYS_PER_MONTH: Final = 30


@dataclass(frozen=True)
class ScoreGroup:
    """How many contacts had this score at a period's start, and how many of them gave."""

    score: int
    contacts: int
    gave: int


@dataclass(frozen=True)
class Decile:
    """One tenth of the contact-periods, best scores first (decile 1 is the top)."""

    number: int
    contacts: int
    gave: float  # a score group split across two deciles shares its outcomes pro rata
    lowest: int
    highest: int
    share: float
    lift: float  # share / the average share; 1.0 is no better than chance


@dataclass(frozen=True)
class Calibration:
    """The lift table and how far it can be trusted."""

    deciles: tuple[Decile, ...]
    observations: int  # contact-periods
    outcomes: int
    periods: int
    average_share: float
    enough: bool

    @property
    def top_lift(self) -> float:
        return self.deciles[0].lift if self.deciles else 0.0


def window_days(months: int) -> int:
    """The outcome window in days (a month counted as 30 days)."""
    return months * DAYS_PER_MONTH


def period_starts(
    snapshot_days: Mapping[date, int], *, today: date, months: int, every_days: int
) -> list[date]:
    """The snapshot days that start a period, oldest first.

    A start is a day of full recompute (at least half as many snapshots as the fullest day: the
    evidence hooks rescore a few contacts on other days), its whole window is past, and starts are
    at least `every_days` apart (the latest picked first, at most MAX_PERIODS).
    """
    last = today - timedelta(days=window_days(months))
    fullest = max(snapshot_days.values(), default=0)
    full = {day for day, count in snapshot_days.items() if day <= last and 2 * count >= fullest}
    chosen: list[date] = []
    for day in sorted(full, reverse=True):
        if not chosen or (chosen[-1] - day).days >= every_days:
            chosen.append(day)
        if len(chosen) == MAX_PERIODS:
            break
    return sorted(chosen)


def _cuts(total: int) -> list[int]:
    return [round(total * n / DECILES) for n in range(DECILES + 1)]


def calibrate(
    groups: Sequence[ScoreGroup],
    *,
    periods: int,
    min_observations: int = MIN_OBSERVATIONS,
    min_outcomes: int = MIN_OUTCOMES,
) -> Calibration:
    """The lift of each score decile over the average share of contacts who gave."""
    ranked = sorted((g for g in groups if g.contacts > 0), key=lambda g: -g.score)
    total = sum(g.contacts for g in ranked)
    outcomes = sum(g.gave for g in ranked)
    average = outcomes / total if total else 0.0
    enough = total >= min_observations and outcomes >= min_outcomes
    if total < DECILES:
        return Calibration((), total, outcomes, periods, average, False)
    cuts = _cuts(total)
    bins: list[list[float]] = [[0, 0.0, -1, -1] for _ in range(DECILES)]  # n, gave, low, high
    position = 0
    for group in ranked:
        left = group.contacts
        while left:
            index = next(i for i in range(DECILES) if cuts[i + 1] > position)
            take = min(left, cuts[index + 1] - position)
            found = bins[index]
            found[0] += take
            found[1] += group.gave * take / group.contacts
            found[2] = group.score
            found[3] = group.score if found[3] < 0 else found[3]
            position += take
            left -= take
    deciles = tuple(
        Decile(
            number=i + 1,
            contacts=int(n),
            gave=gave,
            lowest=int(low),
            highest=int(high),
            share=gave / n if n else 0.0,
            lift=(gave / n) / average if n and average else 0.0,
        )
        for i, (n, gave, low, high) in enumerate(bins)
    )
    return Calibration(deciles, total, outcomes, periods, average, enough)
