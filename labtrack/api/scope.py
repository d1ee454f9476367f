"""Scope, catalogue, capability growth and scope import in the JSON API: the shapes of
`labtrack.scope.schemas`, the rules of the scope services. Refusals are the services' domain
errors, answered once by `labtrack.errors`."""

from flask import current_app, jsonify, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.api.fields import Day
from labtrack.auth.permissions import Perm, require
from labtrack.jobs import service as jobs_service
from labtrack.jobs.schemas import JobSchema
from labtrack.labs import service as labs_service
from labtrack.models_base import today
from labtrack.scope import service
from labtrack.scope.growth import growth, growth_series
from labtrack.scope.models import TestCategory
from labtrack.scope.schemas import (
    CategoryInSchema,
    CategorySchema,
    GrowthSchema,
    ItemInSchema,
    ItemPatchSchema,
    ItemSchema,
    ScopeSchema,
    growth_data,
)

blp = Blueprint(
    "scope_api", __name__, url_prefix="/api/v1", description="Scope, catalogue and capability growth"
)


class CatalogueArgs(PageArgs):
    """Search the catalogue."""

    q = fields.String(metadata={"description": "search in codes, names and methods"})
    category = fields.String(metadata={"description": "a category code"})


class OnArgs(Schema):
    """?on=DATE (default today)."""

    on = Day(load_default=None, metadata={"description": "the date (YYYY-MM-DD); default today"})


class GrowthArgs(Schema):
    """?from=&to= (and region for everyone's growth), and series=month|quarter for a time series."""

    date_from = fields.String(
        load_default=None,
        data_key="from",
        metadata={"format": "date", "description": "date A (default: 31 December of last year)"},
    )
    date_to = fields.String(
        load_default=None,
        data_key="to",
        metadata={"format": "date", "description": "date B (default: today)"},
    )
    region = fields.String(metadata={"description": "the labs of one region (not for lab managers)"})
    series = fields.String(validate=validate.OneOf(["none", "month", "quarter"]), load_default="none")


class ImportArgs(Schema):
    """?dry_run=true checks and reports without writing."""

    dry_run = fields.Boolean(load_default=False)


CategoryListSchema = list_schema(CategorySchema, "CategoryList")
ItemListSchema = list_schema(ItemSchema, "ItemList")


@blp.route("/labs/<code>/scope")
@require(Perm.SCOPE_VIEW)
@blp.arguments(OnArgs, location="query")
@blp.response(200, ScopeSchema)
def lab_scope(args, code):
    """A lab's scope on a date (default today): every item held, by category code."""
    lab = labs_service.load_lab(code, current_user)
    return service.scope_view(lab, args.get("on") or today())


def _growth_answer(args: dict, lab_code: str | None = None) -> dict:
    query = {"from": args["date_from"], "to": args["date_to"], "lab": lab_code, "region": args.get("region")}
    if args["series"] != "none":
        query["step"] = args["series"]
    asked = service.growth_request(current_user, query, strict=True)
    result = growth(asked.date_from, asked.date_to, lab=asked.lab, region=asked.region)
    series = None
    if args["series"] != "none":
        series = growth_series(
            asked.date_from, asked.date_to, lab=asked.lab, region=asked.region, step=asked.step
        )
    return growth_data(result, series)


@blp.route("/labs/<code>/growth")
@require(Perm.GROWTH_VIEW)
@blp.arguments(GrowthArgs, location="query")
@blp.response(200, GrowthSchema)
def lab_growth(args, code):
    """A lab's capability growth between `from` and `to` (`series=month|quarter` adds a series)."""
    labs_service.load_lab(code, current_user)  # 404 for a lab the caller may not see
    args.pop("region", None)
    return _growth_answer(args, lab_code=code)


@blp.route("/growth")
@require(Perm.GROWTH_VIEW)
@blp.arguments(GrowthArgs, location="query")
@blp.response(200, GrowthSchema)
def all_growth(args):
    """Capability growth of a region's labs, or of everyone (a lab manager: their own lab)."""
    return _growth_answer(args)


@blp.route("/catalogue/categories")
@require(Perm.CATALOGUE_VIEW)
@blp.arguments(PageArgs, location="query")
@blp.response(200, CategoryListSchema)
def list_categories(args):
    """Test categories by code."""
    return paginate(select(TestCategory).order_by(TestCategory.code), args["page"], args["per_page"])


@blp.route("/catalogue/categories", methods=["POST"])
@require(Perm.CATALOGUE_EDIT)
@blp.arguments(CategoryInSchema)
@blp.response(201, CategorySchema)
def create_category(data):
    """Add a test category."""
    return service.save_category(data, current_user), 201


@blp.route("/catalogue/items")
@require(Perm.CATALOGUE_VIEW)
@blp.arguments(CatalogueArgs, location="query")
@blp.response(200, ItemListSchema)
def list_items(args):
    """Search the catalogue's test items."""
    filters = service.parse_catalogue_filters(args)
    stmt = service.catalogue_query(filters["q"], filters["category_code"])
    return paginate(stmt, args["page"], args["per_page"])


@blp.route("/catalogue/items/<path:code>")
@require(Perm.CATALOGUE_VIEW)
@blp.response(200, ItemSchema)
def get_item(code):
    """One test item."""
    return service.load_item(code, current_user)


@blp.route("/catalogue/items", methods=["POST"])
@require(Perm.CATALOGUE_EDIT)
@blp.arguments(ItemInSchema)
@blp.response(201, ItemSchema)
def create_item(data):
    """Add a test item to a category (201 with its Location)."""
    item = service.save_item(data, current_user)
    return item, 201, {"Location": url_for("scope_api.get_item", code=item.code)}


@blp.route("/catalogue/items/<path:code>", methods=["PATCH"])
@require(Perm.CATALOGUE_EDIT)
@blp.arguments(ItemPatchSchema(partial=True))
@blp.response(200, ItemSchema)
def update_item(data, code):
    """Change some of an item's fields (those given)."""
    return service.save_item(data, current_user, service.load_item(code, current_user))


@blp.route("/scope/import", methods=["POST"])
@require(Perm.SCOPE_EDIT)
@blp.arguments(ImportArgs, location="query")
@blp.response(202, JobSchema)
@blp.alt_response(422, description="No file, or a file too large: {errors: {file: [...]}}")
def import_scope_api(args):
    """Import scope from a CSV or XLSX body (raw, or multipart field `file`) as a background job.

    Answers 202 at once with the job and its `Location` (`GET /api/v1/jobs/<id>`: progress, then
    the import's report as `result`; row errors fail the job, all or nothing, and are listed
    under `result.errors.rows` as {row, column, message}). `dry_run=true` only reports.
    """
    upload = request.files.get("file")
    limit = current_app.config["MAX_IMPORT_BYTES"]
    body = upload.read(limit + 1) if upload else request.get_data()
    name = (upload.filename if upload else None) or "scope-import.csv"
    params = {"dry_run": True} if args["dry_run"] else {}
    job = jobs_service.start(current_user, "scope_import", params, (name, body))
    response = jsonify(JobSchema().dump(job))
    response.status_code = 202
    response.headers["Location"] = url_for("jobs_api.get_job", job_id=job.id)
    return response
