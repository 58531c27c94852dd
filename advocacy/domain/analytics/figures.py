"""What an analytics page shows: headline numbers and figures, each a chart with its table.

Every question of `/analytics` is answered by a `QuestionAnswer`: a few headline numbers and
figures. A figure carries its data once; the chart (SVG), the table beside it and the CSV export are
all drawn from the same rows, so they can never disagree. Pure values: the services compute them,
the views render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ChartKind(StrEnum):
    """How a figure is drawn; the table and the CSV are the same for every kind."""

    BAR = "bar"  # one value per category
    STACKED_BAR = "stacked_bar"  # shares or counts of several series per category
    HISTOGRAM = "histogram"  # counts per bucket of a measure (categories are the buckets)
    LINE = "line"  # a time series: categories are periods in order
    FUNNEL = "funnel"  # decreasing counts through stages


class Unit(StrEnum):
    """How a number reads: the renderer formats it (per locale) from this."""

    COUNT = "count"
    SHARE = "share"  # 0.0–1.0, shown as a percentage
    DAYS = "days"
    SCORE = "score"  # NPS -100..100, CSAT 1..5, typecasting index 0..100: shown as is


@dataclass(frozen=True)
class Series:
    """One named line or bar colour: a value per category (None where there is no data)."""

    name: str  # already translated
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Figure:
    """One chart and its table: categories along one axis, one or more series of values."""

    key: str  # stable, URL-safe: names the CSV export (`<question>/<key>.csv`)
    title: str  # already translated
    kind: ChartKind
    unit: Unit
    category_label: str  # the table's first column header, already translated
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    note: str = ""  # how to read it, or why it is empty ("too few decisions to compare")

    def rows(self) -> list[tuple[str, tuple[float | None, ...]]]:
        """The table: one row per category, one value per series."""
        return [
            (category, tuple(s.values[i] for s in self.series))
            for i, category in enumerate(self.categories)
        ]


@dataclass(frozen=True)
class Headline:
    """A number for the dashboard and the top of its page, with what it counts."""

    key: str
    label: str  # already translated
    value: float | None  # None: no data yet
    unit: Unit
    detail: str = ""  # numerator and denominator in words, e.g. "12 of 40 decisions"


@dataclass(frozen=True)
class AnalyticsFilters:
    """What a view is narrowed to; every field travels in the URL so a view can be shared."""

    owner_id: int | None = None
    industry: str | None = None
    service_line_id: int | None = None
    cohort_year: int | None = None  # year of the account's first engagement
    period_start: date | None = None  # inclusive
    period_end: date | None = None  # inclusive

    def is_default(self) -> bool:
        """True when nothing narrows the view (the form the refresh job pre-computes)."""
        return self == AnalyticsFilters()


@dataclass(frozen=True)
class QuestionAnswer:
    """One analytics page: its headline numbers and figures, as of a moment."""

    slug: str  # URL part: /analytics/<slug>
    title: str  # already translated
    headlines: tuple[Headline, ...]
    figures: tuple[Figure, ...]
    computed_at: datetime
    filters: AnalyticsFilters = field(default_factory=AnalyticsFilters)
