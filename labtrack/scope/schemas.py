"""The shapes of the catalogue, a lab's scope, capability growth and an import report: one each,
used by the pages and the API alike; and the API's input shapes, which parse with the same
parsers as the forms (`labtrack.scope.values`).

Scope is the same for every reader who may see it (who sees which lab is decided by the policy
before anything is shaped), so there is one audience.
"""

from typing import Any

from marshmallow import Schema, fields, validate

from labtrack import parsing
from labtrack.api.fields import Code, Name, Text
from labtrack.scope import values
from labtrack.scope.models import Basis, WithdrawalReason


class _Blankable:
    """An optional field: blank (or null) clears it, anything else is parsed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if parsing.is_blank(value):
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class ItemName(Name):
    """An item's name (up to 300 characters)."""

    parser_kwargs = {"max_len": values.ITEM_NAME_MAX}


class OptionalItemName(_Blankable, ItemName):
    """An optional item name."""


class OptionalName(_Blankable, Name):
    """An optional one-line name."""


class Method(_Blankable, Text):
    """Standard method(s) on one line."""

    parser_kwargs = {"max_len": values.METHOD_MAX, "multiline": False}


# --- output ----------------------------------------------------------------------------------


class CategorySchema(Schema):
    """A test category (检测大类)."""

    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)


class ItemSchema(Schema):
    """A test item (检测项目) with its category."""

    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    category_code = fields.String(attribute="category.code")
    category_name = fields.String(attribute="category.name")
    method = fields.String(allow_none=True)
    parameters = fields.Integer(allow_none=True)


class ScopeItemSchema(Schema):
    """One item of a lab's scope on a date."""

    entry_id = fields.Integer()
    category_code = fields.String()
    category_name = fields.String()
    category_name_en = fields.String(allow_none=True)
    item_code = fields.String()
    item_name = fields.String()
    item_name_en = fields.String(allow_none=True)
    method = fields.String(allow_none=True)
    parameters = fields.Integer(allow_none=True)
    granted_on = fields.Date()
    basis = fields.String(validate=validate.OneOf([b.value for b in Basis]))


class ScopeSchema(Schema):
    """A lab's scope on a date, with its counts."""

    lab_code = fields.String()
    on = fields.Date()
    categories = fields.Integer()
    items_count = fields.Integer()
    parameters = fields.Integer()
    items = fields.List(fields.Nested(ScopeItemSchema))


class EntrySchema(Schema):
    """One period of a lab's scope."""

    id = fields.Integer()
    lab_code = fields.String(attribute="lab.code")
    item_code = fields.String(attribute="item.code")
    granted_on = fields.Date()
    withdrawn_on = fields.Date(allow_none=True)
    basis = fields.String()
    withdrawal_reason = fields.String(
        allow_none=True, validate=validate.OneOf([r.value for r in WithdrawalReason])
    )
    note = fields.String(allow_none=True)


class ChangeSchema(Schema):
    """A category or item added or removed between the two dates."""

    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    category_code = fields.String(metadata={"description": "items only"})


class SeriesPointSchema(Schema):
    """What was held at one month or quarter end."""

    on = fields.String(metadata={"format": "date", "description": "YYYY-MM-DD"})
    categories = fields.Integer()
    items = fields.Integer()
    parameters = fields.Integer()
    accreditations = fields.Integer()


class SeriesSchema(Schema):
    """The growth over time, for a chart."""

    step = fields.String(validate=validate.OneOf(["month", "quarter"]))
    points = fields.List(fields.Nested(SeriesPointSchema))


class GrowthSchema(Schema):
    """Capability growth between `date_from` (A) and `date_to` (B) for a lab, a region or everyone:
    each measure at A and at B, its change and its percentage of A (null when A is 0)."""

    date_from = fields.Date()
    date_to = fields.Date()
    lab_code = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    headline = fields.String()
    categories_from = fields.Integer()
    categories_to = fields.Integer()
    categories_change = fields.Integer()
    categories_percent = fields.Float(allow_none=True)
    items_from = fields.Integer()
    items_to = fields.Integer()
    items_change = fields.Integer()
    items_percent = fields.Float(allow_none=True)
    parameters_from = fields.Integer()
    parameters_to = fields.Integer()
    parameters_change = fields.Integer()
    parameters_percent = fields.Float(allow_none=True)
    accreditations_from = fields.Integer(metadata={"description": "lab-item pairs held at A"})
    accreditations_to = fields.Integer()
    accreditations_change = fields.Integer()
    accreditations_percent = fields.Float(allow_none=True)
    categories_added = fields.List(fields.String())
    categories_removed = fields.List(fields.String())
    items_added = fields.List(fields.String())
    items_removed = fields.List(fields.String())
    categories_added_detail = fields.List(fields.Nested(ChangeSchema))
    categories_removed_detail = fields.List(fields.Nested(ChangeSchema))
    items_added_detail = fields.List(fields.Nested(ChangeSchema))
    items_removed_detail = fields.List(fields.Nested(ChangeSchema))
    series = fields.Nested(SeriesSchema, metadata={"description": "with ?series=month|quarter"})


def growth_data(growth: Any, series: dict | None = None) -> dict:
    """A Growth result (with its series when one was asked for), to be shaped by GrowthSchema."""
    data = growth.as_dict()
    data["date_from"], data["date_to"] = growth.date_from, growth.date_to
    if series is not None:
        data["series"] = series
    return data


class RowErrorSchema(Schema):
    """One problem of an import file."""

    row = fields.Integer()
    column = fields.String(allow_none=True)
    message = fields.String()


class ImportReportSchema(Schema):
    """What a scope import did (or, for a dry run, would do)."""

    rows = fields.Integer()
    applied = fields.Boolean()
    new_categories = fields.List(fields.Dict())
    new_items = fields.List(fields.Dict())
    new_periods = fields.Integer()
    withdrawals = fields.Integer()
    unchanged = fields.Integer()
    new_period_sample = fields.List(fields.Dict())
    withdrawal_sample = fields.List(fields.Dict())
    errors = fields.List(fields.Nested(RowErrorSchema))
    summary = fields.Method("_summary", metadata={"type": "string"})

    def _summary(self, report: Any) -> str:
        return report.summary()


# --- API input -------------------------------------------------------------------------------


class CategoryInSchema(Schema):
    """A new test category: code and name required."""

    code = Code(required=True)
    name = Name(required=True)
    name_en = OptionalName(allow_none=True)


class ItemInSchema(Schema):
    """A new test item of a category (given by its code)."""

    code = Code(required=True)
    name = ItemName(required=True, metadata={"maxLength": values.ITEM_NAME_MAX})
    name_en = OptionalItemName(allow_none=True, metadata={"maxLength": values.ITEM_NAME_MAX})
    category_code = Code(required=True)
    method = Method(allow_none=True, metadata={"maxLength": values.METHOD_MAX})
    parameters = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=0, max=values.PARAMETERS_MAX)
    )


class ItemPatchSchema(ItemInSchema):
    """Any subset of an item's fields (PATCH; loaded with partial=True: nothing required)."""
