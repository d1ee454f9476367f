"""The `records` block of the campaign summary: documents written and revised, questionnaires
issued and returned, complaints received and answered (DESIGN "Interfaces": the block holds at
least documents_written, documents_revised, questionnaires_issued, questionnaires_returned,
complaints, complaints_answered), for the page (templates/records/_campaign.html), the export and
the API.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import Schema, fields

from labtrack.records import figures

KEY = "records"


def block(date_from: date, date_to: date, region: str | None, scope: int | None) -> dict[str, Any]:
    """The period's quality-system records (a lab manager's: their own lab's; surveys are the bureau's)."""
    documents = figures.document_figures(date_from, date_to, region, scope)["total"]
    surveys = figures.survey_figures(date_from, date_to, region, scope)
    complaints = figures.complaint_figures(date_from, date_to, region, scope)["total"]
    audiences = {row["audience"]: row for row in surveys["by_audience"]}
    return {
        "documents_written": documents["written"],
        "documents_revised": documents["revised"],
        "documents_withdrawn": documents["withdrawn"],
        "work_instructions_revised": documents["work_instructions_revised"],
        "work_instruction_kinds_revised": documents["work_instruction_kinds_revised"],
        "questionnaires_issued": surveys["total"]["issued"],
        "questionnaires_returned": surveys["total"]["returned"],
        "questionnaires_inside_issued": audiences["inside"]["issued"],
        "questionnaires_inside_returned": audiences["inside"]["returned"],
        "questionnaires_outside_issued": audiences["outside"]["issued"],
        "questionnaires_outside_returned": audiences["outside"]["returned"],
        "response_rate": surveys["total"]["response_rate"],
        "complaints": complaints["received"],
        "complaints_answered": complaints["answered"],
        "complaints_substantiated": complaints["substantiated"],
        "complaint_findings": complaints["findings"],
        "feedback_rate": complaints["feedback_rate"],
        "mean_days_to_feedback": complaints["mean_days_to_feedback"],
        "median_days_to_feedback": complaints["median_days_to_feedback"],
        "surveys_of_the_bureau": scope is None,
    }


def _n(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n, n=f"{n:,}")


def headline_parts(b: dict) -> list[str]:
    """The block's phrases of the summary's headline."""
    parts = []
    if b["documents_written"] or b["documents_revised"]:
        parts.append(
            _(
                "%(written)s written, %(revised)s revised",
                written=_n("%(n)s system document", "%(n)s system documents", b["documents_written"]),
                revised=f"{b['documents_revised']:,}",
            )
        )
    if b["questionnaires_issued"]:
        parts.append(
            _(
                "%(issued)s issued, %(returned)s returned",
                issued=_n("%(n)s questionnaire", "%(n)s questionnaires", b["questionnaires_issued"]),
                returned=f"{b['questionnaires_returned']:,}",
            )
        )
    if b["complaints"]:
        parts.append(
            _(
                "%(complaints)s, %(rate)s answered",
                complaints=_n("%(n)s complaint", "%(n)s complaints", b["complaints"]),
                rate=f"{100 * b['feedback_rate']:.0f}%" if b["feedback_rate"] is not None else "—",
            )
        )
    return parts


MEASURES = (
    "documents_written",
    "documents_revised",
    "documents_withdrawn",
    "work_instructions_revised",
    "work_instruction_kinds_revised",
    "questionnaires_issued",
    "questionnaires_returned",
    "questionnaires_inside_issued",
    "questionnaires_inside_returned",
    "questionnaires_outside_issued",
    "questionnaires_outside_returned",
    "response_rate",
    "complaints",
    "complaints_answered",
    "complaints_substantiated",
    "complaint_findings",
    "feedback_rate",
    "mean_days_to_feedback",
    "median_days_to_feedback",
)


def export_rows(b: dict) -> list[list]:
    """The block as rows (section, group, measure, value) of the summary's export."""
    return [["records", "total", m, round(b[m], 4) if isinstance(b[m], float) else b[m]] for m in MEASURES]


class RecordsBlockSchema(Schema):
    """Quality-system records of the period: documents, questionnaires, complaints."""

    documents_written = fields.Integer(required=True, metadata={"description": "first revision took effect"})
    documents_revised = fields.Integer(required=True, metadata={"description": "later revisions took effect"})
    documents_withdrawn = fields.Integer(required=True)
    work_instructions_revised = fields.Integer(required=True)
    work_instruction_kinds_revised = fields.Integer(required=True, metadata={"description": "their subjects"})
    questionnaires_issued = fields.Integer(required=True)
    questionnaires_returned = fields.Integer(required=True)
    questionnaires_inside_issued = fields.Integer(required=True)
    questionnaires_inside_returned = fields.Integer(required=True)
    questionnaires_outside_issued = fields.Integer(required=True)
    questionnaires_outside_returned = fields.Integer(required=True)
    response_rate = fields.Float(allow_none=True, metadata={"description": "returned / issued, 0-1"})
    complaints = fields.Integer(required=True, metadata={"description": "received in the period"})
    complaints_answered = fields.Integer(required=True, metadata={"description": "feedback given"})
    complaints_substantiated = fields.Integer(required=True)
    complaint_findings = fields.Integer(required=True)
    feedback_rate = fields.Float(allow_none=True, metadata={"description": "answered / received, 0-1"})
    mean_days_to_feedback = fields.Float(allow_none=True)
    median_days_to_feedback = fields.Float(allow_none=True)
    surveys_of_the_bureau = fields.Boolean(
        required=True, metadata={"description": "false for one lab's summary: surveys are the bureau's"}
    )


BlockSchema = RecordsBlockSchema  # the name the campaign summary looks for
