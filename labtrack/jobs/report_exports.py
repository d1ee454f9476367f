"""The national-scale report exports as background jobs: the campaign summary, the training report
and the capability-growth report (CSV / XLSX).

Their files are short (a few hundred rows of figures), but computing them reads a whole country's
records, so an export that covers more laboratories than REPORT_INLINE_LABS (default 1,000) runs in
the worker and its page follows the job; a lab's or a region's export stays inside the request.
Each exporter takes the page's own query string and recomputes the report for the job's starter,
asking the areas' own functions (and so their policies) again: the file is the one the page
would have answered, column for column.
"""

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from labtrack.auth import policy as auth
from labtrack.extensions import db
from labtrack.jobs import exports


def report_inline_labs() -> int:
    """Laboratories above which a report export runs as a job (REPORT_INLINE_LABS)."""
    return int(current_app.config.get("REPORT_INLINE_LABS", 1000))


def covers_many_labs(actor: Any, region: str | None = None, lab_id: int | None = None) -> bool:
    """Whether a report over a region (or everyone) is national in scale: more laboratories than
    the inline limit (one lab, or a reader confined to their own lab, never is)."""
    from labtrack.labs.models import Lab

    if lab_id is not None or auth.confined_lab(actor) is not None:
        return False
    stmt = select(func.count()).select_from(Lab)
    if region:
        stmt = stmt.where(Lab.region == region)
    return (db.session.scalar(stmt) or 0) > report_inline_labs()


def query_args(args: Any) -> dict[str, str]:
    """The page's query string as the job keeps it (JSON; the format left out)."""
    return {k: v for k, v in args.items() if k not in ("format", "submit")}


def _table(basename: str, header: list[str], rows: list[list]) -> exports.Table:
    return exports.Table(basename, list(header), rows, total=len(rows))


@exports.exporter("campaign")
def campaign_table(actor: Any, args: dict) -> exports.Table:
    """The campaign summary's figures, as `/reports/campaign?format=` answers them."""
    from werkzeug.datastructures import MultiDict

    from labtrack.reports import campaign
    from labtrack.services import InvalidInput

    form = campaign.CampaignForm(formdata=MultiDict(args), meta={"csrf": False})
    summary = campaign.summary_from_form(form, actor)
    if summary is None:
        raise InvalidInput(_("The report's filters are not valid."), dict(form.errors))
    return _table(campaign.export_name(summary), campaign.EXPORT_HEADER, campaign.export_rows(summary))


@exports.exporter("training")
def training_table(actor: Any, args: dict) -> exports.Table:
    """The training and exams report, as `/personnel/reports?format=` answers it."""
    from labtrack.personnel import reports
    from labtrack.personnel.pages_reports import EXPORT_HEADER, export_rows, parse_report_args

    f = parse_report_args(actor, dict(args))
    name = f"training-{f.date_from.isoformat()}-{f.date_to.isoformat()}"
    return _table(name, EXPORT_HEADER, export_rows(reports.training_report(f)))


@exports.exporter("growth")
def growth_table(actor: Any, args: dict) -> exports.Table:
    """The capability-growth report, as `/scope/growth/export.<fmt>` answers it."""
    from labtrack.scope import service
    from labtrack.scope.growth import growth as compute_growth

    asked = service.growth_request(actor, dict(args), strict=True)
    result = compute_growth(asked.date_from, asked.date_to, lab=asked.lab, region=asked.region)
    name = f"growth-{result.lab_code or result.region or 'all'}-{asked.date_from}-{asked.date_to}"
    return _table(name, [result.headline(), "", "", "", ""], list(service.growth_rows(result)))


RISK_HEADER = [
    "lab_code",
    "lab_name",
    "region",
    "grade",
    "score",
    "explanation",
    "weights_version",
    "as_of",
    "computed_at",
]


def risk_filters(args: Any) -> tuple[str | None, str | None, str | None]:
    """(grade, region, kind) of the risk list's query string (an unknown grade: every grade)."""
    grade = args.get("grade") or None
    return (
        (grade if grade in ("A", "B", "C", "D") else None),
        args.get("region") or None,
        args.get("kind") or None,
    )


def risk_count(actor: Any, args: Any) -> int:
    """How many current grades the risk list's filters give the actor."""
    from labtrack.planning import reports

    stmt = reports.current_list(actor, *risk_filters(args)).order_by(None)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


@exports.exporter("risk")
def risk_table(actor: Any, args: dict) -> exports.Table:
    """Every lab's current risk grade of the list's filters, as `/planning/risk?format=` answers it
    (the API's shape, `dump_risk`, with the lab's name and region beside it)."""
    from labtrack.models_base import today
    from labtrack.planning import reports
    from labtrack.planning.schemas import dump_risk

    def rows():
        for grading in db.session.scalars(reports.current_list(actor, *risk_filters(args))):
            data = dump_risk(grading)
            yield [
                data["lab_code"],
                grading.lab.name,
                grading.lab.region,
                data["grade"],
                data["score"],
                data["explanation"],
                data["weights_version"],
                data["as_of"],
                data["computed_at"],
            ]

    return exports.Table(
        f"risk-grades-{today().isoformat()}", list(RISK_HEADER), rows(), risk_count(actor, args)
    )
