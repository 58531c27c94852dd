"""Charts as SVG drawn on the server: a `Figure` in, SVG text out, no script and no style.

The strict Content-Security-Policy (`style-src 'self'`, no inline script) refuses the `<style>`
element and the `style` attributes that charting libraries such as pygal put inside their SVG, so
the drawing is done here with ElementTree (which escapes every text and attribute) and coloured by
the classes of the app's own stylesheet (`chart-series-<n>`). The SVG scales with its container
(`viewBox`, no fixed width); the table next to it is the accessible form of the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree import ElementTree as ET

from advocacy.domain.analytics.figures import ChartKind, Figure, Unit

WIDTH = 640
LABEL_WIDTH = 190  # horizontal bars: the category names' column
ROW = 26  # horizontal bars: height of one category
LEGEND = 28  # height of the legend line above the plot
PLOT_HEIGHT = 220  # columns and lines: height of the plot area
MAX_LABEL = 28  # characters of a category name shown; the full name is in its <title>
SERIES_CLASSES = 6  # chart-series-0 .. chart-series-5 in static/advocacy.css

Format = Callable[[float | None], str]


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _series_class(index: int) -> str:
    return f"chart-series-{index % SERIES_CLASSES}"


def _legend(svg: ET.Element, figure: Figure) -> None:
    x = 4.0
    for index, series in enumerate(figure.series):
        _el(svg, "rect", x=x, y=8, width=12, height=12, class_=_series_class(index))
        _el(svg, "text", _short(series.name), x=x + 16, y=18, class_="chart-text")
        x += 16 + 7 * min(len(series.name), MAX_LABEL) + 18


def _top(figure: Figure) -> float:
    """The largest value the plot must hold (the largest total for stacked bars)."""
    if figure.kind is ChartKind.STACKED_BAR:
        totals = [sum(v or 0 for v in values) for _c, values in figure.rows()]
        return max(totals, default=0) or 1
    values = [v for s in figure.series for v in s.values if v is not None]
    return max(values, default=0) or 1


def _tip(element: ET.Element, text: str) -> None:
    _el(element, "title", text)


def _horizontal_bars(svg: ET.Element, figure: Figure, fmt: Format) -> float:
    top = _top(figure)
    plot = WIDTH - LABEL_WIDTH - 60
    grouped = figure.kind is ChartKind.BAR and len(figure.series) > 1
    row = ROW * (len(figure.series) if grouped else 1)
    y = float(LEGEND + 6)
    for category, values in figure.rows():
        label = _el(svg, "text", _short(category), x=LABEL_WIDTH - 6, y=y + row / 2 + 4)
        label.set("class", "chart-text chart-category")
        _tip(label, category)
        x = float(LABEL_WIDTH)
        for index, value in enumerate(values):
            width = plot * (value or 0) / top
            if figure.kind is ChartKind.FUNNEL:
                bar_x, bar_y, height = LABEL_WIDTH + (plot - width) / 2, y + 3, ROW - 6
            elif grouped:
                bar_x, bar_y, height = LABEL_WIDTH, y + index * ROW + 3, ROW - 6
            else:
                bar_x, bar_y, height = x, y + 3, ROW - 6
            bar = _el(
                svg,
                "rect",
                x=round(bar_x, 1),
                y=round(bar_y, 1),
                width=round(width, 1),
                height=height,
                class_=_series_class(index),
            )
            _tip(bar, f"{category} · {figure.series[index].name}: {fmt(value)}")
            if figure.kind is not ChartKind.STACKED_BAR:
                _el(
                    svg,
                    "text",
                    fmt(value),
                    x=round(bar_x + width + 4, 1),
                    y=bar_y + height - 5,
                    class_="chart-text",
                )
            x += width
        if figure.kind is ChartKind.STACKED_BAR:
            total = sum(v or 0 for v in values)
            shown = fmt(total) if figure.unit is not Unit.SHARE else ""
            _el(svg, "text", shown, x=round(x + 4, 1), y=y + row / 2 + 4, class_="chart-text")
        y += row
    return y + 8


def _x_labels(svg: ET.Element, figure: Figure, step: float, y: float) -> None:
    for index, category in enumerate(figure.categories):
        label = _el(svg, "text", _short(category), x=round(40 + step * (index + 0.5), 1), y=y)
        label.set("class", "chart-text chart-axis")
        _tip(label, category)


def _columns(svg: ET.Element, figure: Figure, fmt: Format) -> float:
    top = _top(figure)
    count = max(len(figure.categories), 1)
    step = (WIDTH - 50) / count
    base = LEGEND + 10 + PLOT_HEIGHT
    series_count = max(len(figure.series), 1)
    width = step * 0.8 / series_count
    for index, values in enumerate(figure.rows()):
        category, numbers = values
        for s, value in enumerate(numbers):
            height = PLOT_HEIGHT * (value or 0) / top
            x = 40 + step * index + step * 0.1 + s * width
            bar = _el(
                svg,
                "rect",
                x=round(x, 1),
                y=round(base - height, 1),
                width=round(width, 1),
                height=round(height, 1),
                class_=_series_class(s),
            )
            _tip(bar, f"{category} · {figure.series[s].name}: {fmt(value)}")
            _el(
                svg,
                "text",
                fmt(value),
                x=round(x + width / 2, 1),
                y=round(base - height - 4, 1),
                class_="chart-text chart-axis",
            )
    _el(svg, "line", x1=40, y1=base, x2=WIDTH - 10, y2=base, class_="chart-axis-line")
    _x_labels(svg, figure, step, base + 16)
    return base + 26


def _lines(svg: ET.Element, figure: Figure, fmt: Format) -> float:
    top = _top(figure)
    count = max(len(figure.categories), 1)
    step = (WIDTH - 50) / count
    base = LEGEND + 10 + PLOT_HEIGHT
    _el(svg, "line", x1=40, y1=base, x2=WIDTH - 10, y2=base, class_="chart-axis-line")
    _el(svg, "text", fmt(top), x=36, y=LEGEND + 14, class_="chart-text chart-category")
    for s, series in enumerate(figure.series):
        points: list[str] = []
        for index, value in enumerate(series.values):
            if value is None:  # a gap in the data is a gap in the line
                if len(points) > 1:
                    _el(
                        svg,
                        "polyline",
                        points=" ".join(points),
                        class_=_series_class(s) + " chart-line",
                    )
                points = []
                continue
            x, y = 40 + step * (index + 0.5), base - PLOT_HEIGHT * value / top
            points.append(f"{x:.1f},{y:.1f}")
            dot = _el(svg, "circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=4, class_=_series_class(s))
            _tip(dot, f"{figure.categories[index]} · {series.name}: {fmt(value)}")
        if len(points) > 1:
            _el(svg, "polyline", points=" ".join(points), class_=_series_class(s) + " chart-line")
    _x_labels(svg, figure, step, base + 16)
    return base + 26


def render_svg(figure: Figure, fmt: Format, *, element_id: str) -> str:
    """The figure as an SVG element (text), titled for assistive technology, or "" when the
    figure has no category to draw."""
    if not figure.categories or not figure.series:
        return ""
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": f"chart chart-{figure.kind.value}",
            "role": "img",
            "aria-labelledby": f"{element_id}-title",
            "preserveAspectRatio": "xMinYMin meet",
        },
    )
    _el(svg, "title", figure.title, id=f"{element_id}-title")
    _legend(svg, figure)
    if figure.kind is ChartKind.LINE:
        height = _lines(svg, figure, fmt)
    elif figure.kind is ChartKind.HISTOGRAM:
        height = _columns(svg, figure, fmt)
    else:
        height = _horizontal_bars(svg, figure, fmt)
    svg.set("viewBox", f"0 0 {WIDTH} {round(height)}")
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)
