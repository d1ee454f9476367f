"""Charts drawn in the browser: a view builds an ECharts option (plain JSON data, labels already in
the reader's language), the page carries it in a `data-chart` attribute (`templates/_charts.html`),
and `static/js/charts.js` draws it with the ECharts library served from node_modules
(`labtrack/vendor.py`). The server spends no time drawing; what a chart shows is exactly what the
page's own data (decided by the area's policy) holds.

Legends sit above the plotting area (never over the data); `charts.js` adds the shared defaults.
"""

from typing import Any

GRADE_COLOURS = {
    "satisfactory": "#2e7d32",
    "questionable": "#f9a825",
    "unsatisfactory": "#c62828",
    None: "#757575",
}


def rounded(value: float | None, digits: int = 6) -> float | None:
    """A number as JSON carries it: None stays None, floats lose the noise beyond `digits`."""
    if value is None:
        return None
    return float(f"{float(value):.{digits}g}")


def height_for_rows(count: int, per_row: int = 22, extra: int = 90, least: int = 160) -> int:
    """The pixel height of a horizontal bar chart with `count` bars."""
    return max(least, per_row * count + extra)


def hline(value: float, colour: str, dashed: bool = False, name: str | None = None) -> dict[str, Any]:
    """A horizontal reference line (markLine data item)."""
    item: dict[str, Any] = {
        "yAxis": value,
        "lineStyle": {"color": colour, "type": "dashed" if dashed else "solid", "width": 1},
    }
    if name:
        item["name"] = name
    return item


def vline(value: float, colour: str, dashed: bool = False, name: str | None = None) -> dict[str, Any]:
    """A vertical reference line (markLine data item)."""
    item: dict[str, Any] = {
        "xAxis": value,
        "lineStyle": {"color": colour, "type": "dashed" if dashed else "solid", "width": 1},
    }
    if name:
        item["name"] = name
    return item


def mark_lines(items: list[dict], labels: bool = False) -> dict[str, Any]:
    """A markLine block of reference lines, silent and without arrows."""
    return {
        "silent": True,
        "symbol": "none",
        "label": {"show": labels, "formatter": "{b}", "position": "insideEndTop", "fontSize": 10},
        "data": items,
    }
