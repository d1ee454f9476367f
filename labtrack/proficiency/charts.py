"""Charts of a round and of a lab's history: ECharts options (plain data, labels in the reader's
language) drawn in the browser by static/js/charts.js. The numbers come from the page's own view
(`RoundSchema` of what the actor may see), so a chart never shows what the page hides."""

from typing import Any

import numpy as np
from flask_babel import gettext as _

from labtrack.charts import GRADE_COLOURS, hline, mark_lines, rounded, vline

SCORE_NAMES = {"z": "z", "z_prime": "z′", "zeta": "ζ", "en": "En"}
WARNING, ACTION = "#f9a825", "#c62828"


def _grade_names() -> dict[str | None, str]:
    from labtrack.proficiency.models import GRADE_LABELS

    names: dict[str | None, str] = {g: str(label) for g, label in GRADE_LABELS.items()}
    names[None] = _("not graded")
    return names


def kde(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Gaussian kernel density with Silverman's bandwidth (robust spread), as a density on `grid`."""
    n = values.size
    spread = min(np.std(values, ddof=1), (np.percentile(values, 75) - np.percentile(values, 25)) / 1.34)
    if not spread > 0:
        spread = np.std(values, ddof=1) or 1.0
    h = 0.9 * spread * n ** (-0.2)
    u = (grid[:, None] - values[None, :]) / h
    return np.exp(-0.5 * u * u).sum(axis=1) / (n * h * np.sqrt(2 * np.pi))


def _reference(name: str, colour: str, lines: list[dict], dashed: bool = False) -> dict[str, Any]:
    """A legend entry that draws only reference lines (a series without points of its own)."""
    return {
        "type": "line",
        "name": name,
        "data": [],
        "itemStyle": {"color": colour},
        "lineStyle": {"color": colour, "type": "dashed" if dashed else "solid"},
        "markLine": mark_lines(lines),
    }


def histogram(values, x_pt: float, sigma_pt: float | None, unit: str) -> dict[str, Any]:
    """Histogram of the values (as density) with their kernel density, x_pt and x_pt ± 2 / 3 sigma_pt."""
    values = np.asarray(values, dtype=float)
    lo, hi = float(values.min()), float(values.max())
    if sigma_pt:
        lo, hi = min(lo, x_pt - 3.5 * sigma_pt), max(hi, x_pt + 3.5 * sigma_pt)
    pad = (hi - lo) * 0.05 or 1.0
    bins = int(np.clip(np.sqrt(values.size) * 2, 6, 40))
    density, edges = np.histogram(values, bins=bins, range=(lo - pad, hi + pad), density=True)
    steps = [[rounded(e), rounded(d)] for e, d in zip(edges[:-1], density, strict=True)]
    steps.append([rounded(edges[-1]), rounded(density[-1])])
    series: list[dict[str, Any]] = [
        {
            "type": "line",
            "name": _("results"),
            "step": "end",
            "showSymbol": False,
            "itemStyle": {"color": "#90caf9"},
            "lineStyle": {"color": "#64b5f6", "width": 1},
            "areaStyle": {"color": "#90caf9", "opacity": 0.8},
            "data": steps,
        }
    ]
    if values.size >= 3 and np.ptp(values) > 0:
        grid = np.linspace(lo - pad, hi + pad, 120)
        series.append(
            {
                "type": "line",
                "name": _("kernel density"),
                "showSymbol": False,
                "smooth": True,
                "itemStyle": {"color": "#1565c0"},
                "lineStyle": {"color": "#1565c0", "width": 1.5},
                "data": [[rounded(x), rounded(y)] for x, y in zip(grid, kde(values, grid), strict=True)],
            }
        )
    series.append(_reference(f"x_pt = {x_pt:.4g}", "#000000", [vline(rounded(x_pt), "#000000")]))
    if sigma_pt:
        for k, colour, dashed in ((2, WARNING, True), (3, ACTION, False)):
            lines = [vline(rounded(x_pt + s * k * sigma_pt), colour, dashed) for s in (-1, 1)]
            series.append(_reference(f"x_pt ± {k} σ_pt", colour, lines, dashed))
    return {
        "legend": {},
        "tooltip": {"trigger": "axis", "confine": True},
        "xAxis": {"type": "value", "name": unit or _("value"), "nameLocation": "middle", "nameGap": 26,
                  "min": rounded(lo - pad), "max": rounded(hi + pad), "scale": True},
        "yAxis": {"type": "value", "name": _("density")},
        "series": series,
    }  # fmt: skip


def ranked_scores(
    labels: list[str], scores, grades: list[str], kind: str, highlight: str | None = None
) -> dict[str, Any]:
    """Scores sorted from lowest to highest as bars coloured by grade (the actor's own lab outlined),
    with the warning (±2) and action (±3) limits; ±1 for En."""
    scores = np.asarray(scores, dtype=float)
    order = [int(i) for i in np.argsort(scores, kind="stable")]
    names = _grade_names()
    series: list[dict[str, Any]] = []
    for grade, colour in GRADE_COLOURS.items():
        if not any(grades[i] == grade for i in order):
            continue
        data: list[Any] = []
        for i in order:
            if grades[i] != grade:
                data.append(None)
                continue
            item: dict[str, Any] = {"value": rounded(scores[i], 4)}
            if highlight is not None and labels[i] == highlight:
                item["itemStyle"] = {"borderColor": "#000000", "borderWidth": 2}
            data.append(item)
        series.append(
            {"type": "bar", "name": names[grade], "stack": "score", "barMaxWidth": 28,
             "itemStyle": {"color": colour}, "data": data}
        )  # fmt: skip
    if kind == "en":
        series.append(_reference(_("limit ±1"), ACTION, [hline(s, ACTION) for s in (-1, 1)]))
    else:
        series.append(
            _reference(_("warning limits ±2"), WARNING, [hline(s * 2, WARNING, True) for s in (-1, 1)], True)
        )
        series.append(_reference(_("action limits ±3"), ACTION, [hline(s * 3, ACTION) for s in (-1, 1)]))
    top = max(4.0 if kind != "en" else 2.0, float(np.abs(scores).max()) * 1.1 if scores.size else 0)
    return {
        "legend": {},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "xAxis": {"type": "category", "data": [labels[i] for i in order],
                  "axisLabel": {"rotate": 90, "interval": 0, "fontSize": 10}},
        "yAxis": {"type": "value", "name": SCORE_NAMES.get(kind, kind), "min": -rounded(top, 3), "max": rounded(top, 3)},
        "series": series,
    }  # fmt: skip


def en_chart(
    labels: list[str], values, expanded, x_pt: float, U_x_pt: float, unit: str, grades: list[str]
) -> dict[str, Any]:
    """Each lab's value with its expanded uncertainty bar, against the band x_pt ± U(x_pt)."""
    values = np.asarray(values, dtype=float)
    expanded = np.nan_to_num(np.asarray(expanded, dtype=float))
    names = _grade_names()
    series: list[dict[str, Any]] = [
        {
            "type": "line",
            "name": "x_pt ± U(x_pt)",
            "data": [],
            "itemStyle": {"color": "#bdbdbd"},
            "markArea": {
                "silent": True,
                "itemStyle": {"color": "#bdbdbd", "opacity": 0.5},
                "data": [[{"yAxis": rounded(x_pt - U_x_pt)}, {"yAxis": rounded(x_pt + U_x_pt)}]],
            },
        },
        _reference(f"x_pt = {x_pt:.4g}", "#000000", [hline(rounded(x_pt), "#000000")]),
        {
            "type": "lines",
            "name": _("expanded uncertainty"),
            "coordinateSystem": "cartesian2d",
            "silent": True,
            "lineStyle": {"color": "#616161", "width": 1.5},
            "data": [
                {"coords": [[labels[i], rounded(v - u)], [labels[i], rounded(v + u)]]}
                for i, (v, u) in enumerate(zip(values, expanded, strict=True))
            ],
        },
    ]
    for grade, colour in GRADE_COLOURS.items():
        points = [[labels[i], rounded(values[i])] for i in range(values.size) if grades[i] == grade]
        if points:
            series.append(
                {"type": "scatter", "name": names[grade], "symbolSize": 8, "itemStyle": {"color": colour},
                 "data": points}
            )  # fmt: skip
    low = float(min((values - expanded).min(), x_pt - U_x_pt))
    high = float(max((values + expanded).max(), x_pt + U_x_pt))
    pad = (high - low) * 0.05 or 1.0
    return {
        "legend": {},
        "tooltip": {"trigger": "item", "confine": True},
        "xAxis": {"type": "category", "data": list(labels), "axisLabel": {"rotate": 90, "interval": 0, "fontSize": 10}},
        "yAxis": {"type": "value", "name": unit or _("value"), "min": rounded(low - pad, 4), "max": rounded(high + pad, 4)},
        "series": series,
    }  # fmt: skip


def history(
    dates, scores, kinds: list[str], grades: list[str], codes: list[str] | None = None
) -> dict[str, Any]:
    """A lab's scores across rounds over time, coloured by grade (En as squares), with ±2 and ±3."""
    names = _grade_names()
    codes = codes or [""] * len(dates)
    series: list[dict[str, Any]] = [
        {
            "type": "line",
            "name": _("score"),
            "showSymbol": False,
            "silent": True,
            "itemStyle": {"color": "#90a4ae"},
            "lineStyle": {"color": "#90a4ae", "width": 1},
            "data": [[d.isoformat(), rounded(s, 4)] for d, s in zip(dates, scores, strict=True)],
        }
    ]
    for grade, colour in GRADE_COLOURS.items():
        points = [
            {
                "name": code,
                "value": [d.isoformat(), rounded(s, 4)],
                **({"symbol": "rect"} if k == "en" else {}),
            }
            for d, s, k, g, code in zip(dates, scores, kinds, grades, codes, strict=True)
            if g == grade
        ]
        if points:
            series.append(
                {"type": "scatter", "name": names[grade], "symbolSize": 7, "itemStyle": {"color": colour},
                 "data": points}
            )  # fmt: skip
    series.append(
        _reference(_("warning limits ±2"), WARNING, [hline(s * 2, WARNING, True) for s in (-1, 1)], True)
    )
    series.append(_reference(_("action limits ±3"), ACTION, [hline(s * 3, ACTION) for s in (-1, 1)]))
    top = max([4.0, *(abs(float(s)) * 1.1 for s in scores)])
    return {
        "legend": {},
        "tooltip": {"trigger": "item", "confine": True},
        "xAxis": {"type": "time"},
        "yAxis": {"type": "value", "name": _("score (z, z′, ζ; En as squares)"), "min": -rounded(top, 3),
                  "max": rounded(top, 3), "nameTextStyle": {"align": "left"}},
        "series": series,
    }  # fmt: skip


def youden_pairs(rows: list[dict], labels: list[str]) -> tuple[list[str], list[float], list[float]]:
    """The (label, level A, level B) of the results that carry both levels."""
    kept = [(lab, r["value"], r["value_b"]) for lab, r in zip(labels, rows, strict=True)
            if r.get("value") is not None and r.get("value_b") is not None]  # fmt: skip
    return [k[0] for k in kept], [k[1] for k in kept], [k[2] for k in kept]


def youden_reading(y: Any) -> str:
    """What the plot says, in the reader's language: which error dominates, and who lies outside."""
    said = (
        _("The points lie along the 45° line (robust correlation %(r)s): the laboratories differ mostly by "
          "systematic error, each high or low on both levels.", r=f"{y.correlation:.2f}")
        if y.dominant == "systematic"
        else _("The points scatter across the 45° line (robust correlation %(r)s): random error dominates.",
               r=f"{y.correlation:.2f}")
    )  # fmt: skip
    systematic = sum(1 for p in y.points if p.error == "systematic")
    random = sum(1 for p in y.points if p.error == "random")
    return (
        said
        + " "
        + _(
            "Outside the 95 %% ellipse: %(s)s along the line (systematic), %(r)s across it (random).",
            s=systematic,
            r=random,
        )
    )


def youden(
    labels: list[str], a: list[float], b: list[float], y: Any, unit: str, own: str | None = None
) -> dict[str, Any]:
    """The Youden plot: each participant's level A against level B, the robust 95 % ellipse, the
    45° line through the robust centre (in units of each level's robust SD), pairs outside coloured by
    the error that puts them there."""
    groups = {
        None: (_("inside the ellipse"), "#78909c"),
        "systematic": (_("systematic error"), ACTION),
        "random": (_("random error"), WARNING),
    }
    series: list[dict[str, Any]] = [
        {"type": "line", "name": _("%(level)s ellipse", level="95 %"), "showSymbol": False, "silent": True,
         "lineStyle": {"color": "#1565c0", "width": 1.5}, "itemStyle": {"color": "#1565c0"},
         "data": [[rounded(x), rounded(z)] for x, z in y.ellipse]},
    ]  # fmt: skip
    reach = 1.3 * (y.chi2**0.5)
    series.append(
        {"type": "line", "name": _("45° line"), "showSymbol": False, "silent": True,
         "lineStyle": {"color": "#424242", "type": "dashed", "width": 1}, "itemStyle": {"color": "#424242"},
         "data": [[rounded(y.mean_a - reach * y.sd_a), rounded(y.mean_b - reach * y.sd_b)],
                  [rounded(y.mean_a + reach * y.sd_a), rounded(y.mean_b + reach * y.sd_b)]]}
    )  # fmt: skip
    for error, (name, colour) in groups.items():
        data = [
            {"name": labels[i], "value": [rounded(a[i]), rounded(b[i])],
             **({"symbolSize": 14, "itemStyle": {"borderColor": "#000", "borderWidth": 2}} if labels[i] == own else {})}
            for i, p in enumerate(y.points) if p.error == error
        ]  # fmt: skip
        if data:
            series.append({"type": "scatter", "name": name, "symbolSize": 9, "itemStyle": {"color": colour},
                           "data": data})  # fmt: skip
    xs = [p[0] for p in y.ellipse] + list(a)
    zs = [p[1] for p in y.ellipse] + list(b)
    pad_x, pad_z = (max(xs) - min(xs)) * 0.05 or 1.0, (max(zs) - min(zs)) * 0.05 or 1.0
    level_a, level_b = _("Level A"), _("Level B")
    return {
        "legend": {},
        "tooltip": {"trigger": "item", "confine": True},
        "xAxis": {"type": "value", "name": f"{level_a} {unit}".strip(), "nameLocation": "middle", "nameGap": 26,
                  "min": rounded(min(xs) - pad_x, 4), "max": rounded(max(xs) + pad_x, 4)},
        "yAxis": {"type": "value", "name": f"{level_b} {unit}".strip(),
                  "min": rounded(min(zs) - pad_z, 4), "max": rounded(max(zs) + pad_z, 4)},
        "series": series,
    }  # fmt: skip
