"""The `sanctions` block of the campaign summary: sanctions that started in the period (by kind),
laboratories affected, items suspended, and how many were lifted by their deadline; for the page
(templates/planning/_campaign.html), the export and the API."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import Schema, fields

from labtrack.planning import sanctions
from labtrack.planning.values import SanctionKind

KEY = "sanctions"


def block(date_from: date, date_to: date, region: str | None, scope: int | None) -> dict[str, Any]:
    """The period's sanctions (a lab manager's: their own lab's)."""
    total = sanctions.figures(date_from, date_to, region, scope)["total"]
    return {
        "sanctions": total["sanctions"],
        "by_kind": total["by_kind"],
        "labs": total["labs"],
        "items_suspended": total["items_suspended"],
        "in_force": total["in_force"],
        "lifted": total["lifted"],
        "lifted_on_time": total["lifted_on_time"],
        "on_time_share": total["on_time_share"],
    }


def _n(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n, n=f"{n:,}")


def headline_parts(b: dict) -> list[str]:
    """The block's phrase of the summary's headline."""
    if not b["sanctions"]:
        return []
    part = _(
        "%(sanctions)s on %(labs)s",
        sanctions=_n("%(n)s sanction", "%(n)s sanctions", b["sanctions"]),
        labs=_n("%(n)s institution", "%(n)s institutions", b["labs"]),
    )
    if b["items_suspended"]:
        part += _(", %(items)s suspended", items=_n("%(n)s item", "%(n)s items", b["items_suspended"]))
    if b["on_time_share"] is not None:
        part += _(", %(share)s lifted on time", share=f"{100 * b['on_time_share']:.0f}%")
    return [part]


MEASURES = ("sanctions", "labs", "items_suspended", "in_force", "lifted", "lifted_on_time", "on_time_share")


def export_rows(b: dict) -> list[list]:
    """The block as rows (section, group, measure, value) of the summary's export."""
    rows = [["sanctions", "total", m, round(b[m], 4) if isinstance(b[m], float) else b[m]] for m in MEASURES]
    rows += [["sanctions", "kind", k.value, b["by_kind"].get(k.value, 0)] for k in SanctionKind]
    return rows


class SanctionsBlockSchema(Schema):
    """Sanctions that started in the period."""

    sanctions = fields.Integer(required=True)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    labs = fields.Integer(required=True, metadata={"description": "laboratories affected"})
    items_suspended = fields.Integer(
        required=True, metadata={"description": "named items, or all held for the whole qualification"}
    )
    in_force = fields.Integer(
        required=True, metadata={"description": "of those, in force at the end of the period or today"}
    )
    lifted = fields.Integer(required=True)
    lifted_on_time = fields.Integer(required=True)
    on_time_share = fields.Float(
        allow_none=True, required=True, metadata={"description": "lifted by the deadline, 0-1"}
    )


BlockSchema = SanctionsBlockSchema  # the name the campaign summary looks for
