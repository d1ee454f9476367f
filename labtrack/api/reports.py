"""Cross-area reports in the JSON API: the campaign summary, in the shape of
`labtrack.reports.schemas`. Refusals are domain errors, answered once by `labtrack.errors`."""

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from labtrack.api.fields import Day
from labtrack.auth.permissions import Perm, require
from labtrack.reports import campaign
from labtrack.reports.schemas import CampaignSummarySchema

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1", description="Cross-area reports")


class CampaignArgs(Schema):
    """?from=&to=&region= (no dates: the calendar year of the latest audit)."""

    date_from = Day(load_default=None, data_key="from", metadata={"description": "first day (YYYY-MM-DD)"})
    date_to = Day(load_default=None, data_key="to", metadata={"description": "last day (YYYY-MM-DD)"})
    region = fields.String(load_default=None, metadata={"description": "a prefecture; none: every region"})

    @validates_schema
    def from_not_after_to(self, data, **kwargs) -> None:
        """The period may not end before it starts."""
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The end date must not come before the start date."), field_name="to")


@blp.route("/reports/campaign")
@require(Perm.REPORTS_VIEW)
@blp.arguments(CampaignArgs, location="query")
@blp.response(200, CampaignSummarySchema)
def campaign_summary(args):
    """Audits, findings, rectification, comparisons and capability growth of a period (a lab manager: own lab)."""
    campaign.check_region(current_user, args["region"])
    date_from, date_to = campaign.resolve_period(args["date_from"], args["date_to"], current_user)
    return campaign.campaign_summary(current_user, date_from, date_to, args["region"])
