"""Pieces every API module uses: the list envelope, pagination arguments bounded to what the
database can count, and (for modules not yet raising domain errors) shortcuts to refuse."""

from flask_babel import gettext as _
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from labtrack import parsing
from labtrack.extensions import db
from labtrack.services import Conflict, InvalidInput, NotFound

PER_PAGE_MAX = 500
# The last page whose offset a database can still take ((page - 1) * per_page within a BIGINT).
PAGE_MAX = parsing.COUNT_MAX


class PageArgs(Schema):
    """?page=&per_page= on every list (1-based; a page past the end is an empty list)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=PAGE_MAX), strict=False)
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=PER_PAGE_MAX), strict=False)


class MetaSchema(Schema):
    """Where a page sits in the whole list."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "items in the whole list"})


def list_schema(item_schema: type[Schema] | Schema, name: str) -> type[Schema]:
    """The list envelope {items: [...], meta: {page, per_page, total}} for a schema."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "meta": fields.Nested(MetaSchema, required=True),
        },
        name=name,
    )


def paginate(stmt: Select, page: int, per_page: int, scalars: bool = True) -> dict:
    """Run a select one page at a time and wrap it in the list envelope."""
    page = max(1, min(int(page), PAGE_MAX))
    per_page = max(1, min(int(per_page), PER_PAGE_MAX))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    offset = (page - 1) * per_page
    if offset >= total:
        rows = []  # past the end: no query with an offset the database may not take
    else:
        paged = stmt.limit(per_page).offset(offset)
        rows = db.session.scalars(paged).all() if scalars else db.session.execute(paged).all()
    return {"items": rows, "meta": {"page": page, "per_page": per_page, "total": total}}


def not_found(what: str | None = None) -> None:
    """404 in the API's error shape (prefer `labtrack.services.load`, which raises it)."""
    raise NotFound(_("No such %(what)s.", what=what or _("record")))


def unprocessable(errors: dict, message: str | None = None) -> None:
    """422 naming the bad fields (prefer raising `labtrack.services.InvalidInput`)."""
    raise InvalidInput(message or _("The request has invalid fields."), errors)


def conflict(message: str, errors: dict | None = None) -> None:
    """409: the record's state does not allow this (prefer raising `labtrack.services.Conflict`)."""
    raise Conflict(message, errors or {})
