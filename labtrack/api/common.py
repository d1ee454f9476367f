"""Pieces every API module uses: list envelopes, pagination arguments, aborts."""

from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from labtrack.extensions import db


class PageArgs(Schema):
    """?page=&per_page= on every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=500))


class MetaSchema(Schema):
    """Where a page sits in the whole list."""

    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


def list_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The list envelope {items: [...], meta: {page, per_page, total}} for a schema."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "meta": fields.Nested(MetaSchema)},
        name=name,
    )


def paginate(stmt: Select, page: int, per_page: int, scalars: bool = True) -> dict:
    """Run a select one page at a time and wrap it in the list envelope."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    paged = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(paged).all() if scalars else db.session.execute(paged).all()
    return {"items": rows, "meta": {"page": page, "per_page": per_page, "total": total}}


def not_found(what: str = "record") -> None:
    """404 in the API's error shape."""
    abort(404, message=f"No such {what}.")


def unprocessable(errors: dict, message: str = "The request has invalid fields.") -> None:
    """422 naming the bad fields."""
    abort(422, message=message, errors=errors)


def conflict(message: str, errors: dict | None = None) -> None:
    """409: the record's state does not allow this."""
    abort(409, message=message, errors=errors or {})
