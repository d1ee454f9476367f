"""The growth chart: an ECharts option (plain data) drawn in the browser by static/js/charts.js."""

from typing import Any


def growth_chart(series: dict, labels: dict[str, str], title: str | None = None) -> dict[str, Any] | None:
    """Categories and items (left axis) and parameters (right axis) at each point, as steps that
    hold until the next point; `title` (whose growth: a lab code, a region) is shown as plain text."""
    points = series["points"]
    if not points:
        return None

    def line(key: str, colour: str, axis: int = 0, dashed: bool = False) -> dict[str, Any]:
        return {
            "type": "line",
            "name": labels[key],
            "step": "end",
            "showSymbol": len(points) <= 40,
            "symbolSize": 4,
            "yAxisIndex": axis,
            "itemStyle": {"color": colour},
            "lineStyle": {
                "color": colour,
                "width": 1.5 if dashed else 2,
                "type": "dashed" if dashed else "solid",
            },
            "data": [[p["on"], p[key]] for p in points],
        }

    option: dict[str, Any] = {
        "legend": {},
        "xAxis": {"type": "time"},
        "yAxis": [
            {"type": "value", "name": labels["count"], "min": 0, "minInterval": 1},
            {
                "type": "value",
                "name": labels["parameters"],
                "min": 0,
                "minInterval": 1,
                "splitLine": {"show": False},
            },
        ],
        "series": [
            line("items", "#0d6efd"),
            line("categories", "#198754"),
            line("parameters", "#fd7e14", axis=1, dashed=True),
        ],
    }
    if title:
        option["title"] = title
    return option
