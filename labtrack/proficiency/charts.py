"""Charts of a round and of a lab's history, drawn server-side by matplotlib as inline SVG."""

import io
import re
import warnings
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from flask_babel import get_locale  # noqa: E402
from flask_babel import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Text stays text (the browser renders Chinese with its own fonts); ids are stable between runs.
# Units, labels and codes are users' text: "$...$" in them is never mathtext (a bad one raised).
matplotlib.rcParams.update(
    {"svg.fonttype": "none", "svg.hashsalt": "labtrack", "font.size": 9, "text.parse_math": False}
)

GRADE_COLOURS = {
    "satisfactory": "#2e7d32",
    "questionable": "#f9a825",
    "unsatisfactory": "#c62828",
    None: "#757575",
}


def _svg(fig: Figure, title: str, tight: bool = True) -> str:
    """The figure as an <svg> element with an accessible title (no XML prolog, scalable)."""
    out = io.StringIO()
    with warnings.catch_warnings():
        # Text stays text in the SVG: the browser draws Chinese (labels, units) with the page's
        # fonts, so matplotlib's own font lacking those glyphs does not matter.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig.savefig(
            out,
            format="svg",
            bbox_inches="tight" if tight else None,
            metadata={"Date": None, "Creator": None},
        )
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="chart" role="img"', svg, count=1
    )
    return svg.replace(">", f"><title>{_escape(title)}</title>", 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def kde(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Gaussian kernel density with Silverman's bandwidth (robust spread), as a density on `grid`."""
    n = values.size
    spread = min(np.std(values, ddof=1), (np.percentile(values, 75) - np.percentile(values, 25)) / 1.34)
    if not spread > 0:
        spread = np.std(values, ddof=1) or 1.0
    h = 0.9 * spread * n ** (-0.2)
    u = (grid[:, None] - values[None, :]) / h
    return np.exp(-0.5 * u * u).sum(axis=1) / (n * h * np.sqrt(2 * np.pi))


def histogram(values, x_pt: float, sigma_pt: float | None, unit: str) -> str:
    """Histogram of the values with their kernel density, x_pt and x_pt ± 2 / 3 sigma_pt marked."""
    values = np.asarray(values, dtype=float)
    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.add_subplot()
    lo, hi = values.min(), values.max()
    if sigma_pt:
        lo, hi = min(lo, x_pt - 3.5 * sigma_pt), max(hi, x_pt + 3.5 * sigma_pt)
    pad = (hi - lo) * 0.05 or 1.0
    bins = int(np.clip(np.sqrt(values.size) * 2, 6, 40))
    ax.hist(
        values,
        bins=bins,
        range=(lo - pad, hi + pad),
        density=True,
        color="#90caf9",
        edgecolor="white",
        label=_("results"),
    )
    if values.size >= 3 and np.ptp(values) > 0:
        grid = np.linspace(lo - pad, hi + pad, 300)
        ax.plot(grid, kde(values, grid), color="#1565c0", linewidth=1.5, label=_("kernel density"))
    ax.axvline(x_pt, color="black", linewidth=1.5, label=f"x_pt = {x_pt:.4g}")
    if sigma_pt:
        for k, style in ((2, "--"), (3, ":")):
            for sign in (-1, 1):
                ax.axvline(
                    x_pt + sign * k * sigma_pt,
                    color="#c62828" if k == 3 else "#f9a825",
                    linestyle=style,
                    linewidth=1,
                    label=f"x_pt ± {k} σ_pt" if sign == 1 else None,
                )
    ax.set_xlabel(unit or _("value"))
    ax.set_ylabel(_("density"))
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, _("Histogram of the results with kernel density and the assigned value"))


def ranked_scores(
    labels: list[str], scores, grades: list[str], kind: str, highlight: str | None = None
) -> str:
    """Scores sorted from lowest to highest as bars, with the ±2 and ±3 lines (±1 for En)."""
    scores = np.asarray(scores, dtype=float)
    order = np.argsort(scores, kind="stable")
    n = scores.size
    fig = Figure(figsize=(max(6.4, min(0.22 * n + 1.5, 16)), 3.2))
    ax = fig.add_subplot()
    colours = [GRADE_COLOURS.get(grades[i], "#757575") for i in order]
    bars = ax.bar(np.arange(n), scores[order], color=colours, width=0.75)
    if highlight is not None:
        for position, i in enumerate(order):
            if labels[i] == highlight:
                bars[position].set_edgecolor("black")
                bars[position].set_linewidth(1.5)
    limits = (1,) if kind == "en" else (2, 3)
    for k in limits:
        colour = "#c62828" if k != 2 else "#f9a825"
        for sign in (-1, 1):
            ax.axhline(sign * k, color=colour, linestyle="--" if k == 2 else "-", linewidth=1)
    ax.axhline(0, color="black", linewidth=0.6)
    top = max(4.0 if kind != "en" else 2.0, float(np.abs(scores).max()) * 1.1 if n else 0)
    ax.set_ylim(-top, top)
    ax.set_xticks(np.arange(n))
    ax.set_xticklabels([labels[i] for i in order], rotation=90, fontsize=7 if n > 30 else 8)
    ax.set_xlim(-0.75, n - 0.25)
    ax.set_ylabel({"z": "z", "z_prime": "z′", "zeta": "ζ", "en": "En"}.get(kind, kind))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, _("Scores ranked, with the action and warning limits"))


def en_chart(
    labels: list[str], values, expanded, x_pt: float, U_x_pt: float, unit: str, grades: list[str]
) -> str:
    """Each lab's value with its expanded uncertainty bar, against x_pt ± U(x_pt)."""
    values = np.asarray(values, dtype=float)
    expanded = np.nan_to_num(np.asarray(expanded, dtype=float))
    n = values.size
    fig = Figure(figsize=(max(6.4, min(0.35 * n + 1.5, 16)), 3.4))
    ax = fig.add_subplot()
    ax.axhspan(x_pt - U_x_pt, x_pt + U_x_pt, color="#bdbdbd", alpha=0.5, label="x_pt ± U(x_pt)")
    ax.axhline(x_pt, color="black", linewidth=1.2, label=f"x_pt = {x_pt:.4g}")
    for i in range(n):
        ax.errorbar(
            i,
            values[i],
            yerr=expanded[i],
            fmt="o",
            color=GRADE_COLOURS.get(grades[i], "#757575"),
            capsize=4,
            markersize=5,
        )
    ax.set_xticks(np.arange(n))
    ax.set_xticklabels(labels, rotation=90)
    ax.set_xlim(-0.75, n - 0.25)
    ax.set_ylabel(unit or _("value"))
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, _("Results with their expanded uncertainties against the reference value"))


def history(dates, scores, kinds: list[str], grades: list[str]) -> str:
    """A lab's history chart, reused while its data (and the language) are unchanged."""
    key = (tuple(dates), tuple(float(s) for s in scores), tuple(kinds), tuple(grades), str(get_locale()))
    return _history_cached(key)


@lru_cache(maxsize=256)
def _history_cached(key: tuple) -> str:
    dates, scores, kinds, grades, _locale = key
    return draw_history(dates, scores, kinds, grades)


def draw_history(dates, scores, kinds, grades) -> str:
    """A lab's scores across rounds over time (decimal years), with the ±2 and ±3 lines.

    Kept cheap for long histories: one marker line per grade and kind (SVG <use> references), fixed
    margins instead of a tight bounding box (which costs a second draw)."""
    fig = Figure(figsize=(7.2, 3.0))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.96)
    ax = fig.add_subplot()
    x = np.array([d.year + (d.timetuple().tm_yday - 0.5) / 366 for d in dates], dtype=float)
    y = np.asarray(scores, dtype=float)
    for k in (2, 3):
        for sign in (-1, 1):
            ax.axhline(
                sign * k,
                color="#c62828" if k == 3 else "#f9a825",
                linestyle="--" if k == 2 else "-",
                linewidth=1,
            )
    ax.axhline(0, color="black", linewidth=0.6)
    if y.size:
        ax.plot(x, y, color="#90a4ae", linewidth=0.8, zorder=1)
        grade_arr, kind_arr = np.asarray(grades, dtype=object), np.asarray(kinds, dtype=object)
        for grade_value, colour in GRADE_COLOURS.items():
            for marker, is_en in (("o", False), ("s", True)):
                mask = (grade_arr == grade_value) & ((kind_arr == "en") == is_en)
                if mask.any():
                    ax.plot(
                        x[mask],
                        y[mask],
                        linestyle="none",
                        marker=marker,
                        markersize=4.5,
                        color=colour,
                        zorder=2,
                    )
        top = max(4.0, float(np.abs(y).max()) * 1.1)
        ax.set_ylim(-top, top)
        span = x.max() - x.min()
        ax.set_xlim(x.min() - max(0.05 * span, 0.25), x.max() + max(0.05 * span, 0.25))
    # Fixed, few ticks: tick objects are most of the drawing time of a long history.
    ax.set_yticks([-3, -2, 0, 2, 3])
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, integer=len(x) > 0 and np.ptp(x) >= 3))
    ax.xaxis.set_major_formatter(_year_formatter)
    ax.set_ylabel(_("score (z, z′, ζ; En as squares)"))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, _("Scores across rounds"), tight=False)


def _year_formatter(value: float, _pos) -> str:
    """Tick labels of a decimal-year axis: the year, or year-month between years."""
    year = int(np.floor(value))
    month = int(round((value - year) * 12)) + 1
    if month > 12:
        year, month = year + 1, 1
    return str(year) if month == 1 else f"{year}-{month:02d}"
