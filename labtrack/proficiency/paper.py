"""Reports on paper (ISO/IEC 17043 7.4): the round's final report, each participant's own report and a
certificate of participation, as PDF in the reader's language.

The HTML is the app's own template (templates/proficiency/paper/), laid out for A4 and turned into
PDF by WeasyPrint; the charts are drawn for print by matplotlib as PNG images, only when a PDF is
built. Who may have which report is the policy's (`may_read_final_report`,
`may_read_participant_report`); a participant's report names only its own lab, the others appear by
participant code. Building runs as a background job (`labtrack.proficiency.tasks`), off the request.
"""

import base64
import functools
import io
from typing import Any

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from labtrack.models_base import utcnow
from labtrack.proficiency import policy, studies
from labtrack.proficiency.models import Round
from labtrack.proficiency.schemas import RoundSchema, Seen
from labtrack.services import NotFound

KINDS = ("report", "participant", "certificate")
DPI = 120  # sharp on paper at the charts' printed width (about 17 cm)
COMPACT_FROM = 60  # results from which the papers list them at tab stops instead of a table
CHART_CACHE_SIZE = 64  # charts kept in the process, by their data (a round's papers share them)
GRADE_COLOURS = {"satisfactory": "#2e7d32", "questionable": "#f9a825", "unsatisfactory": "#c62828"}


def allowed(kind: str, rnd: Round, actor: Any, lab_id: int | None) -> bool:
    """Whether the actor may have this paper (the final report, or a participant's report or certificate)."""
    if kind == "report":
        return policy.may_read_final_report(actor, rnd)
    if kind in ("participant", "certificate"):
        return policy.may_read_participant_report(actor, rnd, lab_id)
    return False


def check(kind: str, rnd: Round, actor: Any, lab_id: int | None) -> None:
    """404 for a paper the actor may not have (one that does not exist for them, as for pages)."""
    if not allowed(kind, rnd, actor, lab_id):
        raise NotFound(_("No such report."))


def _png(fig: Any, margins: dict[str, float] | None = None) -> str:
    """A matplotlib figure as a data: URI (closed afterwards).

    Fixed margins instead of `bbox_inches="tight"`, which draws the whole figure once more only to
    measure it (about half the time of a chart)."""
    import matplotlib.pyplot as plt

    fig.subplots_adjust(**(margins or {"left": 0.09, "right": 0.98, "top": 0.96, "bottom": 0.17}))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _cjk_font() -> None:
    """Make the CJK font known to matplotlib (its font cache may predate the font's install)."""
    from matplotlib import font_manager

    if any(f.name == "Noto Sans CJK SC" for f in font_manager.fontManager.ttflist):
        return
    for path in font_manager.findSystemFonts(fontext="otf") + font_manager.findSystemFonts():
        if "NotoSansCJK-Regular" in path or "NotoSansCJKsc-Regular" in path:
            font_manager.fontManager.addfont(path)


def _figure(width: float = 6.5, height: float = 2.8) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _cjk_font()

    # Latin glyphs from the small DejaVu font (the CJK one is slow to lay out), Chinese by fallback.
    plt.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK SC"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt.subplots(figsize=(width, height))


def histogram_png(
    values: list[float], x_pt: float, sigma_pt: float | None, own: list[float], unit: str
) -> str:
    """The distribution of the results with x_pt, x_pt ± 2 and 3 sigma_pt, and the reader's own value."""
    return _histogram_png(tuple(values), x_pt, sigma_pt, tuple(own), unit, _locale_key())


def clear_chart_cache() -> None:
    """Forget the charts drawn so far (the benchmark measures drawing them)."""
    for cached in (_histogram_png, _scores_png, _youden_png):
        cached.cache_clear()


def _locale_key() -> str:
    """The language the charts' words are in (part of their cache key)."""
    return str(get_locale() or "en")


@functools.lru_cache(maxsize=CHART_CACHE_SIZE)
def _histogram_png(
    values: tuple, x_pt: float, sigma_pt: float | None, own: tuple, unit: str, _locale: str
) -> str:
    fig, ax = _figure()
    ax.hist(values, bins=max(5, min(30, len(values) // 2 or 1)), color="#90a4ae", edgecolor="white")
    ax.axvline(x_pt, color="#1565c0", linewidth=1.5, label=_("Assigned value"))
    if sigma_pt:
        for k, colour in ((2, "#f9a825"), (3, "#c62828")):
            for sign in (-1, 1):
                ax.axvline(x_pt + sign * k * sigma_pt, color=colour, linestyle="--", linewidth=1)
    for value in own:
        ax.axvline(value, color="#000000", linewidth=2.2, label=_("Your result"))
    ax.set_xlabel(unit or _("Value"), usetex=False)
    ax.set_ylabel(_("Results"))
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    return _png(fig, {"left": 0.08, "right": 0.98, "top": 0.97, "bottom": 0.16})


def scores_png(labels: list[str], scores: list[float], grades: list[str | None], own: set[str]) -> str:
    """The scores ranked, coloured by grade, the reader's own bar outlined."""
    return _scores_png(tuple(labels), tuple(scores), tuple(grades), frozenset(own), _locale_key())


@functools.lru_cache(maxsize=CHART_CACHE_SIZE)
def _scores_png(labels: tuple, scores: tuple, grades: tuple, own: frozenset, _locale: str) -> str:
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    fig, ax = _figure(6.5, 3.0)
    xs = range(len(order))
    bars = ax.bar(
        xs, [scores[i] for i in order], color=[GRADE_COLOURS.get(grades[i] or "", "#90a4ae") for i in order]
    )
    for bar, i in zip(bars, order, strict=True):
        if labels[i] in own:
            bar.set_edgecolor("#000000")
            bar.set_linewidth(2)
    for level in (-3, -2, 2, 3):
        ax.axhline(level, color="#c62828" if abs(level) == 3 else "#f9a825", linestyle="--", linewidth=0.8)
    ax.axhline(0, color="#424242", linewidth=0.8)
    ax.set_xticks([])
    if len(order) <= 40:  # plain texts under the bars: a tick each (two lines, two texts) costs twice as much
        below = ax.get_xaxis_transform()
        for x, i in zip(xs, order, strict=True):
            ax.text(x, -0.02, labels[i], rotation=90, fontsize=6, ha="center", va="top", transform=below)
    ax.set_ylabel(_("Score"))
    return _png(fig, {"left": 0.08, "right": 0.98, "top": 0.97, "bottom": 0.2 if len(order) <= 40 else 0.05})


def youden_png(labels: list[str], a: list[float], b: list[float], y: Any, own: str | None, unit: str) -> str:
    """The Youden plot for print: pairs, the 95 % ellipse, the 45° line through the robust centre."""
    return _youden_png(
        tuple(labels), tuple(a), tuple(b), _Keyed(y, (tuple(a), tuple(b))), own, unit, _locale_key()
    )


class _Keyed:
    """A value cached by a key of its own (the Youden figures are computed from the pairs)."""

    def __init__(self, value: Any, key: Any):
        self.value, self.key = value, key

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and other.key == self.key


@functools.lru_cache(maxsize=CHART_CACHE_SIZE)
def _youden_png(
    labels: tuple, a: tuple, b: tuple, keyed: _Keyed, own: str | None, unit: str, _locale: str
) -> str:
    y = keyed.value
    fig, ax = _figure(5.6, 4.6)
    ax.plot(
        [p[0] for p in y.ellipse],
        [p[1] for p in y.ellipse],
        color="#1565c0",
        linewidth=1.2,
        label=_("%(level)s ellipse", level="95 %"),
    )
    reach = 1.3 * y.chi2**0.5
    ax.plot(
        [y.mean_a - reach * y.sd_a, y.mean_a + reach * y.sd_a], [y.mean_b - reach * y.sd_b, y.mean_b + reach * y.sd_b],
        color="#424242", linestyle="--", linewidth=0.9, label=_("45° line"),
    )  # fmt: skip
    colours = {None: "#78909c", "systematic": "#c62828", "random": "#f9a825"}
    names = {None: _("inside the ellipse"), "systematic": _("systematic error"), "random": _("random error")}
    for error, colour in colours.items():
        idx = [i for i, p in enumerate(y.points) if p.error == error]
        if idx:  # markers of a line without a line: far cheaper to draw than a scatter's collection
            ax.plot([a[i] for i in idx], [b[i] for i in idx], linestyle="none", marker="o", markersize=4.5,
                    color=colour, label=names[error], zorder=3)  # fmt: skip
    for i, label in enumerate(labels):
        if label == own or y.points[i].outside:
            ax.annotate(label, (a[i], b[i]), fontsize=6, xytext=(3, 3), textcoords="offset points")
            if label == own:
                ax.plot([a[i]], [b[i]], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
                        markeredgecolor="#000000", markeredgewidth=1.5, zorder=4)  # fmt: skip
    ax.set_xlabel(f"{_('Level A')} {unit}".strip())
    ax.set_ylabel(f"{_('Level B')} {unit}".strip())
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    return _png(fig, {"left": 0.12, "right": 0.97, "top": 0.97, "bottom": 0.11})


def context(kind: str, rnd: Round, actor: Any, lab: Any | None) -> dict:
    """What the paper shows (asked of the policy and the one audience schema)."""
    check(kind, rnd, actor, getattr(lab, "id", None))
    view = RoundSchema().dump(Seen(rnd, actor))
    rows = sorted(view["results"], key=lambda r: r["participant_code"])
    own_code = None
    if lab is not None:
        own_code = next((p.participant_code for p in rnd.participants if p.lab_id == lab.id), None)
        # A participant's paper names no other lab, whoever reads it.
        rows = [dict(r, lab_code=(lab.code if r["participant_code"] == own_code else None)) for r in rows]
    own = [r for r in rows if r["participant_code"] == own_code]
    ev = view["evaluation"]
    quantitative = view["result_type"] != "qualitative"
    charts: dict[str, str] = {}
    scored = [r for r in rows if r["score"] is not None and r["value"] is not None]
    if kind != "certificate" and quantitative and ev and scored:
        charts["histogram"] = histogram_png(
            [r["value"] for r in scored],
            ev["x_pt"],
            ev["sigma_pt"],
            [r["value"] for r in own if r["value"] is not None],
            view["unit"] or "",
        )
        labels = [
            r["lab_code"] or r["participant_code"] if kind == "report" else r["participant_code"]
            for r in scored
        ]
        charts["scores"] = scores_png(
            labels,
            [r["score"] for r in scored],
            [r["grade"] for r in scored],
            {own_code} if own_code else set(),
        )
    youden = None
    if kind != "certificate" and ev and view.get("split_level"):
        from labtrack.proficiency import charts as page_charts
        from labtrack.proficiency import stats

        labels = [
            r["lab_code"] or r["participant_code"] if kind == "report" else r["participant_code"]
            for r in rows
        ]
        names, a, b = page_charts.youden_pairs(rows, labels)
        try:
            y = stats.youden(a, b)
        except ValueError:
            y = None
        if y is not None:
            youden = {
                "png": youden_png(names, a, b, y, own_code, view["unit"] or ""),
                "reading": page_charts.youden_reading(y),
            }
    counts: dict[str, int] = {}
    for r in rows:
        if r["grade"]:
            counts[r["grade"]] = counts.get(r["grade"], 0) + 1
    return {
        "kind": kind,
        "rnd": rnd,
        "view": view,
        "ev": ev,
        "rows": rows,
        "own": own,
        "own_code": own_code,
        "lab": lab,
        "quantitative": quantitative,
        "charts": charts,
        "youden": youden,
        "counts": counts,
        # Past this many results the table of every result is a listing at tab stops (laying out a
        # table cell costs WeasyPrint as much as a whole line: 200 participants' table was ~1 s).
        "compact": len(rows) > COMPACT_FROM,
        "hom": rnd.homogeneity if policy.sees_studies(actor, rnd) else None,
        "stab": rnd.stability if policy.sees_studies(actor, rnd) else None,
        "consequences": studies.consequences(rnd) if policy.sees_studies(actor, rnd) else [],
        "issued": utcnow(),
        "lang": "zh-Hans" if getattr(get_locale(), "language", "en") == "zh" else "en",
    }


def html(kind: str, rnd: Round, actor: Any, lab: Any | None = None) -> str:
    """The paper's HTML (the template laid out for A4)."""
    template = (
        "proficiency/paper/certificate.html" if kind == "certificate" else "proficiency/paper/report.html"
    )
    return render_template(template, **context(kind, rnd, actor, lab))


def pdf(kind: str, rnd: Round, actor: Any, lab: Any | None = None) -> bytes:
    """The paper as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=html(kind, rnd, actor, lab)).write_pdf()


def filename(kind: str, rnd: Round, lab: Any | None, locale: str) -> str:
    """The download's file name: round code, what, the lab's code, language."""
    parts = [rnd.code, kind] + ([lab.code] if lab is not None else []) + [locale.split("_")[0]]
    return "-".join(p.replace("/", "-") for p in parts) + ".pdf"


def offered(rnd: Round, actor: Any) -> dict | None:
    """The papers the round's page offers the actor (None: none yet)."""
    final = policy.may_read_final_report(actor, rnd)
    labs = [p.lab for p in rnd.participants if policy.may_read_participant_report(actor, rnd, p.lab_id)]
    if not final and not labs:
        return None
    return {"final": final, "labs": sorted(labs, key=lambda lab: lab.code)}


def start(kind: str, rnd: Round, actor: Any, lab_code: str | None, locale: str) -> Any:
    """Check that the actor may have the paper, then build it as a job (returned, to follow on its page)."""
    from sqlalchemy import select

    from labtrack.extensions import db
    from labtrack.jobs.runner import submit
    from labtrack.labs.models import Lab
    from labtrack.proficiency.tasks import JOB_KIND

    if kind not in KINDS:
        raise NotFound(_("No such report."))
    lab = None
    if kind != "report":
        lab = db.session.scalar(select(Lab).where(Lab.code == (lab_code or ""))) if lab_code else None
        if lab is None:
            raise NotFound(_("No such report."))
    check(kind, rnd, actor, getattr(lab, "id", None))
    params = {"code": rnd.code, "paper": kind, "lab_code": lab.code if lab else None, "locale": locale}
    params["stamp"] = stamp(rnd)
    earlier = built(actor, params)
    if earlier is not None:
        return earlier
    return submit(JOB_KIND, actor, **params)


def stamp(rnd: Round) -> str:
    """What a paper of the round depends on, as a string: the round's last change, its evaluation and
    publication (results are frozen once the round is scored)."""
    ev = rnd.evaluation
    parts = [rnd.updated_at, getattr(ev, "evaluated_at", None), rnd.published_at]
    return "|".join(str(p) for p in parts)


def built(actor: Any, params: dict) -> Any:
    """The actor's job that built (or is building) this very paper of this version of the round, if any:
    asking again opens it instead of building the same PDF twice."""
    from sqlalchemy import select

    from labtrack.extensions import db
    from labtrack.jobs.models import Job, JobStatus
    from labtrack.proficiency.tasks import JOB_KIND

    recent = db.session.scalars(
        select(Job)
        .where(
            Job.kind == JOB_KIND,
            Job.started_by_id == getattr(actor, "id", None),
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE)),
        )
        .order_by(Job.id.desc())
        .limit(50)
    )
    return next((job for job in recent if job.params == params), None)
