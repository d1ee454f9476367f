"""Read the charts a page carries (`data-chart` JSON on `.lt-chart` elements, drawn by charts.js)."""

import json
from html.parser import HTMLParser


class _Charts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-chart" in a and "lt-chart" in (a.get("class") or ""):
            self.found[a.get("id") or f"chart-{len(self.found)}"] = json.loads(a["data-chart"])


def charts(page: str) -> dict[str, dict]:
    """Every chart on the page by its element id: the ECharts option it draws."""
    parser = _Charts()
    parser.feed(page)
    return parser.found


def series(option: dict) -> dict[str, list]:
    """The option's series by name (unnamed ones by type and position)."""
    return {s.get("name") or f"{s['type']}-{i}": s["data"] for i, s in enumerate(option["series"])}
