"""The shapes of audits and findings: one output shape, read by the pages' exports and the API alike.

What a user may see is decided once: the policy chooses the records (`policy.narrow`, `sees`) and
these schemas render them, so a lab manager's CSV/XLSX export and their API answers cannot
disagree about a finding. Input schemas parse with `labtrack.api.fields` (the rules of
`labtrack.parsing`); one audit schema serves POST (everything required) and PATCH (`partial`).
"""

from typing import Any

from flask import url_for
from marshmallow import EXCLUDE, Schema, fields, validate

from labtrack import parsing
from labtrack.api import fields as api_fields
from labtrack.api.common import PageArgs
from labtrack.api.fields import Id, Timestamp
from labtrack.audits.checks import REVIEWED_MAX, TEAM_MAX
from labtrack.audits.clauses import CLAUSES
from labtrack.audits.models import Area, AuditKind, AuditStatus, FindingSource, RootCauseMethod, Severity
from labtrack.audits.workflow import State


class Version(fields.Integer):
    """The version of a finding a client last read (0 up to what an INTEGER column holds)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("validate", validate.Range(min=0, max=parsing.INT_MAX))
        super().__init__(**kwargs)


class _Blankable:
    """An optional text field: blank means none (instead of "This field is required.")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if parsing.is_blank(value):
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class OptionalText(_Blankable, api_fields.Text):
    """Multi-line text that may be left out or blank."""


class OptionalLine(_Blankable, api_fields.Text):
    """One line of text that may be left out or blank."""

    parser_kwargs = {"max_len": parsing.TEXT_MAX, "multiline": False}


def _choices(values) -> validate.OneOf:
    return validate.OneOf([str(v.value if hasattr(v, "value") else v) for v in values])


# --- output ----------------------------------------------------------------------------------


class EvidenceFileSchema(Schema):
    """An evidence file's record (the content is at `url`)."""

    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    kind = fields.String()
    content_type = fields.String()
    sha256 = fields.String()
    stage = fields.String()
    uploaded_at = Timestamp()
    url = fields.Method("file_url", metadata={"type": "string"})

    def file_url(self, record: Any) -> str:
        """Where the API serves the file."""
        return url_for("audits_api.download_evidence", finding_id=record.finding_id, file_id=record.id)


class HistorySchema(Schema):
    """One history row of an audit or a finding."""

    at = Timestamp()
    username = fields.String(allow_none=True)
    action = fields.String()
    changes = fields.Dict()
    comment = fields.String(allow_none=True)


class AuditSchema(Schema):
    """An audit as every audience sees it."""

    id = fields.Integer()
    reference = fields.String()
    lab_code = fields.String(attribute="lab.code")
    kind = fields.String()
    title = fields.String()
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    lead = fields.String(attribute="lead.username", allow_none=True, dump_default=None)
    lead_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True)
    documents_reviewed = fields.Integer()
    instruments_checked = fields.Integer()
    reports_sampled = fields.Integer()
    status = fields.String()
    summary = fields.String(allow_none=True)
    findings_count = fields.Integer()
    created_at = Timestamp()


class FindingSchema(Schema):
    """A finding with its corrective action, as every audience sees it."""

    id = fields.Integer()
    label = fields.String()
    audit_id = fields.Integer(allow_none=True)
    audit_reference = fields.String(attribute="audit.reference", allow_none=True, dump_default=None)
    audit_kind = fields.String(attribute="audit.kind", allow_none=True, dump_default=None)
    lab_code = fields.String(attribute="lab.code")
    number = fields.Integer()
    source = fields.String()
    source_ref = fields.String(allow_none=True)
    severity = fields.String()
    area = fields.String()
    clause = fields.String()
    clause_title = fields.String()
    description = fields.String()
    raised_by = fields.String(attribute="raised_by.username", allow_none=True, dump_default=None)
    raised_on = fields.Date()
    due_on = fields.Date()
    status = fields.String()
    version = fields.Integer()
    overdue = fields.Boolean(attribute="is_overdue")
    days_overdue = fields.Integer()
    correction = fields.String(allow_none=True)
    root_cause = fields.String(allow_none=True)
    root_cause_method = fields.String(allow_none=True)
    occurs_elsewhere = fields.String(allow_none=True)
    corrective_action = fields.String(allow_none=True)
    action_owner = fields.String(allow_none=True)
    action_target_on = fields.Date(allow_none=True)
    plan_submitted_on = fields.Date(allow_none=True)
    plan_accepted_on = fields.Date(allow_none=True)
    evidence_text = fields.String(allow_none=True)
    evidence_submitted_on = fields.Date(allow_none=True)
    effectiveness_review = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    closed_by = fields.String(attribute="closed_by.username", allow_none=True, dump_default=None)
    signed_at = Timestamp(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    cancelled_on = fields.Date(allow_none=True)
    reopened_count = fields.Integer()
    files = fields.List(fields.Nested(EvidenceFileSchema))


class FindingDetailSchema(FindingSchema):
    """A finding with its history."""

    history = fields.Method("finding_history", metadata={"type": "array", "items": {"type": "object"}})

    def finding_history(self, finding: Any) -> list[dict]:
        """The finding's history rows, newest first."""
        from labtrack.history.service import history_for

        return HistorySchema(many=True).dump(history_for(finding))


# What the CSV/XLSX exports hold: columns of the same schema, so an export and the API agree.
FINDING_EXPORT_FIELDS = (
    "label",
    "lab_code",
    "audit_reference",
    "audit_kind",
    "source_ref",
    "severity",
    "area",
    "clause",
    "description",
    "raised_by",
    "raised_on",
    "due_on",
    "status",
    "overdue",
    "days_overdue",
    "action_owner",
    "action_target_on",
    "plan_submitted_on",
    "plan_accepted_on",
    "evidence_submitted_on",
    "closed_on",
    "closed_by",
    "cancelled_on",
    "reopened_count",
)
OVERDUE_EXPORT_FIELDS = ("label", "lab_code", "severity", "area", "status", "raised_on", "due_on")


def export_table(findings, columns=FINDING_EXPORT_FIELDS) -> tuple[list[str], list[list]]:
    """Header and rows of findings for CSV / XLSX, dumped by FindingSchema."""
    rows = FindingSchema(only=columns, many=True).dump(findings)
    return list(columns), [[row.get(c) for c in columns] for row in rows]


# --- input -----------------------------------------------------------------------------------


class AuditInSchema(Schema):
    """An audit's fields: all required to record one (POST), any subset to change one (PATCH)."""

    class Meta:
        unknown = EXCLUDE

    lab_code = api_fields.Code(required=True)
    kind = fields.String(required=True, validate=_choices(AuditKind))
    title = api_fields.Name(required=True)
    started_on = api_fields.Day(required=True)
    ended_on = api_fields.Day(allow_none=True)
    lead_id = Id(allow_none=True)
    team = OptionalLine(allow_none=True, max_len=TEAM_MAX)
    documents_reviewed = api_fields.Count(load_default=0, maximum=REVIEWED_MAX)
    instruments_checked = api_fields.Count(load_default=0, maximum=REVIEWED_MAX)
    reports_sampled = api_fields.Count(load_default=0, maximum=REVIEWED_MAX)
    status = fields.String(load_default=AuditStatus.PLANNED.value, validate=_choices(AuditStatus))
    summary = OptionalText(allow_none=True)


class FindingInSchema(Schema):
    """A finding's fields: all required to raise one, any subset to correct one."""

    class Meta:
        unknown = EXCLUDE

    severity = fields.String(required=True, validate=_choices(Severity))
    area = fields.String(required=True, validate=_choices(Area))
    clause = fields.String(required=True, validate=validate.OneOf(list(CLAUSES)))
    description = api_fields.Text(required=True)
    raised_on = api_fields.Day(allow_none=True)
    due_on = api_fields.Day(allow_none=True)


class FindingPatchSchema(Schema):
    """A correction of an open finding: the fields to change, the version last read, a comment."""

    class Meta:
        unknown = EXCLUDE

    severity = fields.String(validate=_choices(Severity))
    area = fields.String(validate=_choices(Area))
    clause = fields.String(validate=validate.OneOf(list(CLAUSES)))
    description = api_fields.Text()
    comment = OptionalText(allow_none=True, max_len=parsing.COMMENT_MAX)
    version = Version(required=True)


class TransitionInSchema(Schema):
    """A step: the target state, the version last read, a comment and the fields the step needs
    (documentation: the service parses the body, JSON or multipart, in its order of refusals)."""

    to = fields.String(required=True, validate=_choices(State))
    version = Version(required=True)
    comment = fields.String(allow_none=True)
    root_cause = fields.String()
    root_cause_method = fields.String(validate=_choices(RootCauseMethod))
    correction = fields.String()
    occurs_elsewhere = fields.String()
    corrective_action = fields.String()
    action_owner = fields.String()
    action_target_on = fields.Date()
    evidence_text = fields.String()
    effectiveness_review = fields.String()
    password = fields.String(
        load_only=True, metadata={"description": "the verifier's password, when closing"}
    )


class DeadlineInSchema(Schema):
    """A new due date with the reason."""

    due_on = api_fields.Day(required=True)
    comment = api_fields.Text(required=True, max_len=parsing.COMMENT_MAX)
    version = Version(required=True)


class AuditQueryArgs(PageArgs):
    """Filters of the audit list."""

    lab = fields.String(metadata={"description": "lab code"})
    kind = fields.String(validate=_choices(AuditKind))
    status = fields.String(validate=_choices(AuditStatus))
    region = fields.String()
    year = api_fields.Year()
    q = fields.String()


class FindingQueryArgs(PageArgs):
    """Filters of the finding list."""

    lab = fields.String(metadata={"description": "lab code"})
    status = fields.String(validate=validate.OneOf([s.value for s in State] + ["active"]))
    severity = fields.String(validate=_choices(Severity))
    area = fields.String(validate=_choices(Area))
    overdue = fields.Boolean()
    audit_kind = fields.String(
        validate=validate.OneOf([k.value for k in AuditKind] + [FindingSource.ROUND.value])
    )
    region = fields.String()
    q = fields.String()
