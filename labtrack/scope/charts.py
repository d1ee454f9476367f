"""The growth chart: drawn by matplotlib on the server, returned as inline SVG."""

import io
import warnings
from datetime import date

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "labtrack"  # stable ids in the SVG
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (the page's font shows Chinese)
# Labels are our users' text (region names, lab codes): "$...$" in them is text, never mathtext.
matplotlib.rcParams["text.parse_math"] = False

from matplotlib.figure import Figure  # noqa: E402


def growth_svg(series: dict, labels: dict[str, str], title: str | None = None) -> str:
    """Categories and items (left axis) and parameters (right axis) at each point, as SVG markup;
    `title` (whose growth: a lab code, a region) is drawn as plain text, whatever it contains."""
    points = series["points"]
    days = [date.fromisoformat(p["on"]) for p in points]
    figure = Figure(figsize=(9, 3.4), dpi=96)
    axes = figure.add_subplot()
    if title:
        axes.set_title(title, fontsize=9, loc="right", color="#6c757d", parse_math=False)
    axes.step(
        days, [p["items"] for p in points], where="post", label=labels["items"], color="#0d6efd", linewidth=2
    )
    axes.step(
        days,
        [p["categories"] for p in points],
        where="post",
        label=labels["categories"],
        color="#198754",
        linewidth=2,
    )
    axes.set_ylabel(labels["count"])
    axes.set_ylim(bottom=0)
    axes.grid(True, axis="y", alpha=0.3)
    right = axes.twinx()
    right.step(
        days,
        [p["parameters"] for p in points],
        where="post",
        label=labels["parameters"],
        color="#fd7e14",
        linestyle="--",
        linewidth=1.5,
    )
    right.set_ylabel(labels["parameters"])
    right.set_ylim(bottom=0)
    handles = axes.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    axes.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=8, frameon=False)
    for spine in ("top",):
        axes.spines[spine].set_visible(False)
        right.spines[spine].set_visible(False)
    figure.autofmt_xdate()
    out = io.StringIO()
    with warnings.catch_warnings():
        # Text is kept as text in the SVG (svg.fonttype none): the browser draws Chinese with the
        # page's fonts, so matplotlib's own font lacking those glyphs does not matter.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        figure.tight_layout()
        figure.savefig(out, format="svg")
    svg = out.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog and doctype for inline use
