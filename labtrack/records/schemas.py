"""The one output shape of each record of the area per audience, for the pages, the CSV/XLSX
exports and the API alike; and the API's input shapes (the services parse every value again with
`labtrack.parsing`, so the API refuses exactly what the forms refuse).

Audiences: a complaint's complainant (name and contact) is shown only to those who handle
complaints (`policy.sees_complainant`); lab managers and readers get the complaint without them.
Documents: what a reader may see is decided by the policy before dumping (the revisions listed).
"""

from typing import Any

from flask import url_for
from marshmallow import EXCLUDE, Schema, fields, validate

from labtrack.api.fields import Count, Id, Timestamp, Version
from labtrack.records import policy
from labtrack.records.models import (
    Audience,
    Channel,
    Complaint,
    DocumentKind,
    DocumentSubject,
    Outcome,
    QuestionKind,
)
from labtrack.records.workflow import ComplaintStatus, DocumentStatus, RevisionStatus


def _values(enum: Any) -> list[str]:
    return [e.value for e in enum]


# --- documents -------------------------------------------------------------------------------


class RevisionSchema(Schema):
    """A revision of a controlled document; its file is at `file_url`."""

    id = fields.Integer(required=True)
    document_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    label = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": _values(RevisionStatus)})
    status_label = fields.String(required=True)
    change_note = fields.String(allow_none=True)
    has_file = fields.Boolean(required=True)
    filename = fields.String(allow_none=True)
    file_size = fields.Integer(allow_none=True)
    file_kind = fields.String(allow_none=True)
    content_type = fields.String(allow_none=True)
    file_sha256 = fields.String(allow_none=True)
    file_url = fields.Method("_file_url", allow_none=True, metadata={"type": "string", "nullable": True})
    author = fields.Function(lambda r: r.author.username if r.author else None, allow_none=True)
    created_at = Timestamp(allow_none=True)
    submitted_at = Timestamp(allow_none=True)
    approved_by = fields.Function(
        lambda r: r.approved_by.username if r.approved_by else None, allow_none=True
    )
    approved_at = Timestamp(allow_none=True, metadata={"description": "signed with the approver's password"})
    effective_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True, metadata={"description": "superseded or withdrawn from this day"})
    first_issue = fields.Boolean(required=True)
    last_comment = fields.String(allow_none=True)
    version = fields.Integer(required=True, metadata={"description": "send it back with a step"})

    def _file_url(self, revision: Any) -> str | None:
        if not revision.has_file:
            return None
        return url_for("records_api.revision_file", revision_id=revision.id)


class DocumentSchema(Schema):
    """A controlled document of a lab (or of the bureau: `lab_code` null), with the revision in force."""

    id = fields.Integer(required=True)
    lab_code = fields.Function(lambda d: d.lab.code if d.lab else None, allow_none=True)
    lab_name = fields.Function(lambda d: d.lab.name if d.lab else None, allow_none=True)
    kind = fields.String(required=True, metadata={"enum": _values(DocumentKind)})
    kind_label = fields.String(required=True)
    subject = fields.String(allow_none=True, metadata={"enum": _values(DocumentSubject)})
    subject_label = fields.String(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    title_en = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"enum": _values(DocumentStatus)})
    status_label = fields.String(required=True)
    review_interval_months = fields.Integer(required=True)
    issued_on = fields.Date(allow_none=True, metadata={"description": "its first revision took effect"})
    last_reviewed_on = fields.Date(allow_none=True)
    review_due_on = fields.Date(allow_none=True)
    review_overdue = fields.Boolean(required=True)
    withdrawn_on = fields.Date(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    effective_revision = fields.Nested(RevisionSchema, allow_none=True)
    created_at = Timestamp(allow_none=True)


class DocumentDetailSchema(DocumentSchema):
    """A document with every revision the reader may see, newest first."""

    revisions = fields.List(fields.Nested(RevisionSchema), required=True)


def dump_document(actor: Any, document: Any, *, detail: bool = False) -> dict:
    """A document as this reader may see it (the revisions listed are those they may see)."""
    data = DocumentSchema().dump(document)
    if detail:
        revisions = [r for r in reversed(document.revisions) if policy.sees_revision(actor, r)]
        data["revisions"] = RevisionSchema(many=True).dump(revisions)
    return data


DOCUMENT_EXPORT_HEADER = [
    "owner",
    "code",
    "kind",
    "subject",
    "title",
    "title_en",
    "status",
    "revision",
    "effective_on",
    "issued_on",
    "review_interval_months",
    "last_reviewed_on",
    "review_due_on",
    "withdrawn_on",
]


def document_export_row(data: dict) -> list:
    """A dumped document as a row of the register's export."""
    current = data.get("effective_revision") or {}
    return [
        data["lab_code"] or "bureau",
        data["code"],
        data["kind"],
        data["subject"],
        data["title"],
        data["title_en"],
        data["status"],
        current.get("label"),
        current.get("effective_on"),
        data["issued_on"],
        data["review_interval_months"],
        data["last_reviewed_on"],
        data["review_due_on"],
        data["withdrawn_on"],
    ]


class DocumentInSchema(Schema):
    """A new controlled document (POST)."""

    class Meta:
        unknown = EXCLUDE

    lab_code = fields.String(
        allow_none=True, metadata={"description": "the lab's code; empty or null: the bureau's own document"}
    )
    kind = fields.String(required=True, validate=validate.OneOf(_values(DocumentKind)))
    subject = fields.String(allow_none=True, validate=validate.OneOf([*_values(DocumentSubject), ""]))
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title_en = fields.String(allow_none=True, validate=validate.Length(max=200))
    review_interval_months = fields.Integer(validate=validate.Range(min=1, max=120), strict=False)


class DocumentPatchSchema(Schema):
    """A document's changeable fields (PATCH: those given change)."""

    class Meta:
        unknown = EXCLUDE

    subject = fields.String(allow_none=True, validate=validate.OneOf([*_values(DocumentSubject), ""]))
    title = fields.String(validate=validate.Length(min=1, max=200))
    title_en = fields.String(allow_none=True, validate=validate.Length(max=200))
    review_interval_months = fields.Integer(validate=validate.Range(min=1, max=120), strict=False)


class RevisionStepSchema(Schema):
    """A revision's step: `to` in_review (submit), draft (return; comment), effective (approve:
    password, effective_on), obsolete (discard; comment)."""

    class Meta:
        unknown = EXCLUDE

    to = fields.String(
        required=True, validate=validate.OneOf(["in_review", "draft", "effective", "obsolete"])
    )
    comment = fields.String(allow_none=True)
    password = fields.String(allow_none=True, metadata={"description": "approval: the approver's password"})
    effective_on = fields.String(
        allow_none=True, metadata={"description": "approval: YYYY-MM-DD, not before today (default today)"}
    )
    version = Version(allow_none=True, metadata={"description": "the version last read"})


class ReviewInSchema(Schema):
    """The periodic review of a document in force."""

    class Meta:
        unknown = EXCLUDE

    reviewed_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD, default today"})
    comment = fields.String(allow_none=True)


class WithdrawInSchema(Schema):
    """Withdrawing a document in force."""

    class Meta:
        unknown = EXCLUDE

    reason = fields.String(required=True)
    withdrawn_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD, default today"})


class FindingDocumentsInSchema(Schema):
    """The revisions a finding's rectification revises (all of them: the list replaces the last)."""

    class Meta:
        unknown = EXCLUDE

    revision_ids = fields.List(Id(), required=True)


class FindingDocumentsSchema(Schema):
    """The revisions a finding's rectification names, each with its document."""

    finding_id = fields.Integer(required=True)
    revisions = fields.List(fields.Nested("LinkedRevisionSchema"), required=True)


class LinkedRevisionSchema(RevisionSchema):
    """A named revision with its document's code and title."""

    document_code = fields.Function(lambda r: r.document.code)
    document_title = fields.Function(lambda r: r.document.title)


# --- surveys ---------------------------------------------------------------------------------


class SurveyChoiceSchema(Schema):
    """One answer of a choice question; `value` is what the answers file holds."""

    value = fields.String(required=True)
    label_zh = fields.String(required=True)
    label_en = fields.String(required=True)


class SurveyQuestionSchema(Schema):
    """A question on a scale (scale_min to scale_max) or with choices, in both languages."""

    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    key = fields.String(required=True, metadata={"description": "its column in the answers file"})
    kind = fields.String(required=True, metadata={"enum": _values(QuestionKind)})
    text_zh = fields.String(required=True)
    text_en = fields.String(required=True)
    scale_min = fields.Integer(allow_none=True)
    scale_max = fields.Integer(allow_none=True)
    low_label_zh = fields.String(allow_none=True)
    low_label_en = fields.String(allow_none=True)
    high_label_zh = fields.String(allow_none=True)
    high_label_en = fields.String(allow_none=True)
    choices = fields.List(fields.Nested(SurveyChoiceSchema), required=True)


class QuestionnaireSchema(Schema):
    """A questionnaire and its questions."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    title_en = fields.String(required=True)
    introduction = fields.String(allow_none=True)
    questions = fields.List(fields.Nested(SurveyQuestionSchema), required=True)
    created_at = Timestamp(allow_none=True)


class QuestionnaireInSchema(Schema):
    """A new questionnaire."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    introduction = fields.String(allow_none=True)


class SurveyChoiceInSchema(Schema):
    """A choice of a new question."""

    value = fields.String(required=True)
    label_zh = fields.String(required=True)
    label_en = fields.String(required=True)


class SurveyQuestionInSchema(Schema):
    """A new question: a scale (scale_min, scale_max) or choices."""

    class Meta:
        unknown = EXCLUDE

    key = fields.String(required=True, validate=validate.Length(min=1, max=16))
    kind = fields.String(required=True, validate=validate.OneOf(_values(QuestionKind)))
    text_zh = fields.String(required=True, validate=validate.Length(min=1, max=500))
    text_en = fields.String(required=True, validate=validate.Length(min=1, max=500))
    scale_min = Count(allow_none=True, maximum=100)
    scale_max = Count(allow_none=True, maximum=100)
    low_label_zh = fields.String(allow_none=True)
    low_label_en = fields.String(allow_none=True)
    high_label_zh = fields.String(allow_none=True)
    high_label_en = fields.String(allow_none=True)
    choices = fields.List(fields.Nested(SurveyChoiceInSchema), load_default=list)


class SurveySchema(Schema):
    """A survey campaign with its returned count and response rate."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    questionnaire_code = fields.Function(lambda s: s.questionnaire.code)
    audience = fields.String(required=True, metadata={"enum": _values(Audience)})
    audience_label = fields.String(required=True)
    audience_note = fields.String(allow_none=True)
    region = fields.String(allow_none=True, metadata={"description": "null: the whole province"})
    issued_on = fields.Date(required=True)
    closes_on = fields.Date(allow_none=True)
    copies_issued = fields.Integer(required=True)
    returned = fields.Integer(required=True)
    response_rate = fields.Float(allow_none=True, metadata={"description": "returned / issued, 0-1"})


def dump_survey(survey: Any, returned: int) -> dict:
    """A survey with its returned count."""
    data = SurveySchema().dump(survey)
    data["returned"] = returned
    data["response_rate"] = returned / survey.copies_issued if survey.copies_issued else None
    return data


class SurveyInSchema(Schema):
    """A new survey campaign."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    questionnaire_code = fields.String(required=True)
    audience = fields.String(required=True, validate=validate.OneOf(_values(Audience)))
    audience_note = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    issued_on = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    closes_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    copies_issued = fields.Integer(required=True, strict=False, validate=validate.Range(min=0, max=2**31 - 1))


class ResponseInSchema(Schema):
    """One returned questionnaire: {question key: answer} (a scale value, or a choice's value)."""

    class Meta:
        unknown = EXCLUDE

    sheet = fields.String(allow_none=True)
    returned_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)


class ResponseCreatedSchema(Schema):
    """The new returned questionnaire's id, and the survey's returned count."""

    id = fields.Integer(required=True)
    returned = fields.Integer(required=True)


class AnswersImportSchema(Schema):
    """What an answers file added (nothing on a dry run)."""

    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    returned = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)


class SurveyResultRowSchema(Schema):
    """How many gave one answer, and their share of those who answered the question."""

    answer = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    share = fields.Float(allow_none=True)


class SurveyQuestionResultSchema(Schema):
    """One question's results."""

    key = fields.Function(lambda r: r["question"].key)
    text_zh = fields.Function(lambda r: r["question"].text_zh)
    text_en = fields.Function(lambda r: r["question"].text_en)
    kind = fields.Function(lambda r: str(r["question"].kind))
    answered = fields.Integer(required=True)
    mean = fields.Float(allow_none=True, metadata={"description": "scale questions: the mean answer"})
    rows = fields.List(fields.Nested(SurveyResultRowSchema), required=True)


class SurveyResultsSchema(Schema):
    """A survey's results: issued, returned, response rate and each question's answers."""

    issued = fields.Integer(required=True)
    returned = fields.Integer(required=True)
    response_rate = fields.Float(allow_none=True)
    questions = fields.List(fields.Nested(SurveyQuestionResultSchema), required=True)


# --- complaints ------------------------------------------------------------------------------

COMPLAINANT = ("complainant_name", "complainant_contact")


class ComplaintSchema(Schema):
    """A complaint; who made it only for those who handle complaints."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    channel = fields.String(required=True, metadata={"enum": _values(Channel)})
    channel_label = fields.String(required=True)
    lab_code = fields.Function(lambda c: c.lab.code)
    lab_name = fields.Function(lambda c: c.lab.name)
    region = fields.Function(lambda c: c.lab.region)
    received_on = fields.Date(required=True)
    complainant_name = fields.String(
        allow_none=True, metadata={"description": "only for those who handle complaints"}
    )
    complainant_contact = fields.String(
        allow_none=True, metadata={"description": "only for those who handle complaints"}
    )
    subject = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": _values(ComplaintStatus)})
    status_label = fields.String(required=True)
    acknowledged_on = fields.Date(allow_none=True)
    investigated_on = fields.Date(allow_none=True)
    investigation = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"enum": _values(Outcome)})
    outcome_label = fields.String(required=True)
    audit_reference = fields.Function(lambda c: c.audit.reference if c.audit else None, allow_none=True)
    finding_id = fields.Integer(allow_none=True)
    feedback_on = fields.Date(allow_none=True)
    feedback = fields.String(allow_none=True)
    days_to_feedback = fields.Integer(allow_none=True)
    version = fields.Integer(required=True)
    created_at = Timestamp(allow_none=True)


_FOR_HANDLERS = ComplaintSchema()
_FOR_READERS = ComplaintSchema(exclude=COMPLAINANT)


def complaint_schema(actor: Any) -> ComplaintSchema:
    """The shape of a complaint for this reader."""
    return _FOR_HANDLERS if policy.sees_complainant(actor) else _FOR_READERS


def dump_complaint(actor: Any, complaint: Complaint) -> dict:
    """A complaint as this reader may see it (page, export, API)."""
    return complaint_schema(actor).dump(complaint)


COMPLAINT_EXPORT_HEADER = [
    "reference",
    "channel",
    "lab_code",
    "region",
    "received_on",
    "subject",
    "status",
    "acknowledged_on",
    "investigated_on",
    "outcome",
    "finding_id",
    "feedback_on",
    "days_to_feedback",
    "complainant_name",
    "complainant_contact",
]


def complaint_export_header(actor: Any) -> list[str]:
    """The export's columns for this reader (no complainant for those who may not see them)."""
    return [h for h in COMPLAINT_EXPORT_HEADER if policy.sees_complainant(actor) or h not in COMPLAINANT]


def complaint_export_row(header: list[str], data: dict) -> list:
    """A dumped complaint as a row under the reader's header."""
    return [data.get(h) for h in header]


class ComplaintInSchema(Schema):
    """A new complaint (POST)."""

    class Meta:
        unknown = EXCLUDE

    channel = fields.String(required=True, validate=validate.OneOf(_values(Channel)))
    lab_code = fields.String(required=True)
    received_on = fields.String(required=True, metadata={"description": "YYYY-MM-DD, not in the future"})
    complainant_name = fields.String(allow_none=True)
    complainant_contact = fields.String(allow_none=True)
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True)


class ComplaintStepSchema(Schema):
    """A complaint's step: `to` acknowledged (acknowledged_on), investigated (investigated_on,
    investigation, outcome) or answered (feedback_on, feedback); dates default to today."""

    class Meta:
        unknown = EXCLUDE

    to = fields.String(required=True, validate=validate.OneOf(["acknowledged", "investigated", "answered"]))
    acknowledged_on = fields.String(allow_none=True)
    investigated_on = fields.String(allow_none=True)
    investigation = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True, validate=validate.OneOf([*_values(Outcome), ""]))
    feedback_on = fields.String(allow_none=True)
    feedback = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    version = Version(allow_none=True)


class ComplaintFindingInSchema(Schema):
    """The finding raised from a substantiated complaint."""

    class Meta:
        unknown = EXCLUDE

    severity = fields.String(required=True)
    area = fields.String(required=True)
    clause = fields.String(required=True)
    description = fields.String(required=True)
    due_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD; default by severity"})
    audit_reference = fields.String(
        allow_none=True, metadata={"description": "an audit of the lab that recorded the investigation"}
    )


class ComplaintFindingSchema(Schema):
    """The finding raised, and the audit it belongs to."""

    finding_id = fields.Integer(required=True)
    audit_reference = fields.String(required=True)
    complaint = fields.Nested(ComplaintSchema, required=True)
