"""Audits, findings and their rectification in the JSON API.

`POST /api/v1/findings/<id>/transitions` answers, in this order of precedence: 404 when the caller
may not see the finding; 422 when the body is not an object or `to` is not a state; 403 when the
caller's role may not take that step (or could never move a finding there); 409 when the finding's
state does not allow it, or `version` is stale; 422 naming the missing or bad fields; 200 with the
finding otherwise. A refused step changes nothing.
"""

from flask import request, send_file, url_for
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, fields, validate

from labtrack.api.common import PageArgs, conflict, list_schema, not_found, paginate, unprocessable
from labtrack.audits import evidence, rectification, service
from labtrack.audits.clauses import CLAUSES
from labtrack.audits.models import Area, AuditKind, AuditStatus, FindingSource, Severity
from labtrack.audits.workflow import State
from labtrack.auth.permissions import Perm, require
from labtrack.history.service import history_for
from labtrack.services import Conflict, DomainError, Forbidden, InvalidInput, NotFound

blp = Blueprint(
    "audits_api", __name__, url_prefix="/api/v1", description="Audits, findings and rectification"
)


class AuditSchema(Schema):
    """An audit as the API shows it."""

    id = fields.Integer(dump_only=True)
    reference = fields.String(dump_only=True)
    lab_code = fields.String(attribute="lab.code", dump_only=True)
    kind = fields.String()
    title = fields.String()
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    lead = fields.String(attribute="lead.username", dump_only=True, allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True)
    documents_reviewed = fields.Integer()
    instruments_checked = fields.Integer()
    reports_sampled = fields.Integer()
    status = fields.String()
    summary = fields.String(allow_none=True)
    findings_count = fields.Function(lambda a: len(a.findings), dump_only=True)


class AuditCreateSchema(Schema):
    """Fields to record an audit."""

    class Meta:
        unknown = EXCLUDE

    lab_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in AuditKind]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    started_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True, validate=validate.Length(max=500))
    documents_reviewed = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))
    instruments_checked = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))
    reports_sampled = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))
    status = fields.String(load_default="planned", validate=validate.OneOf([s.value for s in AuditStatus]))
    summary = fields.String(allow_none=True)


class AuditUpdateSchema(Schema):
    """Any subset of an audit's fields (no defaults: what is not sent does not change)."""

    class Meta:
        unknown = EXCLUDE

    lab_code = fields.String()
    kind = fields.String(validate=validate.OneOf([k.value for k in AuditKind]))
    title = fields.String(validate=validate.Length(min=1, max=200))
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True, validate=validate.Length(max=500))
    documents_reviewed = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    instruments_checked = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    reports_sampled = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    status = fields.String(validate=validate.OneOf([s.value for s in AuditStatus]))
    summary = fields.String(allow_none=True)


class AuditQueryArgs(PageArgs):
    """Filters of the audit list."""

    lab = fields.String()
    kind = fields.String()
    status = fields.String()
    region = fields.String()
    year = fields.Integer()
    q = fields.String()


class EvidenceFileSchema(Schema):
    """An evidence file's record (the content is at `url`)."""

    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    kind = fields.String()
    content_type = fields.String()
    sha256 = fields.String()
    stage = fields.String()
    uploaded_at = fields.DateTime()
    url = fields.Function(
        lambda f: url_for("audits_api.download_evidence", finding_id=f.finding_id, file_id=f.id)
    )


class FindingHistorySchema(Schema):
    """One history row of a finding."""

    at = fields.DateTime()
    username = fields.String(allow_none=True)
    action = fields.String()
    changes = fields.Dict()
    comment = fields.String(allow_none=True)


class FindingSchema(Schema):
    """A finding with its corrective action."""

    id = fields.Integer()
    label = fields.String()
    audit_id = fields.Integer(allow_none=True)
    audit_reference = fields.String(attribute="audit.reference", allow_none=True)
    audit_kind = fields.String(attribute="audit.kind", allow_none=True)
    lab_code = fields.String(attribute="lab.code")
    number = fields.Integer()
    source = fields.String()
    source_ref = fields.String(allow_none=True)
    severity = fields.String()
    area = fields.String()
    clause = fields.String()
    clause_title = fields.Function(lambda f: str(CLAUSES.get(f.clause, "")))
    description = fields.String()
    raised_by = fields.String(attribute="raised_by.username", allow_none=True)
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
    closed_by = fields.String(attribute="closed_by.username", allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    cancelled_on = fields.Date(allow_none=True)
    reopened_count = fields.Integer()
    files = fields.List(fields.Nested(EvidenceFileSchema))


class FindingDetailSchema(FindingSchema):
    """A finding with its history."""

    history = fields.Function(lambda f: FindingHistorySchema(many=True).dump(history_for(f)))


class FindingCreateSchema(Schema):
    """Fields to raise a finding in an audit."""

    class Meta:
        unknown = EXCLUDE

    severity = fields.String(required=True, validate=validate.OneOf([s.value for s in Severity]))
    area = fields.String(required=True, validate=validate.OneOf([a.value for a in Area]))
    clause = fields.String(required=True, validate=validate.OneOf(list(CLAUSES)))
    description = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    raised_on = fields.Date(allow_none=True)
    due_on = fields.Date(allow_none=True)


class FindingQueryArgs(PageArgs):
    """Filters of the finding list."""

    lab = fields.String(metadata={"description": "lab code"})
    status = fields.String(validate=validate.OneOf([s.value for s in State] + ["active"]))
    severity = fields.String(validate=validate.OneOf([s.value for s in Severity]))
    area = fields.String(validate=validate.OneOf([a.value for a in Area]))
    overdue = fields.Boolean()
    audit_kind = fields.String(
        validate=validate.OneOf([k.value for k in AuditKind] + [FindingSource.ROUND.value])
    )
    region = fields.String()
    q = fields.String()


class FindingTransitionSchema(Schema):
    """A step: the target state, the version last read, a comment and the fields the step needs."""

    to = fields.String(required=True, validate=validate.OneOf([s.value for s in State]))
    version = fields.Integer(required=True)
    comment = fields.String()
    root_cause = fields.String()
    root_cause_method = fields.String(validate=validate.OneOf(["five_whys", "fishbone", "other"]))
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


class FindingDeadlineSchema(Schema):
    """A new due date with the reason."""

    due_on = fields.Date(required=True)
    comment = fields.String(required=True)
    version = fields.Integer(required=True)


AuditListSchema = list_schema(AuditSchema, "AuditList")
FindingListSchema = list_schema(FindingSchema, "FindingList")


def _domain(exc: DomainError):
    """Answer a domain error in the API's shape."""
    if isinstance(exc, NotFound):
        not_found("finding")
    if isinstance(exc, Forbidden):
        abort(403, message=exc.message)
    if isinstance(exc, Conflict):
        conflict(exc.message, exc.errors)
    unprocessable(exc.errors, exc.message)


def _finding(finding_id: int):
    try:
        return service.get_finding(current_user, finding_id)
    except NotFound:
        not_found("finding")


# --- audits ----------------------------------------------------------------------------------


@blp.route("/audits")
@require(Perm.AUDITS_VIEW)
@blp.arguments(AuditQueryArgs, location="query")
@blp.response(200, AuditListSchema)
def list_audits(args):
    """List audits (a lab manager sees only their own lab's)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    return paginate(service.audits_query(**args), page, per_page)


@blp.route("/audits", methods=["POST"])
@require(Perm.AUDITS_EDIT)
@blp.arguments(AuditCreateSchema)
@blp.response(201, AuditSchema)
def create_audit(data):
    """Record an audit."""
    try:
        audit = service.create_audit(data, current_user)
    except DomainError as exc:
        _domain(exc)
    return audit, 201, {"Location": url_for("audits_api.get_audit", audit_id=audit.id)}


@blp.route("/audits/<int:audit_id>")
@require(Perm.AUDITS_VIEW)
@blp.response(200, AuditSchema)
def get_audit(audit_id):
    """One audit."""
    try:
        return service.get_audit(current_user, audit_id)
    except NotFound:
        not_found("audit")


@blp.route("/audits/<int:audit_id>", methods=["PATCH"])
@require(Perm.AUDITS_EDIT)
@blp.arguments(AuditUpdateSchema)
@blp.response(200, AuditSchema)
def update_audit(data, audit_id):
    """Change some of an audit's fields."""
    try:
        audit = service.get_audit(current_user, audit_id)
        return service.update_audit(audit, data, current_user)
    except DomainError as exc:
        _domain(exc)


@blp.route("/audits/<int:audit_id>/findings", methods=["POST"])
@require(Perm.FINDINGS_EDIT)
@blp.arguments(FindingCreateSchema)
@blp.response(201, FindingDetailSchema)
def create_finding(data, audit_id):
    """Raise a finding in an audit (numbered within it; due date by severity unless given)."""
    try:
        audit = service.get_audit(current_user, audit_id)
        finding = service.raise_finding(audit, data, current_user)
    except NotFound:
        not_found("audit")
    except DomainError as exc:
        _domain(exc)
    return finding, 201, {"Location": url_for("audits_api.get_finding", finding_id=finding.id)}


# --- findings --------------------------------------------------------------------------------


@blp.route("/findings")
@require(Perm.FINDINGS_VIEW)
@blp.arguments(FindingQueryArgs, location="query")
@blp.response(200, FindingListSchema)
def list_findings(args):
    """List findings by lab, status, severity, area, overdue, audit kind (`round`: raised by a round)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    return paginate(service.findings_query(**args), page, per_page)


@blp.route("/findings/<int:finding_id>")
@require(Perm.FINDINGS_VIEW)
@blp.response(200, FindingDetailSchema)
def get_finding(finding_id):
    """One finding with its version, rectification fields, files and history."""
    return _finding(finding_id)


def _body() -> tuple[dict, list[tuple[str, bytes]]]:
    """The step's fields from JSON, or from a multipart form with `files`."""
    if request.mimetype == "multipart/form-data":
        files = [(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]
        return request.form.to_dict(), files
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        unprocessable({"json": ["The body must be a JSON object."]}, "The request body is not a JSON object.")
    return body, []


@blp.route("/findings/<int:finding_id>/transitions", methods=["POST"])
@require(Perm.FINDINGS_VIEW)
@blp.doc(requestBody={"content": {"application/json": {"schema": FindingTransitionSchema}}})
@blp.response(200, FindingDetailSchema)
def transition(finding_id):
    """Take a rectification step: 200, or 403 / 404 / 409 / 422 in the error shape.

    The same fields may be sent as multipart/form-data with evidence files in `files`.
    """
    finding = _finding(finding_id)
    data, files = _body()
    to = data.get("to")
    if not isinstance(to, str) or to not in {s.value for s in State}:
        unprocessable({"to": ["Must be one of: " + ", ".join(s.value for s in State) + "."]})
    version = data.get("version")
    try:
        rectification.check_step(finding, to, current_user)
        if version is not None and not str(version).isdigit():
            raise InvalidInput("The request has invalid fields.", {"version": ["Not a valid integer."]})
        rectification.transition(finding, to, data, current_user, version=version, files=files)
    except DomainError as exc:
        _domain(exc)
    return finding


@blp.route("/findings/<int:finding_id>/deadline", methods=["POST"])
@require(Perm.FINDINGS_MANAGE)
@blp.arguments(FindingDeadlineSchema)
@blp.response(200, FindingDetailSchema)
def extend(data, finding_id):
    """Extend the deadline (quality department); the old date stays in the history."""
    finding = _finding(finding_id)
    try:
        return rectification.extend_deadline(
            finding, data["due_on"], data["comment"], current_user, version=data["version"]
        )
    except DomainError as exc:
        _domain(exc)


@blp.route("/findings/<int:finding_id>/evidence", methods=["POST"])
@require(Perm.FINDINGS_VIEW)
@blp.doc(
    requestBody={
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        }
    }
)
@blp.response(201, EvidenceFileSchema(many=True))
def upload_evidence(finding_id):
    """Attach files (multipart field `files`): PDF, images or office documents, checked by content."""
    finding = _finding(finding_id)
    files = [(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]
    try:
        return rectification.add_files(finding, files, current_user), 201
    except DomainError as exc:
        _domain(exc)


@blp.route("/findings/<int:finding_id>/evidence/<int:file_id>")
@require(Perm.FINDINGS_VIEW)
def download_evidence(finding_id, file_id):
    """The content of an evidence file (404 unless the caller may see the finding)."""
    try:
        record = service.get_file(current_user, finding_id, file_id)
    except NotFound:
        not_found("file")
    path = evidence.path_for(record.sha256)
    if not path.is_file():
        not_found("file")
    response = send_file(
        path, mimetype=record.content_type, as_attachment=True, download_name=record.filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
