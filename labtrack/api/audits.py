"""Audits, findings and their rectification in the JSON API.

Each endpoint loads (404 for what the caller may not see), lets the service decide and answers
with the area's schemas (`labtrack/audits/schemas.py`); refusals are the services' domain errors,
answered in the one error shape by `labtrack.errors`.

`POST /api/v1/findings/<id>/transitions` answers, in this order of precedence: 404 when the caller
may not see the finding; 422 when the body is not an object or `to` is not a state; 403 when the
caller may not take that step (a laboratory never accepts or closes a finding, its own included);
409 when the finding's state does not allow it, or `version` is stale; 422 naming the missing or
bad fields; 200 with the finding otherwise. A refused step changes nothing.

A lab manager records only their own laboratory's self-inspections and internal audits: another
kind answers 403 with the reason; another lab's code answers 422 "No such laboratory." exactly as
a code that does not exist (an audit of another lab is 404, as everything of another lab).
"""

import io

from flask import request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from labtrack.api.common import list_schema, paginate
from labtrack.audits import evidence, rectification, service
from labtrack.audits.schemas import (
    AuditInSchema,
    AuditQueryArgs,
    AuditSchema,
    DeadlineInSchema,
    EvidenceFileSchema,
    FindingDetailSchema,
    FindingInSchema,
    FindingPatchSchema,
    FindingQueryArgs,
    FindingSchema,
    TransitionInSchema,
)
from labtrack.audits.workflow import STEP_PERMISSIONS
from labtrack.auth.permissions import Perm, require, require_any
from labtrack.services import InvalidInput, NotFound
from labtrack.web import uploads

blp = Blueprint(
    "audits_api", __name__, url_prefix="/api/v1", description="Audits, findings and rectification"
)

AuditListSchema = list_schema(AuditSchema, "AuditList")
FindingListSchema = list_schema(FindingSchema, "FindingList")
# The steps are the laboratory's (RECTIFY), the verifiers' (VERIFY) and the quality department's.
STEP_ROUTE_PERMS = sorted(STEP_PERMISSIONS, key=lambda p: p.value)


class AuditPatchSchema(AuditInSchema):
    """Any subset of an audit's fields (what is not sent does not change)."""


# --- audits ----------------------------------------------------------------------------------


@blp.route("/audits")
@require(Perm.AUDITS_VIEW)
@blp.arguments(AuditQueryArgs, location="query")
@blp.response(200, AuditListSchema)
def list_audits(args):
    """List audits (a lab manager sees only their own lab's)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    return paginate(service.audits_query(current_user, **args), page, per_page)


@blp.route("/audits", methods=["POST"])
@require(Perm.AUDITS_EDIT)
@blp.arguments(AuditInSchema)
@blp.response(201, AuditSchema)
def create_audit(data):
    """Record an audit (a lab manager: their own lab's self-inspection or internal audit)."""
    audit = service.create_audit(data, current_user)
    return audit, 201, {"Location": url_for("audits_api.get_audit", audit_id=audit.id)}


@blp.route("/audits/<int:audit_id>")
@require(Perm.AUDITS_VIEW)
@blp.response(200, AuditSchema)
def get_audit(audit_id):
    """One audit."""
    return service.get_audit(current_user, audit_id)


@blp.route("/audits/<int:audit_id>", methods=["PATCH"])
@require(Perm.AUDITS_EDIT)
@blp.arguments(AuditPatchSchema(partial=True))
@blp.response(200, AuditSchema)
def update_audit(data, audit_id):
    """Change some of an audit's fields."""
    return service.update_audit(service.get_audit(current_user, audit_id), data, current_user)


@blp.route("/audits/<int:audit_id>/findings", methods=["POST"])
@require(Perm.FINDINGS_EDIT)
@blp.arguments(FindingInSchema)
@blp.response(201, FindingDetailSchema)
def create_finding(data, audit_id):
    """Raise a finding in an audit (numbered within it; due date by severity unless given)."""
    finding = service.raise_finding(service.get_audit(current_user, audit_id), data, current_user)
    return finding, 201, {"Location": url_for("audits_api.get_finding", finding_id=finding.id)}


# --- findings --------------------------------------------------------------------------------


@blp.route("/findings")
@require(Perm.FINDINGS_VIEW)
@blp.arguments(FindingQueryArgs, location="query")
@blp.response(200, FindingListSchema)
def list_findings(args):
    """List findings by lab, status, severity, area, overdue, audit kind (`round`: raised by a round)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    return paginate(service.findings_query(current_user, **args), page, per_page)


@blp.route("/findings/<int:finding_id>")
@require(Perm.FINDINGS_VIEW)
@blp.response(200, FindingDetailSchema)
def get_finding(finding_id):
    """One finding with its version, rectification fields, files and history."""
    return service.get_finding(current_user, finding_id)


@blp.route("/findings/<int:finding_id>", methods=["PATCH"])
@require(Perm.FINDINGS_EDIT)
@blp.arguments(FindingPatchSchema)
@blp.response(200, FindingDetailSchema)
def update_finding(data, finding_id):
    """Correct an open finding's severity, area, clause or description (with the version last read)."""
    finding = service.get_finding(current_user, finding_id)
    version = data.pop("version")
    return service.update_finding(finding, data, current_user, version=version)


def _body() -> tuple[dict, list[tuple[str, bytes]]]:
    """The step's fields from JSON, or from a multipart form with `files`."""
    if request.mimetype == "multipart/form-data":
        return request.form.to_dict(), uploads("files")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(
            _("The request body is not a JSON object."), {"json": [_("The body must be a JSON object.")]}
        )
    return body, []


@blp.route("/findings/<int:finding_id>/transitions", methods=["POST"])
@require_any(*STEP_ROUTE_PERMS)
@blp.doc(requestBody={"content": {"application/json": {"schema": TransitionInSchema}}})
@blp.response(200, FindingDetailSchema)
def transition(finding_id):
    """Take a rectification step: 200, or 403 / 404 / 409 / 422 in the error shape.

    The same fields may be sent as multipart/form-data with evidence files in `files`.
    """
    finding = service.get_finding(current_user, finding_id)
    data, files = _body()
    return rectification.transition(
        finding, data.get("to"), data, current_user, version=data.get("version"), files=files
    )


@blp.route("/findings/<int:finding_id>/deadline", methods=["POST"])
@require(Perm.FINDINGS_MANAGE)
@blp.arguments(DeadlineInSchema)
@blp.response(200, FindingDetailSchema)
def extend(data, finding_id):
    """Extend the deadline (quality department); the old date stays in the history."""
    finding = service.get_finding(current_user, finding_id)
    return rectification.extend_deadline(
        finding, data["due_on"], data["comment"], current_user, version=data["version"]
    )


@blp.route("/findings/<int:finding_id>/evidence", methods=["POST"])
@require_any(Perm.RECTIFY, Perm.VERIFY)
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
    finding = service.get_finding(current_user, finding_id)
    return rectification.add_files(finding, uploads("files"), current_user), 201


@blp.route("/findings/<int:finding_id>/evidence/<int:file_id>")
@require(Perm.FINDINGS_VIEW)
@blp.doc(
    responses={
        "200": {
            "description": "The file's content, as an attachment",
            "content": {
                ct: {"schema": {"type": "string", "format": "binary"}} for ct in evidence.CONTENT_TYPES
            },
        }
    }
)
def download_evidence(finding_id, file_id):
    """The content of an evidence file (404 unless the caller may see the finding)."""
    record = service.get_file(current_user, finding_id, file_id)
    try:
        content = evidence.read(record.sha256)
    except KeyError:
        raise NotFound(_("No such %(what)s.", what=_("file"))) from None
    response = send_file(
        io.BytesIO(content), mimetype=record.content_type, as_attachment=True, download_name=record.filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
