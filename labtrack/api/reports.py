"""Cross-area reports in the JSON API: the campaign summary."""

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from labtrack.api.common import unprocessable
from labtrack.auth.permissions import Perm, lab_scope_id, require
from labtrack.labs import service as labs_service
from labtrack.reports import campaign
from labtrack.services import InvalidInput

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1", description="Cross-area reports")


class CampaignArgs(Schema):
    """?from=&to=&region= (no dates: the calendar year of the latest audit)."""

    date_from = fields.Date(
        load_default=None, data_key="from", metadata={"description": "first day (YYYY-MM-DD)"}
    )
    date_to = fields.Date(load_default=None, data_key="to", metadata={"description": "last day (YYYY-MM-DD)"})
    region = fields.String(load_default=None, metadata={"description": "a prefecture; none: every region"})

    @validates_schema
    def from_not_after_to(self, data, **kwargs) -> None:
        """The period may not end before it starts."""
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The end date must not come before the start date."), field_name="to")


class CampaignAuditRowSchema(Schema):
    """Audits of one kind (or all) and what they reviewed."""

    kind = fields.String()
    audits = fields.Integer()
    documents_reviewed = fields.Integer()
    instruments_checked = fields.Integer()
    reports_sampled = fields.Integer()
    institutions = fields.Integer()
    prefectures = fields.Integer()
    visited_institutions = fields.Integer(
        metadata={"description": "totals only: supervision and undercover visits"}
    )
    visited_prefectures = fields.Integer()


class CampaignAuditsSchema(Schema):
    """Audits by kind, and their total."""

    by_kind = fields.List(fields.Nested(CampaignAuditRowSchema))
    total = fields.Nested(CampaignAuditRowSchema)


class CampaignFindingRowSchema(Schema):
    """Findings of one area or severity (or all), with their closure."""

    group = fields.String(allow_none=True)
    total = fields.Integer()
    active = fields.Integer()
    overdue = fields.Integer()
    closed = fields.Integer()
    cancelled = fields.Integer()
    closure_rate = fields.Float(allow_none=True)
    median_days_to_close = fields.Float(allow_none=True)
    mean_days_to_close = fields.Float(allow_none=True)
    buckets = fields.Dict(keys=fields.String(), values=fields.Integer())
    severities = fields.Dict(keys=fields.String(), values=fields.Integer())
    from_rounds = fields.Integer(
        metadata={"description": "totals only: findings raised by comparison rounds"}
    )


class CampaignFindingsSchema(Schema):
    """Findings by area and by severity, and their total."""

    by_area = fields.List(fields.Nested(CampaignFindingRowSchema))
    by_severity = fields.List(fields.Nested(CampaignFindingRowSchema))
    total = fields.Nested(CampaignFindingRowSchema)


class CampaignComparisonRowSchema(Schema):
    """Rounds of one kind (or all): participation and grades."""

    kind = fields.String()
    rounds = fields.Integer()
    published = fields.Integer()
    participants = fields.Integer()
    institutions = fields.Integer()
    graded = fields.Integer()
    satisfactory = fields.Integer()
    questionable = fields.Integer()
    unsatisfactory = fields.Integer()
    satisfactory_share = fields.Float(allow_none=True)
    questionable_share = fields.Float(allow_none=True)
    unsatisfactory_share = fields.Float(allow_none=True)
    findings = fields.Integer()


class CampaignComparisonsSchema(Schema):
    """Comparison rounds by kind, and their total."""

    by_kind = fields.List(fields.Nested(CampaignComparisonRowSchema))
    total = fields.Nested(CampaignComparisonRowSchema)


class CampaignGrowthSchema(Schema):
    """Capability growth over the period."""

    categories_from = fields.Integer()
    categories_to = fields.Integer()
    items_from = fields.Integer()
    items_to = fields.Integer()
    parameters_from = fields.Integer()
    parameters_to = fields.Integer()
    accreditations_from = fields.Integer()
    accreditations_to = fields.Integer()
    categories_added = fields.List(fields.String())
    categories_removed = fields.List(fields.String())
    items_added = fields.List(fields.String())
    items_removed = fields.List(fields.String())
    headline = fields.Method("_headline")

    def _headline(self, obj) -> str:
        return obj.headline()


class CampaignSummaryBase(Schema):
    """The campaign summary of a period and region (the other areas' blocks are added below)."""

    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    as_of = fields.Date(metadata={"description": "findings closed or overdue as of this day"})
    region = fields.String(allow_none=True)
    lab_code = fields.String(allow_none=True, metadata={"description": "a lab manager's own lab"})
    headline = fields.String()
    audits = fields.Nested(CampaignAuditsSchema)
    findings = fields.Nested(CampaignFindingsSchema)
    comparisons = fields.Nested(CampaignComparisonsSchema)
    growth = fields.Nested(CampaignGrowthSchema, allow_none=True)


# Each area with a block of the summary (`labtrack/<area>/campaign.py`) adds its field.
CampaignSummarySchema = type(
    "CampaignSummarySchema",
    (CampaignSummaryBase,),
    {m.KEY: fields.Nested(m.BlockSchema) for m in campaign.block_modules()},
)


@blp.route("/reports/campaign")
@require(Perm.REPORTS_VIEW)
@blp.arguments(CampaignArgs, location="query")
@blp.response(200, CampaignSummarySchema)
def campaign_summary(args):
    """Audits, findings, rectification, comparisons and capability growth of a period (a lab manager: own lab)."""
    region = args["region"]
    if region and lab_scope_id() is None and region not in labs_service.regions():
        unprocessable({"region": [_("No laboratory in region %(region)s.", region=region)]})
    date_from, date_to = campaign.resolve_period(args["date_from"], args["date_to"])
    try:
        return campaign.campaign_summary(date_from, date_to, region)
    except InvalidInput as exc:
        unprocessable(exc.errors, exc.message)
