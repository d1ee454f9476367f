"""Laboratories in the JSON API."""

from flask import url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from labtrack.api.common import PageArgs, list_schema, paginate, unprocessable
from labtrack.auth.permissions import Perm, require
from labtrack.labs import service
from labtrack.labs.models import Lab, LabKind, LabStatus
from labtrack.services import InvalidInput

blp = Blueprint("labs_api", __name__, url_prefix="/api/v1", description="Laboratories")


class QualificationSchema(Schema):
    """A certificate as the API shows it."""

    scheme = fields.String()
    certificate_no = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date()
    status = fields.String()
    expired = fields.Boolean(attribute="is_expired")


class LabSchema(Schema):
    """A laboratory; `code` is its key in every URL."""

    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=200))
    region = fields.String(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in LabKind]))
    status = fields.String(
        load_default=LabStatus.ACTIVE.value, validate=validate.OneOf([s.value for s in LabStatus])
    )
    is_model_lab = fields.Boolean(load_default=False)
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    notes = fields.String(allow_none=True)
    qualifications = fields.List(fields.Nested(QualificationSchema), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class LabUpdateSchema(LabSchema):
    """Any subset of a lab's fields (loaded with partial=True)."""


class LabQueryArgs(PageArgs):
    """Filters of the lab list."""

    q = fields.String(metadata={"description": "search in code and names"})
    region = fields.String()
    kind = fields.String()
    status = fields.String()
    sort = fields.String(load_default="code")


LabListSchema = list_schema(LabSchema, "LabList")


@blp.route("/labs")
@require(Perm.LABS_VIEW)
@blp.arguments(LabQueryArgs, location="query")
@blp.response(200, LabListSchema)
def list_labs(args):
    """List laboratories (a lab manager sees only their own)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    stmt = service.labs_query(**args).options(selectinload(Lab.qualifications))
    return paginate(stmt, page, per_page)


@blp.route("/labs/<code>")
@require(Perm.LABS_VIEW)
@blp.response(200, LabSchema)
def get_lab(code):
    """One laboratory with its certificates."""
    return service.get_lab_or_404(code)


@blp.route("/labs", methods=["POST"])
@require(Perm.LABS_EDIT)
@blp.arguments(LabSchema)
@blp.response(201, LabSchema)
def create_lab(data):
    """Create a laboratory."""
    try:
        lab = service.create_lab(data, current_user)
    except InvalidInput as exc:
        unprocessable(exc.errors, exc.message)
    return lab, 201, {"Location": url_for("labs_api.get_lab", code=lab.code)}


@blp.route("/labs/<code>", methods=["PATCH", "PUT"])
@require(Perm.LABS_EDIT)
@blp.arguments(LabUpdateSchema(partial=True))
@blp.response(200, LabSchema)
def update_lab(data, code):
    """Change some of a laboratory's fields."""
    lab = service.get_lab_or_404(code)
    try:
        return service.update_lab(lab, data, current_user)
    except InvalidInput as exc:
        unprocessable(exc.errors, exc.message)
