"""The one output shape of a laboratory per audience, for the pages, the CSV/XLSX export and the API
alike; and the API's input shapes, which parse with the same parsers as the forms.

Two audiences: the bureau (everyone who reads across labs) sees a lab whole; a lab's own manager
sees it without the bureau's notes (`labs.policy.sees_notes`).
"""

from datetime import UTC
from typing import Any

from flask import current_app
from marshmallow import Schema, fields, validate

from labtrack import parsing
from labtrack.api.fields import Code, Name, Text
from labtrack.labs import policy, values
from labtrack.labs.models import Lab, LabKind, LabStatus, Qualification


class UtcDateTime(fields.DateTime):
    """A time stored as naive UTC, written with its offset ("2010-11-11T08:00:00+00:00"), so it
    is the date-time the OpenAPI document declares."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def _timestamp(**kwargs: Any) -> UtcDateTime:
    return UtcDateTime(dump_only=True, **kwargs)


class QualificationSchema(Schema):
    """A certificate as every reader of the lab sees it."""

    id = fields.Integer(dump_only=True)
    scheme = fields.String()
    scheme_label = fields.String(dump_only=True)
    certificate_no = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date()
    status = fields.String()
    status_label = fields.String(dump_only=True)
    expired = fields.Boolean(attribute="is_expired", dump_only=True)
    expires_soon = fields.Method("_expires_soon", dump_only=True, metadata={"type": "boolean"})

    def _expires_soon(self, q: Qualification) -> bool:
        return q.expires_soon(current_app.config.get("CERT_EXPIRY_WARNING_DAYS", 90))


class ContactSchema(Schema):
    """A person to reach at a lab."""

    id = fields.Integer(dump_only=True)
    name = fields.String()
    position = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class LabSchema(Schema):
    """A laboratory with its certificates and contacts; `code` is its key in every URL."""

    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    region = fields.String()
    kind = fields.String(validate=validate.OneOf([k.value for k in LabKind]))
    kind_label = fields.String(dump_only=True)
    status = fields.String(validate=validate.OneOf([s.value for s in LabStatus]))
    status_label = fields.String(dump_only=True)
    is_model_lab = fields.Boolean()
    address = fields.String(allow_none=True)
    notes = fields.String(
        allow_none=True, metadata={"description": "the bureau's notes (not shown to lab managers)"}
    )
    qualifications = fields.List(fields.Nested(QualificationSchema), dump_only=True)
    contacts = fields.List(fields.Nested(ContactSchema), dump_only=True)
    created_at = _timestamp()
    updated_at = _timestamp()


_FOR_BUREAU = LabSchema()
_FOR_LAB = LabSchema(exclude=("notes",))


def lab_schema(actor: Any, lab: Lab | None = None) -> LabSchema:
    """The shape of a lab for this reader: without the notes for those who may not read them."""
    if lab is not None:
        return _FOR_LAB if policy.hidden_fields(actor, lab) else _FOR_BUREAU
    return _FOR_LAB if not policy.sees_every_lab(actor) else _FOR_BUREAU


def dump_lab(actor: Any, lab: Lab) -> dict:
    """One lab as this reader may see it (page, API)."""
    return lab_schema(actor, lab).dump(lab)


def dump_labs(actor: Any, labs: list[Lab]) -> list[dict]:
    """Labs as this reader may see them (lists, exports)."""
    return [dump_lab(actor, lab) for lab in labs]


# --- export: the list page's rows in a flat table ---------------------------------------------

EXPORT_HEADER = [
    "code",
    "name",
    "region",
    "kind",
    "name_en",
    "status",
    "model_lab",
    "cma_certificate",
    "cma_expires_on",
    "cnas_certificate",
    "cnas_expires_on",
]


def export_row(data: dict) -> list[Any]:
    """A dumped lab as a row under EXPORT_HEADER; the certificate of each scheme expiring last."""
    latest: dict[str, dict] = {}
    for q in sorted(data.get("qualifications", []), key=lambda q: q["expires_on"]):
        latest[q["scheme"]] = q
    cma, cnas = latest.get("CMA"), latest.get("CNAS")
    return [
        data["code"],
        data["name"],
        data["region"],
        data["kind"],
        data["name_en"],
        data["status"],
        "yes" if data["is_model_lab"] else "no",
        cma["certificate_no"] if cma else None,
        cma["expires_on"] if cma else None,
        cnas["certificate_no"] if cnas else None,
        cnas["expires_on"] if cnas else None,
    ]


# --- API input: the same parsers as the forms -------------------------------------------------


class _Blankable:
    """An optional text field: blank (or null) clears it, anything else is parsed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if parsing.is_blank(value):
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class LabCodeField(Code):
    """A lab code: what the form accepts (no '/', not a page's name)."""

    parser = staticmethod(values.lab_code)
    parser_kwargs: dict = {}


class RegionField(Name):
    """A region (prefecture) name."""

    parser = staticmethod(values.region)
    parser_kwargs: dict = {}


class OptionalName(_Blankable, Name):
    """An optional one-line name."""


class OptionalLine(_Blankable, Text):
    """An optional one-line text."""

    parser_kwargs = {"max_len": values.ADDRESS_MAX, "multiline": False}


class OptionalText(_Blankable, Text):
    """Optional free text."""


class LabInSchema(Schema):
    """A new laboratory (POST): code, name, region and kind required."""

    code = LabCodeField(required=True, metadata={"maxLength": values.CODE_MAX})
    name = Name(required=True, metadata={"maxLength": values.NAME_MAX})
    name_en = OptionalName(allow_none=True, load_default=None, metadata={"maxLength": values.NAME_MAX})
    region = RegionField(required=True, metadata={"maxLength": values.REGION_MAX})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in LabKind]))
    status = fields.String(
        load_default=LabStatus.ACTIVE.value, validate=validate.OneOf([s.value for s in LabStatus])
    )
    is_model_lab = fields.Boolean(load_default=False)
    address = OptionalLine(allow_none=True, load_default=None, metadata={"maxLength": values.ADDRESS_MAX})
    notes = OptionalText(allow_none=True, load_default=None, metadata={"maxLength": values.NOTES_MAX})


class LabPatchSchema(LabInSchema):
    """Any subset of a laboratory's fields (PATCH; loaded with partial=True: nothing required)."""
