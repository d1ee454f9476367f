"""The public directory's JSON shape (`GET /public/api/labs`): only public facts of qualified
laboratories. The same dump serves the page, so the two cannot disagree."""

from marshmallow import Schema, fields

from labtrack.api.common import MetaSchema


class PublicItemSchema(Schema):
    """A test item a laboratory holds today."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, required=True)


class PublicCertificateSchema(Schema):
    """A valid certificate."""

    scheme = fields.String(required=True)
    number = fields.String(required=True)
    expires_on = fields.Date(required=True)


class PublicLabSchema(Schema):
    """A qualified laboratory: who, where, its valid certificates, what it holds today."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, required=True)
    region = fields.String(required=True)
    kind = fields.String(required=True)
    certificates = fields.List(fields.Nested(PublicCertificateSchema), required=True)
    categories = fields.Integer(required=True, metadata={"description": "test categories held today"})
    items = fields.Integer(
        required=True, metadata={"description": "test items held today (suspended ones left out)"}
    )
    matched_items = fields.List(
        fields.Nested(PublicItemSchema),
        required=True,
        metadata={"description": "items matching the search it holds"},
    )


class PublicLabListSchema(Schema):
    """The directory's answer: the list envelope."""

    items = fields.List(fields.Nested(PublicLabSchema), required=True)
    meta = fields.Nested(MetaSchema, required=True)


class PublicLabArgs:
    """The query parameters of the directory (documented in the OpenAPI document)."""

    DOCUMENTED = (
        ("item", {"type": "string"}, "a test item's code or words of its name (either language)"),
        ("category", {"type": "string"}, "a test category's code or words of its name"),
        ("region", {"type": "string"}, "the region (prefecture)"),
        ("q", {"type": "string"}, "words of the laboratory's code or name"),
        ("page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "the page, from 1"),
        ("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "labs per page (1-100)"),
    )


def dump_labs(rows: list[dict]) -> list[dict]:
    """Directory rows in the public shape (nothing else of them leaves)."""
    return PublicLabSchema(many=True).dump(rows)
