"""Charts drawn on the server: scalable, titled, coloured by classes, no script, no style,
every label escaped."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from advocacy.adapters.charts import render_svg
from advocacy.domain.analytics.figures import ChartKind, Figure, Series, Unit


def figure(kind: ChartKind, label: str = "Tax") -> Figure:
    return Figure(
        key="k",
        title=f"Outcomes <b>{label}</b>",
        kind=kind,
        unit=Unit.SHARE if kind is ChartKind.STACKED_BAR else Unit.COUNT,
        category_label="Line",
        categories=(label, "Audit", "2026"),
        series=(Series("Hired", (0.5, 1.0, None)), Series("Lost", (0.5, 0.0, 2.0))),
    )


@pytest.mark.parametrize("kind", list(ChartKind))
def test_every_kind_is_a_titled_scalable_svg_without_script_or_style(kind: ChartKind) -> None:
    svg = render_svg(figure(kind, "<script>alert(1)</script>"), str, element_id="c-k")
    root = ET.fromstring(svg)  # noqa: S314 (our own output, parsed to check it is well-formed)
    assert root.get("viewBox", "").startswith("0 0 640 ")
    assert root.get("width") is None and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-k-title"
    assert root.find("{http://www.w3.org/2000/svg}title").text.startswith("Outcomes <b>")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "style" not in svg and " on" not in svg.replace(" on ", "")
    assert "chart-series-0" in svg and "chart-series-1" in svg


def test_a_figure_without_categories_draws_nothing() -> None:
    empty = Figure("k", "Empty", ChartKind.BAR, Unit.COUNT, "Line", (), ())
    assert render_svg(empty, str, element_id="e") == ""
