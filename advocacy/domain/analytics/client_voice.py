"""Client voice as analytics: NPS and CSAT from counts of answers per score, how fast detractors'
repair conversations were held, and what promoters did when asked. The reading of a score is
`domain.surveys.sentiment`, nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from advocacy.domain.analytics.months import median, share
from advocacy.domain.surveys import SCALES, Sentiment, SurveyKind, sentiment

# Days from a detractor's answer to the repair conversation held: the histogram's bars.
REPAIR_BUCKETS: Final = ((0, 2), (3, 7), (8, 14), (15, 30))


def detractor_ceiling(kind: SurveyKind) -> int:
    """The highest score that reads as a detractor on this kind's scale."""
    low, high = SCALES[kind]
    return max(s for s in range(low, high + 1) if sentiment(kind, s) is Sentiment.DETRACTOR)


def promoter_floor(kind: SurveyKind) -> int | None:
    """The lowest score that reads as a promoter on this kind's scale (None: CSAT has none)."""
    low, high = SCALES[kind]
    found = [s for s in range(low, high + 1) if sentiment(kind, s) is Sentiment.PROMOTER]
    return min(found) if found else None


def answers(counts: Mapping[int, int]) -> int:
    """How many answers, whatever their score."""
    return sum(counts.values())


def nps(counts: Mapping[int, int]) -> float | None:
    """Net promoter score, -100..100: promoters' share minus detractors', in points."""
    total = answers(counts)
    if not total:
        return None
    promoters = sum(
        n for s, n in counts.items() if sentiment(SurveyKind.NPS, s) is Sentiment.PROMOTER
    )
    detractors = sum(
        n for s, n in counts.items() if sentiment(SurveyKind.NPS, s) is Sentiment.DETRACTOR
    )
    return round((promoters - detractors) * 100 / total, 1)


def csat(counts: Mapping[int, int]) -> float | None:
    """Average CSAT score, 1..5."""
    total = answers(counts)
    if not total:
        return None
    return round(sum(s * n for s, n in counts.items()) / total, 2)


def merge(parts: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """Several groups' counts per score added up (months into a quarter, groups into a total)."""
    total: dict[int, int] = {}
    for part in parts:
        for score, number in part.items():
            total[score] = total.get(score, 0) + number
    return total


@dataclass(frozen=True)
class Repairs:
    """Detractors' answers and the days until their repair conversation was held."""

    detractors: int
    days: tuple[float, ...]  # one per repaired answer

    @property
    def repaired(self) -> int:
        return len(self.days)

    @property
    def still_open(self) -> int:
        return self.detractors - self.repaired

    @property
    def repaired_share(self) -> float | None:
        return share(self.repaired, self.detractors)

    @property
    def open_share(self) -> float | None:
        return share(self.still_open, self.detractors)

    @property
    def median_days(self) -> float | None:
        found = median(self.days)
        return None if found is None else round(found, 1)

    def histogram(self) -> tuple[int, ...]:
        """Repaired answers per bar of `REPAIR_BUCKETS`, then over the last bar, then still open."""
        counts = [0] * (len(REPAIR_BUCKETS) + 1)
        for value in self.days:
            whole = int(value)  # whole days elapsed
            index = next(
                (i for i, (_low, high) in enumerate(REPAIR_BUCKETS) if whole <= high),
                len(REPAIR_BUCKETS),
            )
            counts[index] += 1
        return (*counts, self.still_open)


@dataclass(frozen=True)
class PromoterAsks:
    """Promoters of the period, how many were asked afterwards, and how many of those gave."""

    promoters: int
    asked: int
    gave: int

    @property
    def asked_share(self) -> float | None:
        return share(self.asked, self.promoters)

    @property
    def gave_share(self) -> float | None:
        return share(self.gave, self.asked)
