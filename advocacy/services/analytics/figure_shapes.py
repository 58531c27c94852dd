"""Translated labels and figure builders the questions share (they run in an app context)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext, ngettext

from advocacy.domain.analytics.figures import ChartKind, Figure, Headline, Series, Unit
from advocacy.domain.analytics.scope import DAY_BUCKETS, histogram, median, share


def day_bucket_labels(bounds: Sequence[int] = DAY_BUCKETS) -> tuple[str, ...]:
    """ "0–30 days", "31–90 days"... "more than 730 days", in the reader's language."""
    labels, low = [], 0
    for bound in bounds:
        labels.append(ngettext("%(low)d–%(num)d day", "%(low)d–%(num)d days", bound, low=low))
        low = bound + 1
    labels.append(ngettext("more than %(num)d day", "more than %(num)d days", bounds[-1]))
    return tuple(labels)


def duration_histogram(key: str, title: str, days: Sequence[int], *, note: str = "") -> Figure:
    """A histogram of durations in days, in the shared buckets."""
    counts = histogram(days)
    return Figure(
        key=key,
        title=title,
        kind=ChartKind.HISTOGRAM,
        unit=Unit.COUNT,
        category_label=gettext("Time"),
        categories=day_bucket_labels(),
        series=(Series(gettext("Count"), tuple(float(c) for c in counts)),),
        note=note or ("" if days else gettext("Nothing to measure yet.")),
    )


def share_headline(key: str, label: str, numerator: int, denominator: int, of: str) -> Headline:
    """A share with its numerator and denominator in words ("12 of 40 decisions")."""
    return Headline(
        key=key,
        label=label,
        value=share(numerator, denominator),
        unit=Unit.SHARE,
        detail=gettext("%(num)d of %(total)d %(of)s", num=numerator, total=denominator, of=of),
    )


def count_headline(key: str, label: str, value: int, detail: str = "") -> Headline:
    return Headline(key=key, label=label, value=float(value), unit=Unit.COUNT, detail=detail)


def median_days_headline(key: str, label: str, days: Sequence[int], of: str) -> Headline:
    return Headline(
        key=key,
        label=label,
        value=median(days),
        unit=Unit.DAYS,
        detail=gettext("median of %(num)d %(of)s", num=len(days), of=of),
    )


def stacked_shares(
    key: str,
    title: str,
    category_label: str,
    groups: Sequence[tuple[str, Mapping[str, int]]],
    series_names: Mapping[str, str],
) -> Figure:
    """Per category, each series' share of the category's total (a stacked bar to 100 %)."""
    series = []
    for code, name in series_names.items():
        values = []
        for _label, counts in groups:
            total = sum(counts.values())
            values.append(share(counts.get(code, 0), total))
        series.append(Series(name, tuple(values)))
    return Figure(
        key=key,
        title=title,
        kind=ChartKind.STACKED_BAR,
        unit=Unit.SHARE,
        category_label=category_label,
        categories=tuple(label for label, _counts in groups),
        series=tuple(series),
        note="" if groups else gettext("Nothing to compare yet."),
    )


def stacked_counts(
    key: str,
    title: str,
    category_label: str,
    groups: Sequence[tuple[str, Mapping[str, int]]],
    series_names: Mapping[str, str],
    *,
    kind: ChartKind = ChartKind.STACKED_BAR,
) -> Figure:
    """Per category, each series' count (stacked bars, or lines over periods)."""
    return Figure(
        key=key,
        title=title,
        kind=kind,
        unit=Unit.COUNT,
        category_label=category_label,
        categories=tuple(label for label, _counts in groups),
        series=tuple(
            Series(name, tuple(float(counts.get(code, 0)) for _l, counts in groups))
            for code, name in series_names.items()
        ),
        note="" if groups else gettext("Nothing to count yet."),
    )
