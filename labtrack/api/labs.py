"""Laboratories in the JSON API: the shapes of `labtrack.labs.schemas`, the rules of the labs
service. Refusals are the service's domain errors, answered once by `labtrack.errors`."""

from flask import jsonify, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy.orm import selectinload

from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.auth.permissions import Perm, require
from labtrack.labs import service
from labtrack.labs.models import Lab, LabKind, LabStatus
from labtrack.labs.schemas import LabInSchema, LabPatchSchema, LabSchema, dump_lab, dump_labs

blp = Blueprint("labs_api", __name__, url_prefix="/api/v1", description="Laboratories")


class LabQueryArgs(PageArgs):
    """Filters of the lab list (the list page's filters)."""

    q = fields.String(metadata={"description": "search in code and names"})
    region = fields.String()
    kind = fields.String(metadata={"enum": [k.value for k in LabKind]})
    status = fields.String(metadata={"enum": [s.value for s in LabStatus]})
    sort = fields.String(
        load_default="code",
        metadata={"description": "code, name, region, kind or status; a leading '-' sorts descending"},
    )


LabListSchema = list_schema(LabSchema, "LabList")


def _answer(data, status: int = 200, headers: dict | None = None):
    """A JSON answer already shaped for its reader (the declared schema documents it)."""
    response = jsonify(data)
    response.status_code = status
    response.headers.update(headers or {})
    return response


@blp.route("/labs")
@require(Perm.LABS_VIEW)
@blp.arguments(LabQueryArgs, location="query")
@blp.response(200, LabListSchema)
def list_labs(args):
    """List laboratories (a lab manager sees only their own)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    filters = service.parse_filters(args)
    stmt = service.labs_query(current_user, **filters).options(
        selectinload(Lab.qualifications), selectinload(Lab.contacts)
    )
    envelope = paginate(stmt, page, per_page)
    envelope["items"] = dump_labs(current_user, envelope["items"])
    return _answer(envelope)


@blp.route("/labs/<code>")
@require(Perm.LABS_VIEW)
@blp.response(200, LabSchema)
def get_lab(code):
    """One laboratory with its certificates and contacts."""
    return _answer(dump_lab(current_user, service.load_lab(code, current_user)))


@blp.route("/labs", methods=["POST"])
@require(Perm.LABS_EDIT)
@blp.arguments(LabInSchema)
@blp.response(201, LabSchema)
def create_lab(data):
    """Register a laboratory (201 with its Location)."""
    lab = service.create_lab(data, current_user)
    location = url_for("labs_api.get_lab", code=lab.code)
    return _answer(dump_lab(current_user, lab), 201, {"Location": location})


@blp.route("/labs/<code>", methods=["PATCH"])
@require(Perm.LABS_EDIT)
@blp.arguments(LabPatchSchema(partial=True))
@blp.response(200, LabSchema)
def update_lab(data, code):
    """Change some of a laboratory's fields (those given)."""
    lab = service.update_lab(service.load_lab(code, current_user), data, current_user)
    return _answer(dump_lab(current_user, lab))
