"""The `training` block of the campaign summary: sessions, attendances, hours, exams with their
participation and pass rate (rates as fractions 0-1), for the summary's period and region."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import Schema, fields

from labtrack.personnel.reports import (
    Filters,
    contests,
    exam_totals,
    exams_by_lab,
    threshold,
    training_totals,
)

KEY = "training"


def block(date_from: date, date_to: date, region: str | None, scope: int | None) -> dict[str, Any]:
    """The training figures of the period (a lab manager's: their own lab's)."""
    f = Filters(date_from, date_to, region=region, scope=scope)
    t, e = training_totals(f), exam_totals(f)
    below = [r for r in exams_by_lab(f) if r["below_threshold"]]
    held = contests(f)
    return {
        "sessions": t["sessions"],
        "attendances": t["attendances"],
        "named_attendances": t["named_attendances"],
        "external_attendances": t["external_attendances"],
        "hours": t["hours"],
        "people_trained": t["people_trained"],
        "exams": e["exams"],
        "exam_required": e["required"],
        "exam_sat": e["sat"],
        "exam_passed": e["passed"],
        "exam_participation": e["participation"],
        "exam_pass_rate": e["pass_rate"],
        "participation_threshold": threshold(),
        "labs_below_threshold": [{"code": r["code"], "participation": r["participation"]} for r in below],
        "contests": len(held),
        "contest_entrants": sum(c["entrants"] for c in held),
    }


def _n(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n, n=f"{n:,}")


def headline_parts(b: dict[str, Any]) -> list[str]:
    """The sessions, attendances and exam participation, for the summary's sentence."""
    parts = [
        _(
            "%(sessions)s with %(attendances)s",
            sessions=_n("%(n)s training session", "%(n)s training sessions", b["sessions"]),
            attendances=_n("%(n)s attendance", "%(n)s attendances", b["attendances"]),
        )
    ]
    if b["exams"]:
        share = b["exam_participation"]
        parts.append(
            _(
                "%(exams)s sat by %(share)s of the staff required",
                exams=_n("%(n)s exam", "%(n)s exams", b["exams"]),
                share="—" if share is None else f"{100 * share:.1f}%",
            )
        )
    return parts


def export_rows(b: dict[str, Any]) -> list[list]:
    """The block's figures as (section, group, measure, value) rows."""
    measures = (
        "sessions",
        "attendances",
        "named_attendances",
        "external_attendances",
        "hours",
        "people_trained",
        "exams",
        "exam_required",
        "exam_sat",
        "exam_passed",
        "exam_participation",
        "exam_pass_rate",
        "participation_threshold",
        "contests",
        "contest_entrants",
    )
    rows = [["training", "total", m, round(b[m], 4) if isinstance(b[m], float) else b[m]] for m in measures]
    rows += [
        ["training", r["code"], "exam_participation", round(r["participation"], 4)]
        for r in b["labs_below_threshold"]
    ]
    return rows


class LabBelowSchema(Schema):
    """A lab whose exam participation is below the threshold."""

    code = fields.String()
    participation = fields.Float()


class BlockSchema(Schema):
    """The campaign summary's training block (rates as fractions 0-1)."""

    sessions = fields.Integer()
    attendances = fields.Integer(metadata={"description": "named attendances plus external attendees (人次)"})
    named_attendances = fields.Integer()
    external_attendances = fields.Integer()
    hours = fields.Float(metadata={"description": "attendance hours"})
    people_trained = fields.Integer()
    exams = fields.Integer(metadata={"description": "exams held in the period, skills contests aside"})
    exam_required = fields.Integer()
    exam_sat = fields.Integer()
    exam_passed = fields.Integer()
    exam_participation = fields.Float(allow_none=True, metadata={"description": "sat / required"})
    exam_pass_rate = fields.Float(allow_none=True, metadata={"description": "passed / sat"})
    participation_threshold = fields.Float()
    labs_below_threshold = fields.List(fields.Nested(LabBelowSchema))
    contests = fields.Integer()
    contest_entrants = fields.Integer()
