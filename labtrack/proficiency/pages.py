"""What the round, history and export pages show, as the current user may see it (views stay thin)."""

from flask_login import current_user
from sqlalchemy import select

from labtrack.auth.permissions import Perm, lab_scope_id
from labtrack.extensions import db
from labtrack.proficiency import charts, reports, service
from labtrack.proficiency.forms import ResultForm, UploadForm
from labtrack.proficiency.models import Round, RoundFinding, RoundStatus
from labtrack.proficiency.scoring import K_ASSIGNED

SCORED = (RoundStatus.EVALUATED, RoundStatus.PUBLISHED)


def result_form(rnd: Round) -> ResultForm:
    """The result form with the invited labs that have not reported (a lab manager: its own)."""
    form = ResultForm()
    reported = {r.lab_id for r in rnd.results}
    scope = lab_scope_id()
    form.lab_code.choices = [
        (p.lab.code, f"{p.lab.code} {p.lab.name}")
        for p in sorted(rnd.participants, key=lambda p: p.lab.code)
        if p.lab_id not in reported and (scope is None or p.lab_id == scope)
    ]
    return form


def round_page(
    rnd: Round, form: ResultForm | None = None, upload: UploadForm | None = None, row_errors=None
) -> dict:
    """The context of a round's page."""
    identities = service.sees_identities()
    scope = lab_scope_id()
    rows = service.visible_results(rnd)
    revealed = identities or rnd.status == RoundStatus.PUBLISHED
    ev = rnd.evaluation if revealed and rnd.status in SCORED else None
    figures = {}
    if ev is not None and rows:
        labels = [r.participant.participant_code if not identities else r.lab.code for r in rows]
        own = next((lab for lab, r in zip(labels, rows, strict=True) if r.lab_id == scope), None)
        values = [r.value for r in rows]
        grades = [r.grade for r in rows]
        figures["histogram"] = charts.histogram(values, ev.x_pt, ev.sigma_pt, rnd.unit)
        figures["ranked"] = charts.ranked_scores(labels, [r.score for r in rows], grades, ev.score_kind, own)
        if ev.score_kind in ("en", "zeta"):
            expanded = [r.expanded_uncertainty for r in rows]
            figures["en"] = charts.en_chart(
                labels, values, expanded, ev.x_pt, K_ASSIGNED * ev.u_x_pt, rnd.unit, grades
            )
    may_enter = rnd.status == RoundStatus.OPEN and current_user.can(Perm.RESULTS_ENTER)
    if may_enter and form is None:
        form = result_form(rnd)
    return {
        "results": rows,
        "identities": identities,
        "own_lab_id": scope,
        "revealed": revealed,
        "ev": ev,
        "figures": figures,
        "form": form if may_enter else None,
        "upload": (upload or UploadForm()) if may_enter and identities else None,
        "row_errors": row_errors or [],
        "reported": {r.lab_id for r in rnd.results} if identities else set(),
        "findings": round_findings(rnd),
    }


def round_findings(rnd: Round) -> list[RoundFinding]:
    """The findings this round raised that the current user may see."""
    stmt = select(RoundFinding).where(RoundFinding.round_id == rnd.id).order_by(RoundFinding.id)
    scope = lab_scope_id()
    if scope is not None:
        stmt = stmt.where(RoundFinding.lab_id == scope)
    return list(db.session.scalars(stmt))


def export_rows(rnd: Round) -> tuple[list[str], list[list]]:
    """The results table for download."""
    identities = service.sees_identities()
    scope = lab_scope_id()
    rows = service.visible_results(rnd)
    header = ["round", "participant_code", "lab_code", "value", "unit", "expanded_uncertainty", "coverage_factor",
              "method", "submitted_at", "score_kind", "score", "grade"]  # fmt: skip
    scored = rnd.status in SCORED and (identities or rnd.status == RoundStatus.PUBLISHED)
    body = [
        [rnd.code, r.participant.participant_code, r.lab.code if identities or r.lab_id == scope else "",
         r.value, rnd.unit, r.expanded_uncertainty, r.coverage_factor, r.method, r.submitted_at,
         r.score_kind if scored else None, round(r.score, 4) if scored and r.score is not None else None,
         r.grade if scored else None]
        for r in rows
    ]  # fmt: skip
    return header, body


def history_page(lab) -> dict:
    """The context of a lab's history page: rows (formatted here, newest first), counts and the chart."""
    from flask import url_for
    from markupsafe import escape

    from labtrack.proficiency.models import GRADE_LABELS, SCORE_KIND_LABELS

    rows = reports.history_rows(lab.id)
    counts = reports.grade_counts(lab.id)
    chart = None
    if rows:
        chart = charts.history([r.closes_on for r in rows], [r.score for r in rows], [r.score_kind for r in rows],
                               [r.grade for r in rows])  # fmt: skip
    # Long histories (hundreds of rounds): one url_for and one label lookup per distinct value, not per row.
    base = url_for("proficiency.detail", code="__code__")
    grades = {g: str(label) for g, label in GRADE_LABELS.items()}
    table = [
        {
            "href": base.replace("__code__", str(escape(r.code))),
            "code": r.code,
            "title": r.title,
            "closes_on": r.closes_on.isoformat() if r.closes_on else "",
            "participant_code": r.participant_code,
            "value": f"{r.value:.6g} {r.unit or ''}",
            "score": f"{SCORE_KIND_LABELS.get(r.score_kind, r.score_kind)} = {r.score:.2f}",
            "grade": r.grade,
            "grade_label": grades.get(r.grade, r.grade),
        }
        for r in reversed(rows)
    ]
    return {"rows": table, "counts": counts, "chart": chart}
