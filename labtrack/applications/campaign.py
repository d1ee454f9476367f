"""The `applications` block of the campaign summary: applications submitted and decided in the
period, items granted and refused, the grant rate and the share of steps done on time; for the page
(templates/applications/_campaign.html), the export and the API."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import Schema, fields

from labtrack.applications import reports

KEY = "applications"
MEASURES = ("submitted", "decided", "items_granted", "items_refused", "grant_rate", "on_time_share")


def block(date_from: date, date_to: date, region: str | None, scope: int | None) -> dict[str, Any]:
    """The period's applications (a lab manager's: their own lab's)."""
    f = reports.figures(date_from, date_to, region, scope)
    return {m: f[m] for m in MEASURES} | {"decisions": f["decisions"]}


def headline_parts(b: dict) -> list[str]:
    """The block's phrase of the summary's headline."""
    if not b["decided"]:
        return []
    part = ngettext(
        "%(n)s qualification application decided",
        "%(n)s qualification applications decided",
        b["decided"],
        n=f"{b['decided']:,}",
    )
    if b["items_granted"]:
        part += _(", %(n)s items granted", n=f"{b['items_granted']:,}")
    return [part]


def export_rows(b: dict) -> list[list]:
    """The block as rows (section, group, measure, value) of the summary's export."""
    rows = [
        ["applications", "total", m, round(b[m], 4) if isinstance(b[m], float) else b[m]] for m in MEASURES
    ]
    rows += [["applications", "decision", k, n] for k, n in sorted(b["decisions"].items())]
    return rows


class ApplicationsBlockSchema(Schema):
    """Qualification applications of the period."""

    submitted = fields.Integer(required=True, metadata={"description": "first submitted in the period"})
    decided = fields.Integer(required=True, metadata={"description": "decided in the period"})
    decisions = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    items_granted = fields.Integer(required=True)
    items_refused = fields.Integer(required=True)
    grant_rate = fields.Float(
        allow_none=True, required=True, metadata={"description": "items granted of items decided, 0-1"}
    )
    on_time_share = fields.Float(
        allow_none=True, required=True, metadata={"description": "timed steps done within their limit, 0-1"}
    )


BlockSchema = ApplicationsBlockSchema  # the name the campaign summary looks for
