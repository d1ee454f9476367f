"""The campaign summary: audits, findings, rectification, comparisons and capability growth of a
period and region on one page, each figure aggregated in SQL and narrowed to what the user may see
(`reports.policy`: a lab manager's figures are their own lab's; each section needs the permission
to read its area).

Periods: audits by `started_on`, findings by `raised_on`, rounds by `closes_on` (by the day they
were published when they have no closing date), all within [from, to]. Findings count as closed,
cancelled or overdue as of the end of the period (today, if the period has not ended yet), with
the same rules as the rectification figures of the audits area.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy import and_, case, func, literal, or_, select
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional, ValidationError

from labtrack import parsing
from labtrack.areas import area_modules
from labtrack.audits import figures
from labtrack.audits.models import (
    AREA_LABELS,
    AUDIT_KIND_LABELS,
    SEVERITY_LABELS,
    Audit,
    AuditKind,
    Finding,
    Severity,
)
from labtrack.extensions import db
from labtrack.forms import Parse
from labtrack.i18n_names import region_label
from labtrack.labs import service as labs_service
from labtrack.labs import values as lab_values
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.proficiency.models import (
    ROUND_KIND_LABELS,
    Participant,
    Result,
    Round,
    RoundFinding,
    RoundStatus,
)
from labtrack.reports import policy
from labtrack.scope.growth import Growth, growth
from labtrack.services import InvalidInput

VISIT_KINDS = (AuditKind.SUPERVISION_VISIT.value, AuditKind.UNDERCOVER_VISIT.value)
REVIEWED = ("documents_reviewed", "instruments_checked", "reports_sampled")
GRADES = ("satisfactory", "questionable", "unsatisfactory")


# --- the form of the page --------------------------------------------------------------------


class CampaignForm(FlaskForm):
    """Period and region of the campaign summary (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    date_from = DateField(_l("From"), name="from", validators=[Optional(), Parse(parsing.day)])
    date_to = DateField(_l("To"), name="to", validators=[Optional(), Parse(parsing.day)])
    region = SelectField(_l("Region"), validators=[Optional()], validate_choice=False)
    submit = SubmitField(_l("Show"))

    def validate_date_to(self, field) -> None:
        """The end of the period may not come before its start."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date must not come before the start date."))

    def validate_region(self, field) -> None:
        """Only a region some visible laboratory is in."""
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("No laboratory in region %(region)s.", region=field.data))


def default_period(actor: Any) -> tuple[date, date]:
    """The calendar year of the latest audit the actor sees (last year when there is none)."""
    stmt = policy.narrow(select(func.max(Audit.started_on)), Audit.lab_id, actor)
    latest = db.session.scalar(stmt)
    year = latest.year if latest else today().year - 1
    return date(year, 1, 1), date(year, 12, 31)


def resolve_period(date_from: date | None, date_to: date | None, actor: Any) -> tuple[date, date]:
    """The period asked for: the default year when no date is given, else the given date's year end or start."""
    if date_from is None and date_to is None:
        return default_period(actor)
    if date_from is None:
        return date(date_to.year, 1, 1), date_to
    if date_to is None:
        return date_from, date(date_from.year, 12, 31)
    return date_from, date_to


def summary_from_form(form: CampaignForm, actor: Any) -> dict[str, Any] | None:
    """Validate the page's form and compute its summary; None (with the form's messages) when invalid."""
    asked = period_from_form(form, actor)
    return None if asked is None else campaign_summary(actor, *asked)


def period_from_form(form: CampaignForm, actor: Any) -> tuple[date, date, str | None] | None:
    """Validate the page's form: (from, to, region) asked for; None (with the form's messages)
    when invalid. Nothing is computed yet (a national export is the worker's to compute)."""
    form.region.choices = [("", _("All regions"))] + [
        (r, region_label(r)) for r in labs_service.regions(actor)
    ]
    if not policy.may_choose_region(actor):
        form.region.data = None  # a lab manager's summary is their own lab's
    if not form.validate():
        return None
    date_from, date_to = resolve_period(form.date_from.data, form.date_to.data, actor)
    form.date_from.data, form.date_to.data = date_from, date_to  # the form shows the period used
    return date_from, date_to, form.region.data or None


def check_region(actor: Any, region: str | None) -> None:
    """A region the actor may ask for: one some lab they see is in (a lab manager's is ignored)."""
    if not region or not policy.may_choose_region(actor):
        return
    try:
        known = labs_service.region_known(lab_values.region(region), actor)
    except parsing.ParseError:
        known = False
    if not known:
        message = _("No laboratory in region %(region)s.", region=region[:80])
        raise InvalidInput(message, {"region": [message]})


def check_period(date_from: date | None, date_to: date | None) -> None:
    """Both dates given and `from` not after `to`; InvalidInput naming the field otherwise."""
    errors: dict[str, list[str]] = {}
    if date_from is None:
        errors["from"] = [_("A start date is required (YYYY-MM-DD).")]
    if date_to is None:
        errors["to"] = [_("An end date is required (YYYY-MM-DD).")]
    if date_from and date_to and date_from > date_to:
        errors["to"] = [_("The end date must not come before the start date.")]
    if errors:
        raise InvalidInput(_("The period of the campaign summary is not valid."), errors)


# --- the figures -----------------------------------------------------------------------------


def campaign_summary(actor: Any, date_from: date, date_to: date, region: str | None = None) -> dict[str, Any]:
    """Every figure of the campaign summary the actor reads, for a period and region (a lab
    manager: their own lab). A section the actor may not read is None."""
    check_period(date_from, date_to)
    scope = policy.figures_lab(actor)
    if scope is not None:
        region = None  # a lab manager's summary is their own lab's, wherever it is
    on = min(date_to, today())
    lab = db.session.get(Lab, scope) if scope is not None else None

    def section(key: str, compute):
        return compute() if policy.reads_section(actor, key) else None

    summary = {
        "date_from": date_from,
        "date_to": date_to,
        "as_of": on,
        "region": region,
        "lab_code": lab.code if lab else None,
        "audits": section("audits", lambda: audit_figures(date_from, date_to, region, scope)),
        "findings": section("findings", lambda: finding_figures(date_from, date_to, on, region, scope)),
        "comparisons": section("comparisons", lambda: comparison_figures(date_from, date_to, region, scope)),
        "growth": section("growth", lambda: _growth(date_from, date_to, region, scope, lab)),
    }
    for module in block_modules():
        summary[module.KEY] = section(module.KEY, lambda m=module: m.block(date_from, date_to, region, scope))
    summary["headline"] = headline(summary)
    return summary


def block_modules() -> list:
    """The other areas' blocks of the summary: `labtrack/<area>/campaign.py` with KEY (the block's
    key), `block(date_from, date_to, region, scope) -> dict`, `headline_parts(block) -> list[str]`,
    `export_rows(block) -> list[[section, group, measure, value]]` and `BlockSchema` (the API's
    shape); the page includes `templates/<area>/_campaign.html` with `s` the summary."""
    return [m for m in area_modules("campaign") if m.__name__ != __name__]


def _narrow(stmt, lab_id_column, region: str | None, scope: int | None):
    """Restrict to the user's lab, and to the region's labs (the statement must join Lab)."""
    if scope is not None:
        stmt = stmt.where(lab_id_column == scope)
    if region:
        stmt = stmt.where(Lab.region == region)
    return stmt


def audit_figures(date_from: date, date_to: date, region: str | None, scope: int | None) -> dict:
    """Audits by kind: how many, what they reviewed, which institutions and prefectures they visited."""
    columns = [
        func.count(Audit.id).label("audits"),
        *(func.coalesce(func.sum(getattr(Audit, name)), 0).label(name) for name in REVIEWED),
        func.count(func.distinct(Audit.lab_id)).label("institutions"),
        func.count(func.distinct(Lab.region)).label("prefectures"),
    ]
    is_visit = Audit.kind.in_(VISIT_KINDS)
    visits = [
        func.count(func.distinct(case((is_visit, Audit.lab_id)))).label("visited_institutions"),
        func.count(func.distinct(case((is_visit, Lab.region)))).label("visited_prefectures"),
    ]

    def base(*cols):
        stmt = select(*cols).select_from(Audit).join(Lab, Audit.lab_id == Lab.id)
        stmt = stmt.where(Audit.started_on >= date_from, Audit.started_on <= date_to)
        return _narrow(stmt, Audit.lab_id, region, scope)

    by_kind = db.session.execute(base(Audit.kind, *columns).group_by(Audit.kind).order_by(Audit.kind)).all()
    total = db.session.execute(base(*columns, *visits)).one()
    order = {k.value: i for i, k in enumerate(AuditKind)}
    rows = [
        {
            "kind": r.kind,
            "label": AUDIT_KIND_LABELS.get(r.kind, r.kind),
            **_ints(r, "audits", *REVIEWED, "institutions", "prefectures"),
        }
        for r in sorted(by_kind, key=lambda r: order.get(r.kind, 99))
    ]
    return {
        "by_kind": rows,
        "total": _ints(
            total,
            "audits",
            *REVIEWED,
            "institutions",
            "prefectures",
            "visited_institutions",
            "visited_prefectures",
        ),
    }


def _ints(row, *names: str) -> dict[str, int]:
    return {name: int(getattr(row, name) or 0) for name in names}


def finding_figures(date_from: date, date_to: date, on: date, region: str | None, scope: int | None) -> dict:
    """Findings raised in the period by area (with their severities) and by severity, closure as of `on`."""
    c = figures.conditions(on)  # closed / cancelled / active / overdue exactly as the rectification figures
    to_close = figures.days_between(Finding.closed_on, Finding.raised_on)
    measures = [
        *figures.measures(on),
        *(figures.count(Finding.severity == s.value).label(s.value) for s in Severity),
    ]

    def base(*cols):
        stmt = select(*cols).select_from(Finding).join(Lab, Finding.lab_id == Lab.id)
        stmt = stmt.where(
            Finding.raised_on >= date_from, Finding.raised_on <= date_to, Finding.raised_on <= on
        )
        return _narrow(stmt, Finding.lab_id, region, scope)

    def grouped(column, by: str, labels: dict) -> list[dict]:
        medians = _medians(base, column, to_close, c["closed"])
        stmt = base(column.label("grp"), *measures).group_by(column)
        rows = []
        for r in db.session.execute(stmt):
            row = figures.row(r, medians.get(r.grp), by)
            row["severities"] = {s.value: int(getattr(r, s.value) or 0) for s in Severity}
            rows.append(row)
        order = {key: i for i, key in enumerate(labels)}
        return sorted(rows, key=lambda row: order.get(row["group"], 99))

    total = db.session.execute(base(literal("all").label("grp"), *measures)).one()
    overall = figures.row(total, _medians(base, None, to_close, c["closed"]).get(None), None)
    overall["severities"] = {s.value: int(getattr(total, s.value) or 0) for s in Severity}
    overall["from_rounds"] = int(db.session.scalar(base(func.count()).where(Finding.source == "round")) or 0)
    return {
        "by_area": grouped(Finding.area, "area", AREA_LABELS),
        "by_severity": grouped(Finding.severity, "severity", SEVERITY_LABELS),
        "total": overall,
    }


def _medians(base, group, days, closed) -> dict:
    """Median days from raised to closed per group (None: overall), by window functions in SQL.

    The same method as the rectification figures: rows (n+1)//2 and (n+2)//2 of each group.
    """
    partition = {"partition_by": group} if group is not None else {}
    columns = [group.label("grp")] if group is not None else [literal("all").label("grp")]
    inner = (
        base(
            *columns,
            days.label("d"),
            func.row_number().over(order_by=days, **partition).label("rn"),
            func.count().over(**partition).label("n"),
        )
        .where(closed)
        .subquery()
    )
    middle = or_(inner.c.rn == (inner.c.n + 1) // 2, inner.c.rn == (inner.c.n + 2) // 2)
    stmt = select(inner.c.grp, func.avg(inner.c.d)).where(middle).group_by(inner.c.grp)
    values = {grp: float(value) for grp, value in db.session.execute(stmt) if value is not None}
    return values if group is not None else {None: values["all"]} if "all" in values else {}


def comparison_figures(date_from: date, date_to: date, region: str | None, scope: int | None) -> dict:
    """Rounds closing in the period by kind: participants, grades of published results, findings raised."""
    start, end = (
        datetime.combine(date_from, time.min),
        datetime.combine(date_to + timedelta(days=1), time.min),
    )
    in_period = or_(
        and_(Round.closes_on >= date_from, Round.closes_on <= date_to),
        and_(Round.closes_on.is_(None), Round.published_at >= start, Round.published_at < end),
    )
    published = Round.status == RoundStatus.PUBLISHED.value
    grade = case((published, Result.grade))  # grades count once the round is published
    columns = [
        func.count(func.distinct(Round.id)).label("rounds"),
        func.count(func.distinct(case((published, Round.id)))).label("published"),
        func.count(Participant.id).label("participants"),
        func.count(func.distinct(Participant.lab_id)).label("institutions"),
        func.count(grade).label("graded"),
        *(figures.count(grade == g).label(g) for g in GRADES),
        func.count(func.distinct(RoundFinding.finding_id)).label("findings"),
    ]

    def base(*cols):
        stmt = (
            select(*cols)
            .select_from(Participant)
            .join(Round, Participant.round_id == Round.id)
            .join(Lab, Participant.lab_id == Lab.id)
            .outerjoin(Result, Result.participant_id == Participant.id)
            .outerjoin(RoundFinding, RoundFinding.result_id == Result.id)
            .where(in_period, Round.status != RoundStatus.PLANNED.value)
        )
        return _narrow(stmt, Participant.lab_id, region, scope)

    names = ("rounds", "published", "participants", "institutions", "graded", *GRADES, "findings")
    order = {k: i for i, k in enumerate(ROUND_KIND_LABELS)}
    by_kind = db.session.execute(base(Round.kind, *columns).group_by(Round.kind)).all()
    rows = [
        _with_shares({"kind": r.kind, "label": ROUND_KIND_LABELS.get(r.kind, r.kind), **_ints(r, *names)})
        for r in sorted(by_kind, key=lambda r: order.get(r.kind, 99))
    ]
    total = _with_shares(_ints(db.session.execute(base(*columns)).one(), *names))
    return {"by_kind": rows, "total": total}


def _with_shares(row: dict) -> dict:
    """Add the share of each grade among the graded results (None when nothing was graded)."""
    for g in GRADES:
        row[f"{g}_share"] = row[g] / row["graded"] if row["graded"] else None
    return row


def _growth(
    date_from: date, date_to: date, region: str | None, scope: int | None, lab: Lab | None
) -> Growth | None:
    """Capability growth over the period: the user's lab, the region, or everyone."""
    if date_from >= date_to or (scope is not None and lab is None):
        return None  # growth needs two different dates
    return growth(date_from, date_to, lab=lab, region=region)


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.0f}%"


def _n(singular: str, plural: str, n: int) -> str:
    """A count with its noun in the right number, thousands separated ("1 audit", "1,000 reports")."""
    return ngettext(singular, plural, n, n=f"{n:,}")


def headline(s: dict) -> str:
    """The field notes' sentence for the period: audits, findings, comparisons, growth (those the
    reader reads)."""
    parts: list[str] = []
    if s["audits"] is not None:
        a = s["audits"]["total"]
        part = _(
            "%(audits)s reviewed %(documents)s, %(instruments)s and %(reports)s",
            audits=_n("%(n)s audit", "%(n)s audits", a["audits"]),
            documents=_n("%(n)s document or record", "%(n)s documents and records", a["documents_reviewed"]),
            instruments=_n("%(n)s instrument", "%(n)s instruments", a["instruments_checked"]),
            reports=_n("%(n)s report", "%(n)s reports", a["reports_sampled"]),
        )
        if a["visited_institutions"]:
            part += _(
                ", and visited %(institutions)s in %(prefectures)s",
                institutions=_n("%(n)s institution", "%(n)s institutions", a["visited_institutions"]),
                prefectures=_n("%(n)s prefecture", "%(n)s prefectures", a["visited_prefectures"]),
            )
        parts.append(part)
    if s["findings"] is not None:
        f = s["findings"]["total"]
        parts.append(
            _(
                "%(findings)s, %(closed)s closed after verification",
                findings=_n("%(n)s finding", "%(n)s findings", f["total"]),
                closed=_pct(f["closure_rate"]),
            )
        )
    if s["comparisons"] is not None:
        c = s["comparisons"]["total"]
        parts.append(
            _(
                "%(institutions)s took part in %(rounds)s, %(satisfactory)s satisfactory",
                institutions=_n("%(n)s institution", "%(n)s institutions", c["institutions"]),
                rounds=_n("%(n)s comparison round", "%(n)s comparison rounds", c["rounds"]),
                satisfactory=_pct(c["satisfactory_share"]),
            )
        )
    g = s["growth"]
    if g is not None:
        parts.append(
            _(
                "capability grew from %(c1)s and %(i1)s to %(c2)s and %(i2)s",
                c1=_n("%(n)s category", "%(n)s categories", g.categories_from),
                i1=_n("%(n)s test item", "%(n)s test items", g.items_from),
                c2=_n("%(n)s category", "%(n)s categories", g.categories_to),
                i2=_n("%(n)s test item", "%(n)s test items", g.items_to),
            )
        )
    for module in block_modules():
        if s.get(module.KEY) is not None:
            parts.extend(module.headline_parts(s[module.KEY]))
    return _(
        "From %(a)s to %(b)s: %(figures)s.",
        a=s["date_from"].isoformat(),
        b=s["date_to"].isoformat(),
        figures=_("; ").join(parts),
    )


# --- export ----------------------------------------------------------------------------------

EXPORT_HEADER = ["section", "group", "measure", "value"]


AUDIT_MEASURES = ("audits", *REVIEWED, "institutions", "prefectures")
FINDING_MEASURES = (
    "total",
    "active",
    "overdue",
    "closed",
    "cancelled",
    "closure_rate",
    "median_days_to_close",
    "mean_days_to_close",
)
COMPARISON_MEASURES = (
    "rounds",
    "published",
    "participants",
    "institutions",
    "graded",
    *GRADES,
    *(f"{g}_share" for g in GRADES),
    "findings",
)


def _audit_rows(a: dict) -> list[list]:
    rows = [["audits", r["kind"], m, r[m]] for r in a["by_kind"] for m in AUDIT_MEASURES]
    total = a["total"]
    return rows + [
        ["audits", "total", m, total[m]]
        for m in (*AUDIT_MEASURES, "visited_institutions", "visited_prefectures")
    ]


def _finding_rows(f: dict) -> list[list]:
    rows: list[list] = []
    for section in ("by_area", "by_severity"):
        for r in f[section]:
            rows += [[f"findings_{section}", r["group"], m, _round(r[m])] for m in FINDING_MEASURES]
            if section == "by_area":
                rows += [[f"findings_{section}", r["group"], sev, n] for sev, n in r["severities"].items()]
    total = f["total"]
    rows += [["rectification", "total", m, _round(total[m])] for m in FINDING_MEASURES]
    rows += [["rectification", "total", f"age_{b}", n] for b, n in total["buckets"].items()]
    rows.append(["rectification", "total", "from_rounds", total["from_rounds"]])
    return rows


def _comparison_rows(c: dict) -> list[list]:
    rows = [["comparisons", r["kind"], m, _round(r[m])] for r in c["by_kind"] for m in COMPARISON_MEASURES]
    return rows + [["comparisons", "total", m, _round(c["total"][m])] for m in COMPARISON_MEASURES]


def _growth_rows(g: Growth) -> list[list]:
    rows: list[list] = []
    for measure, at_a, at_b, change, percent in g.table_rows():
        rows += [
            ["growth", measure, "from", at_a],
            ["growth", measure, "to", at_b],
            ["growth", measure, "change", change],
            ["growth", measure, "percent", percent],
        ]
    return rows


def export_rows(s: dict) -> list[list]:
    """Every figure the reader reads as one row (section, group, measure, value), for CSV and XLSX."""
    rows: list[list] = [
        ["period", "", "from", s["date_from"].isoformat()],
        ["period", "", "to", s["date_to"].isoformat()],
        ["period", "", "as_of", s["as_of"].isoformat()],
        ["period", "", "region", s["region"] or s["lab_code"] or ""],
    ]
    for key, rows_of in (
        ("audits", _audit_rows),
        ("findings", _finding_rows),
        ("comparisons", _comparison_rows),
        ("growth", _growth_rows),
    ):
        if s[key] is not None:
            rows += rows_of(s[key])
    for module in block_modules():
        if s.get(module.KEY) is not None:
            rows += module.export_rows(s[module.KEY])
    return rows


def _round(value):
    return round(value, 4) if isinstance(value, float) else value


def export_name(s: dict) -> str:
    """The download's file name without extension."""
    who = s["lab_code"] or s["region"] or "all"
    return f"campaign-{who}-{s['date_from'].isoformat()}-{s['date_to'].isoformat()}"
