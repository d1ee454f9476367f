"""What the round, history and coverage pages show, as the actor may see it (views stay thin).

The round page renders the same dump as the API and the export (`schemas.RoundSchema` of
`Seen(round, actor)`): what it hides is what they hide.
"""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.proficiency import charts, paper, policy, qualitative, reports, results, stats, studies
from labtrack.proficiency.forms import HomogeneityForm, ResultForm, StabilityForm, UploadForm
from labtrack.proficiency.models import Round, RoundFinding
from labtrack.proficiency.schemas import RoundSchema, Seen
from labtrack.proficiency.scoring import K_ASSIGNED
from labtrack.services import NotFound


def result_form(rnd: Round, actor: Any) -> ResultForm:
    """The result form, offering the invited labs the actor may enter for that have not reported."""
    form = ResultForm()
    form.lab_code.choices = [
        (p.lab.code, f"{p.lab.code} {p.lab.name}") for p in results.enterable(rnd, actor)
    ]
    if rnd.split_level:
        form.value.label.text = _("Level A")
    if rnd.is_qualitative:
        form.answer.choices = [(c, qualitative.answer_label(rnd, c)) for c in qualitative.categories_of(rnd)]
    return form


def _figures(view: dict, every_identity: bool) -> dict[str, dict]:
    """The charts of scores (only when the view carries the evaluation, i.e. the actor sees scores)."""
    ev, rows = view["evaluation"], view["results"]
    if ev is None or not rows or view.get("result_type") == "qualitative":
        return {}
    labels = [r["lab_code"] if every_identity else r["participant_code"] for r in rows]
    own = next((r["participant_code"] for r in rows if r["lab_code"]), None) if not every_identity else None
    values = [r["value"] for r in rows]
    grades = [r["grade"] for r in rows]
    figures = {
        "histogram": charts.histogram(values, ev["x_pt"], ev["sigma_pt"], view["unit"]),
        "ranked": charts.ranked_scores(labels, [r["score"] for r in rows], grades, ev["score_kind"], own),
    }
    level_b = (ev.get("level_b") or {}) if view.get("split_level") else {}
    with_b = [(label, r) for label, r in zip(labels, rows, strict=True) if r.get("value_b") is not None]
    if level_b.get("x_pt") is not None and with_b:  # level B, evaluated on its own: its own charts
        figures["histogram_b"] = charts.histogram(
            [r["value_b"] for _label, r in with_b], level_b["x_pt"], level_b.get("sigma_pt"), view["unit"]
        )
        scored = [(label, r) for label, r in with_b if r.get("score_b") is not None]
        if scored:
            figures["ranked_b"] = charts.ranked_scores(
                [label for label, _r in scored],
                [r["score_b"] for _label, r in scored],
                [r["grade_b"] for _label, r in scored],
                level_b.get("score_kind") or ev["score_kind"],
                own,
            )
    if ev["score_kind"] in ("en", "zeta"):
        expanded = [r["expanded_uncertainty"] for r in rows]
        figures["en"] = charts.en_chart(
            labels, values, expanded, ev["x_pt"], K_ASSIGNED * ev["u_x_pt"], view["unit"], grades
        )
    return figures


def youden(view: dict, every_identity: bool) -> dict | None:
    """A split-level round's Youden plot and its reading (None: not split-level, scores not seen, or
    fewer than 3 pairs with both levels)."""
    if not view.get("split_level") or view["evaluation"] is None:
        return None
    rows = view["results"]
    labels = [r["lab_code"] if every_identity else r["participant_code"] for r in rows]
    own = next((r["participant_code"] for r in rows if r["lab_code"]), None) if not every_identity else None
    names, a, b = charts.youden_pairs(rows, labels)
    try:
        y = stats.youden(a, b)
    except ValueError:
        return None
    return {
        "option": charts.youden(names, a, b, y, view["unit"], own),
        "reading": charts.youden_reading(y),
        "stats": y,
    }


def z_prime_reason(ev: dict) -> str | None:
    """Why z' replaced z, in the reader's language (the stored text is kept for the report)."""
    if ev is None or ev["score_kind"] != "z_prime" or not ev["sigma_pt"]:
        return None
    return _(
        "u(x_pt) = %(u)s > 0.3 × sigma_pt = %(limit)s: the assigned value's uncertainty is not negligible, "
        "so z′ = (x − x_pt) / √(sigma_pt² + u(x_pt)²) is used instead of z.",
        u=f"{ev['u_x_pt']:.4g}",
        limit=f"{0.3 * ev['sigma_pt']:.4g}",
    )


def round_page(
    rnd: Round, actor: Any, form: ResultForm | None = None, upload: UploadForm | None = None
) -> dict:
    """The context of a round's page."""
    view = RoundSchema().dump(Seen(rnd, actor))
    every_identity = policy.sees_every_identity(actor)
    may_enter = any(policy.may_enter_result(actor, rnd, p.lab_id) for p in rnd.participants)
    if form is None and may_enter:
        form = result_form(rnd, actor)
    withdrawable = {r.id for r in rnd.results if policy.may_withdraw_result(actor, r)}
    return {
        "view": view,
        "identities": every_identity,
        "own_lab_codes": {r["lab_code"] for r in view["results"] if r["lab_code"]}
        if not every_identity
        else set(),
        "scores": policy.sees_scores(actor, rnd),
        "ev": view["evaluation"],
        "z_prime_reason": z_prime_reason(view["evaluation"]),
        "figures": _figures(view, every_identity),
        "may_manage": policy.may_manage(actor),
        "form": form if may_enter else None,
        "upload": _upload_form(rnd, upload) if policy.may_upload_results(actor, rnd) else None,
        "withdrawable": withdrawable,
        "participants": rnd.participants if every_identity else [],
        "reported": {r.lab_id for r in rnd.results} if every_identity else set(),
        "findings": round_findings(rnd, actor),
        "studies": studies_summary(rnd, actor),
        "papers": paper.offered(rnd, actor),
        "youden": youden(view, every_identity),
        "history": history_for(rnd) if policy.sees_round_history(actor, rnd) else None,
    }


def _upload_form(rnd: Round, upload: UploadForm | None) -> UploadForm:
    """The results-file form, its hint naming this round's header (split-level and qualitative differ)."""
    form = upload or UploadForm()
    header = (
        results.QUALITATIVE_HEADER
        if rnd.is_qualitative
        else results.SPLIT_LEVEL_HEADER
        if rnd.split_level
        else results.RESULT_HEADER
    )
    form.file.description = _("Header: %(header)s", header=",".join(header))
    return form


def round_findings(rnd: Round, actor: Any) -> list[dict]:
    """The findings this round raised that the actor may see, with the lab as the actor may see it."""
    stmt = select(RoundFinding).where(RoundFinding.round_id == rnd.id).order_by(RoundFinding.id)
    links = db.session.scalars(policy.narrow_labs(stmt, RoundFinding.lab_id, actor))
    return [
        {
            "link": link,
            "lab": link.result.lab.code
            if policy.sees_identity(actor, link.result)
            else link.result.participant.participant_code,
        }
        for link in links
    ]


def history_page(lab, actor: Any) -> dict:
    """The context of a lab's history page: rows (formatted here, newest first), counts and the chart."""
    from flask import url_for
    from markupsafe import escape

    from labtrack.proficiency.models import GRADE_LABELS, SCORE_KIND_LABELS

    rows = reports.history_rows(lab.id, actor)
    counts = reports.grade_counts(lab.id, actor)
    chart = None
    # Qualitative results (agreement) have no score to plot: the table shows them.
    plotted = [r for r in rows if r.score_kind != "agreement"]
    if plotted:
        chart = charts.history([r.closes_on for r in plotted], [r.score for r in plotted],
                               [r.score_kind for r in plotted], [r.grade for r in plotted],
                               [r.code for r in plotted])  # fmt: skip
    # Long histories (hundreds of rounds): one url_for and one label lookup per distinct value, not per row.
    base = url_for("proficiency.detail", code="__code__")
    grades = {g: str(label) for g, label in GRADE_LABELS.items()}
    answers = {a: str(label) for a, label in qualitative.ANSWER_LABELS.items()}
    table = [
        {
            "href": base.replace("__code__", str(escape(r.code))),
            "code": r.code,
            "title": r.title,
            "closes_on": r.closes_on.isoformat() if r.closes_on else "",
            "participant_code": r.participant_code,
            "value": f"{r.value:.6g} {r.unit or ''}"
            if r.value is not None
            else answers.get(r.answer, r.answer or ""),
            "score": ("✓" if r.score else "✗")
            if r.score_kind == "agreement"
            else f"{SCORE_KIND_LABELS.get(r.score_kind, r.score_kind)} = {r.score:.2f}",
            "grade": r.grade,
            "grade_label": grades.get(r.grade, r.grade),
        }
        for r in reversed(rows)
    ]
    return {"rows": table, "counts": counts, "chart": chart}


def studies_page(rnd: Round, actor: Any, homogeneity_form=None, stability_form=None) -> dict:
    """The context of a round's homogeneity and stability page (404 for who may not see them yet)."""
    if not policy.sees_studies(actor, rnd):
        raise NotFound(_("No such round."))
    may_hom = policy.may_record_homogeneity(actor, rnd)
    may_stab = policy.may_record_stability(actor, rnd)
    if may_hom and homogeneity_form is None:
        homogeneity_form = HomogeneityForm()
        if rnd.homogeneity is not None and not homogeneity_form.replicates.data:
            homogeneity_form.replicates.data = studies.text_of(rnd.homogeneity)
    if may_stab and stability_form is None:
        stability_form = StabilityForm()
        if rnd.stability is not None:
            stability_form.before.data = " ".join(f"{v:g}" for v in rnd.stability.before)
            stability_form.after.data = " ".join(f"{v:g}" for v in rnd.stability.after)
    return {
        "hom": rnd.homogeneity,
        "stab": rnd.stability,
        "consequences": studies.consequences(rnd),
        "homogeneity_form": homogeneity_form if may_hom else None,
        "stability_form": stability_form if may_stab else None,
        "may_manage": policy.may_manage(actor),
    }


def studies_summary(rnd: Round, actor: Any) -> dict | None:
    """The studies as the round's page shows them (None: not to be seen, or nothing recorded or due)."""
    if not policy.sees_studies(actor, rnd):
        return None
    return {"hom": rnd.homogeneity, "stab": rnd.stability, "consequences": studies.consequences(rnd)}
