"""Scope, catalogue, capability growth and scope import in the JSON API."""

from datetime import date

from flask import current_app, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from labtrack.api.common import PageArgs, list_schema, not_found, paginate, unprocessable
from labtrack.auth.permissions import Perm, lab_scope_id, require
from labtrack.extensions import db
from labtrack.labs import service as labs_service
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.scope import service
from labtrack.scope.growth import growth, growth_series, region_exists
from labtrack.scope.importer import import_scope
from labtrack.scope.models import TestCategory, TestItem
from labtrack.services import InvalidInput

blp = Blueprint(
    "scope_api", __name__, url_prefix="/api/v1", description="Scope, catalogue and capability growth"
)


class CategorySchema(Schema):
    """A test category (检测大类)."""

    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=200))


class ItemSchema(Schema):
    """A test item (检测项目)."""

    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=300))
    category_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    method = fields.String(allow_none=True, validate=validate.Length(max=500))
    parameters = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100000))


class ItemPatchSchema(Schema):
    """Any subset of an item's fields."""

    code = fields.String(validate=validate.Length(min=1, max=32))
    name = fields.String(validate=validate.Length(min=1, max=300))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=300))
    category_code = fields.String(validate=validate.Length(min=1, max=32))
    method = fields.String(allow_none=True, validate=validate.Length(max=500))
    parameters = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100000))


class ItemOutSchema(ItemSchema):
    """An item as the API shows it, with its category."""

    category_code = fields.String(attribute="category.code", dump_only=True)
    category_name = fields.String(attribute="category.name", dump_only=True)


class CatalogueArgs(PageArgs):
    """Search the catalogue."""

    q = fields.String(metadata={"description": "search in codes, names and methods"})
    category = fields.String(metadata={"description": "a category code"})


class OnArgs(Schema):
    """?on=DATE (default today)."""

    on = fields.Date(load_default=None, metadata={"description": "the date (YYYY-MM-DD); default today"})


class GrowthArgs(Schema):
    """?from=&to= (and region for everyone's growth)."""

    date_from = fields.Date(
        load_default=None,
        data_key="from",
        metadata={"description": "date A (default: 31 December of last year)"},
    )
    date_to = fields.Date(
        load_default=None, data_key="to", metadata={"description": "date B (default: today)"}
    )
    region = fields.String()
    series = fields.String(validate=validate.OneOf(["none", "month", "quarter"]), load_default="none")


class ScopeItemSchema(Schema):
    """One item of a lab's scope on a date."""

    category_code = fields.String()
    category_name = fields.String()
    category_name_en = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    item_name_en = fields.String()
    method = fields.String()
    parameters = fields.Integer()
    granted_on = fields.Date()
    basis = fields.String()


class ScopeSchema(Schema):
    """A lab's scope on a date, with its counts."""

    lab_code = fields.String()
    on = fields.Date()
    categories = fields.Integer()
    items_count = fields.Integer(data_key="items_count")
    parameters = fields.Integer()
    items = fields.List(fields.Nested(ScopeItemSchema))


class ImportArgs(Schema):
    """?dry_run=true checks and reports without writing."""

    dry_run = fields.Boolean(load_default=False)


CategoryListSchema = list_schema(CategorySchema, "CategoryList")
ItemListSchema = list_schema(ItemOutSchema, "ItemList")


def _lab_or_404(code: str):
    lab = labs_service.get_lab(code)
    if lab is None:
        not_found("laboratory")
    return lab


@blp.route("/labs/<code>/scope")
@require(Perm.SCOPE_VIEW)
@blp.arguments(OnArgs, location="query")
@blp.response(200, ScopeSchema)
def lab_scope(args, code):
    """A lab's scope on a date (default today): every item held, grouped by category code."""
    lab = _lab_or_404(code)
    on = args.get("on") or today()
    counts = service.scope_counts(lab.id, on)
    return {
        "lab_code": lab.code,
        "on": on,
        "categories": counts["categories"],
        "items_count": counts["items"],
        "parameters": counts["parameters"],
        "items": [dict(r._mapping) for r in service.scope_rows(lab.id, on)],
    }


def _growth_answer(args, lab=None, region=None):
    args["date_to"] = args["date_to"] or today()
    args["date_from"] = args["date_from"] or date(max(args["date_to"].year - 1, 1), 12, 31)
    try:
        result = growth(args["date_from"], args["date_to"], lab=lab, region=region)
        data = result.as_dict()
        if args.get("series") in ("month", "quarter"):
            data["series"] = growth_series(
                args["date_from"], args["date_to"], lab=lab, region=region, step=args["series"]
            )
    except InvalidInput as exc:
        unprocessable(exc.errors, exc.message)
    return data


@blp.route("/labs/<code>/growth")
@require(Perm.GROWTH_VIEW)
@blp.arguments(GrowthArgs, location="query")
@blp.response(200)
def lab_growth(args, code):
    """A lab's capability growth between `from` and `to` (DESIGN's keys; `series=month|quarter` adds a series)."""
    return _growth_answer(args, lab=_lab_or_404(code))


@blp.route("/growth")
@require(Perm.GROWTH_VIEW)
@blp.arguments(GrowthArgs, location="query")
@blp.response(200)
def all_growth(args):
    """Capability growth of a region's labs, or of everyone (a lab manager: their own lab)."""
    scope = lab_scope_id()
    if scope is not None:  # a lab manager's "everyone" is their own lab
        return _growth_answer(args, lab=db.session.get(Lab, scope) or not_found("laboratory"))
    region = args.get("region")
    if region and not region_exists(region):
        unprocessable({"region": [f"No laboratory in region {region}."]})
    return _growth_answer(args, region=region or None)


@blp.route("/catalogue/categories")
@require(Perm.CATALOGUE_VIEW)
@blp.arguments(PageArgs, location="query")
@blp.response(200, CategoryListSchema)
def list_categories(args):
    """Test categories by code."""
    return paginate(select(TestCategory).order_by(TestCategory.code), args["page"], args["per_page"])


@blp.route("/catalogue/categories", methods=["POST"])
@require(Perm.CATALOGUE_EDIT)
@blp.arguments(CategorySchema)
@blp.response(201, CategorySchema)
def create_category(data):
    """Add a test category."""
    try:
        category = service.save_category(data, current_user)
    except InvalidInput as exc:
        unprocessable(exc.errors, exc.message)
    return category, 201


@blp.route("/catalogue/items")
@require(Perm.CATALOGUE_VIEW)
@blp.arguments(CatalogueArgs, location="query")
@blp.response(200, ItemListSchema)
def list_items(args):
    """Search the catalogue's test items."""
    stmt = service.catalogue_query(args.get("q"), args.get("category"))
    return paginate(stmt, args["page"], args["per_page"])


@blp.route("/catalogue/items/<code>")
@require(Perm.CATALOGUE_VIEW)
@blp.response(200, ItemOutSchema)
def get_item(code):
    """One test item."""
    item = db.session.scalar(select(TestItem).where(TestItem.code == code))
    if item is None:
        not_found("item")
    return item


@blp.route("/catalogue/items", methods=["POST"])
@require(Perm.CATALOGUE_EDIT)
@blp.arguments(ItemSchema)
@blp.response(201, ItemOutSchema)
def create_item(data):
    """Add a test item to a category."""
    try:
        item = service.save_item(data, current_user)
    except InvalidInput as exc:
        unprocessable(exc.errors, exc.message)
    return item, 201, {"Location": url_for("scope_api.get_item", code=item.code)}


@blp.route("/catalogue/items/<code>", methods=["PATCH"])
@require(Perm.CATALOGUE_EDIT)
@blp.arguments(ItemPatchSchema)
@blp.response(200, ItemOutSchema)
def update_item(data, code):
    """Change some of an item's fields."""
    item = db.session.scalar(select(TestItem).where(TestItem.code == code))
    if item is None:
        not_found("item")
    try:
        return service.save_item(data, current_user, item)
    except InvalidInput as exc:
        db.session.rollback()
        unprocessable(exc.errors, exc.message)


@blp.route("/scope/import", methods=["POST"])
@require(Perm.SCOPE_EDIT)
@blp.arguments(ImportArgs, location="query")
@blp.response(200)
@blp.alt_response(422, description="Row errors: {row, column, message} under errors.rows")
def import_scope_api(args):
    """Import scope from a CSV or XLSX body (raw, or multipart field `file`); `dry_run=true` only reports."""
    upload = request.files.get("file")
    body = upload.read(current_app.config["MAX_IMPORT_BYTES"] + 1) if upload else request.get_data()
    report = import_scope(body, actor=current_user, dry_run=args["dry_run"], comment="API scope import")
    if not report.ok:
        unprocessable(
            {"rows": [e.as_dict() for e in report.errors]},
            f"{len(report.errors)} error(s) in the file; nothing was written.",
        )
    return report.as_dict()
