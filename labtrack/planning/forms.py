"""The planning area's web forms: plans with their strata and pool, the draw, swaps, inspectors'
profiles, sanctions and their lifting. Fields parse as the API and the services do; the rules
(quotas against strata, overlaps, open findings) are the services'."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from labtrack import parsing
from labtrack.forms import Parse
from labtrack.i18n_names import region_label
from labtrack.labs.models import LAB_KIND_LABELS
from labtrack.planning import values
from labtrack.planning.grading import INSPECTION_KINDS
from labtrack.planning.values import SANCTION_KIND_LABELS

STRATA_ROWS = 6
DATE_MESSAGE = _l("A valid date is required (YYYY-MM-DD).")


def _optional_date(label):
    return DateField(label, validators=[Optional()], render_kw={"placeholder": "YYYY-MM-DD"})


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StratumForm(Form):
    """One row of a plan's strata (blank rows are skipped)."""

    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    lab_kind = SelectField(_l("Kind of laboratory"), choices=[], validate_choice=False)
    category = SelectField(_l("Test field (category)"), choices=[], validate_choice=False)
    quota = IntegerField(_l("Quota"), validators=[Optional(), NumberRange(min=1, max=parsing.COUNT_MAX)])
    ratio = StringField(_l("or ratio"), render_kw={"placeholder": "25%", "maxlength": 12})


class PlanForm(FlaskForm):
    """Make or change a draft plan."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Parse(values.plan_code)],
        render_kw={"maxlength": parsing.CODE_MAX, "placeholder": "FC-2027"},
    )
    title = StringField(
        _l("Title"), validators=[InputRequired(), Parse(parsing.name)], render_kw={"maxlength": 200}
    )
    year = IntegerField(
        _l("Year"), validators=[InputRequired(), NumberRange(min=parsing.YEAR_MIN, max=parsing.YEAR_MAX)]
    )
    audit_kind = SelectField(_l("Kind of inspection"), choices=[])
    team_size = IntegerField(
        _l("Team size"), default=2, validators=[InputRequired(), NumberRange(min=1, max=values.TEAM_MAX)]
    )
    risk_weighted = BooleanField(_l("Weight the draw by risk grade (A 1, B 2, C 3, D 4)"))
    exclude_months = IntegerField(
        _l("Leave out labs inspected within (months)"),
        validators=[Optional(), NumberRange(min=0, max=values.EXCLUDE_MONTHS_MAX)],
    )
    starts_on = _optional_date(_l("Inspections from"))
    ends_on = _optional_date(_l("Inspections until"))
    notes = TextAreaField(_l("Notes"), validators=[Parse(parsing.text, required=False)])
    strata = FieldList(FormField(StratumForm), min_entries=STRATA_ROWS, max_entries=values.STRATA_MAX)
    inspectors = MultiCheckboxField(_l("Inspector pool"), choices=[], validate_choice=False)
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def set_choices(
        self, regions: list[str], categories: list[tuple[str, str]], inspectors: list[tuple[str, str]]
    ):
        """Fill the select lists (regions, categories, inspectors) from the database's values."""
        from labtrack.audits.models import AUDIT_KIND_LABELS

        self.audit_kind.choices = [(k.value, AUDIT_KIND_LABELS[k]) for k in INSPECTION_KINDS]
        blank = [("", "—")]
        for row in self.strata:
            row.form.region.choices = blank + [(r, region_label(r)) for r in regions]
            row.form.lab_kind.choices = blank + list(LAB_KIND_LABELS.items())
            row.form.category.choices = blank + categories
        self.inspectors.choices = inspectors

    def plan_data(self) -> dict:
        """The fields for the service."""
        data = {k: v for k, v in self.data.items() if k not in ("submit", "csrf_token", "version", "strata")}
        data["strata"] = [
            {key: row.get(key) for key in ("region", "lab_kind", "category", "quota", "ratio")}
            for row in self.strata.data
        ]
        return data


class DrawForm(FlaskForm):
    """Try a seed (dry run), or make the draw with it."""

    seed = StringField(
        _l("Seed"),
        validators=[InputRequired(), Parse(values.seed)],
        render_kw={"maxlength": values.SEED_MAX},
        description=_l(
            "Any text agreed and announced beforehand, e.g. the closing index of a public lottery."
        ),
    )
    dry_run = SubmitField(_l("Dry run"))
    submit = SubmitField(_l("Draw (final)"))


class PublishForm(FlaskForm):
    """Publish the plan or its draw."""

    what = HiddenField(validators=[InputRequired()])


class ActionForm(FlaskForm):
    """A button that posts (CSRF only): recompute, delete."""


class SwapForm(FlaskForm):
    """Replace an inspector on a drawn team."""

    lab_code = SelectField(_l("Laboratory"), choices=[], validate_choice=False)
    out = SelectField(_l("Inspector leaving"), choices=[], validate_choice=False)
    into = SelectField(_l("Inspector joining"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason"), validators=[InputRequired(), Parse(values.reason)], render_kw={"rows": 2}
    )
    submit = SubmitField(_l("Record the swap"))


class ProfileForm(FlaskForm):
    """Where an inspector belongs."""

    region = StringField(_l("Region"), validators=[Parse(parsing.name, required=False, max_len=80)])
    organisation_lab = StringField(
        _l("Organisation (laboratory code)"), validators=[Parse(parsing.code, required=False)]
    )
    organisation = StringField(_l("Organisation (name)"), validators=[Parse(parsing.name, required=False)])
    submit = SubmitField(_l("Save"))


class SanctionForm(FlaskForm):
    """Impose a sanction on a lab."""

    kind = SelectField(_l("Kind"), choices=list(SANCTION_KIND_LABELS.items()))
    whole = BooleanField(_l("The whole qualification"))
    item_codes = TextAreaField(
        _l("Items suspended (codes)"),
        render_kw={"rows": 2},
        description=_l(
            "Item codes separated by spaces or commas; leave empty for a deadline rectification without suspension."
        ),
    )
    finding_ids = MultiCheckboxField(_l("Findings behind it"), choices=[], validate_choice=False)
    basis = TextAreaField(
        _l("Legal basis"), validators=[InputRequired(), Parse(values.basis)], render_kw={"rows": 2}
    )
    starts_on = DateField(_l("From"), validators=[InputRequired(message=DATE_MESSAGE)])
    ends_on = _optional_date(_l("To (deadline)"))
    submit = SubmitField(_l("Impose"))

    def sanction_data(self) -> dict:
        """The fields for the service."""
        return {
            "kind": self.kind.data,
            "whole": self.whole.data,
            "item_codes": self.item_codes.data or "",
            "finding_ids": self.finding_ids.data or [],
            "basis": self.basis.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
        }


class LiftForm(FlaskForm):
    """Lift a sanction after check and acceptance."""

    lifted_on = _optional_date(_l("Lifted on"))
    comment = TextAreaField(
        _l("Comment"), validators=[Parse(values.reason, required=False)], render_kw={"rows": 2}
    )
    version = HiddenField()
    submit = SubmitField(_l("Lift the sanction"))
