"""A question's answer as JSON text and back, so the refresh job can store it (pure)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from advocacy.domain.analytics.figures import (
    AnalyticsFilters,
    ChartKind,
    Figure,
    Headline,
    QuestionAnswer,
    Series,
    Unit,
)


def to_json(answer: QuestionAnswer) -> str:
    """The answer as JSON text (dates as ISO text)."""
    return json.dumps(asdict(answer), default=_iso, ensure_ascii=False)


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def from_json(text: str) -> QuestionAnswer:
    """The answer `to_json` wrote."""
    data: dict[str, Any] = json.loads(text)
    filters = data["filters"]
    return QuestionAnswer(
        slug=data["slug"],
        title=data["title"],
        headlines=tuple(
            Headline(h["key"], h["label"], h["value"], Unit(h["unit"]), h["detail"])
            for h in data["headlines"]
        ),
        figures=tuple(
            Figure(
                key=f["key"],
                title=f["title"],
                kind=ChartKind(f["kind"]),
                unit=Unit(f["unit"]),
                category_label=f["category_label"],
                categories=tuple(f["categories"]),
                series=tuple(Series(s["name"], tuple(s["values"])) for s in f["series"]),
                note=f["note"],
            )
            for f in data["figures"]
        ),
        computed_at=datetime.fromisoformat(data["computed_at"]),
        filters=AnalyticsFilters(
            owner_id=filters["owner_id"],
            industry=filters["industry"],
            service_line_id=filters["service_line_id"],
            cohort_year=filters["cohort_year"],
            period_start=_day(filters["period_start"]),
            period_end=_day(filters["period_end"]),
        ),
    )
