"""The campaign summary's one shape, for the API (and the export's rows come from the same
summary): every section nullable, since a reader who may not read an area gets null for it."""

from marshmallow import Schema, fields

from labtrack.reports import campaign


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
    audits = fields.Nested(CampaignAuditsSchema, allow_none=True)
    findings = fields.Nested(CampaignFindingsSchema, allow_none=True)
    comparisons = fields.Nested(CampaignComparisonsSchema, allow_none=True)
    growth = fields.Nested(
        CampaignGrowthSchema, allow_none=True, metadata={"description": "null for a period of one day"}
    )


def _block(module) -> fields.Nested:
    """A later area's block, under a component name of its own (two areas may both call their
    schema BlockSchema), null when the reader may not read that area."""
    name = "Campaign" + "".join(part.title() for part in module.KEY.split("_")) + "Block"
    return fields.Nested(type(name, (module.BlockSchema,), {}), allow_none=True)


# Each area with a block of the summary (`labtrack/<area>/campaign.py`) adds its field.
CampaignSummarySchema = type(
    "CampaignSummarySchema",
    (CampaignSummaryBase,),
    {m.KEY: _block(m) for m in campaign.block_modules()},
)
