"""The training and exam report page: figures of a period by organiser, month, region, lab and
post, with small charts, and the same figures as CSV or XLSX."""

from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from labtrack import parsing
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.jobs import exports, report_exports
from labtrack.labs.models import Lab
from labtrack.labs.service import regions
from labtrack.models_base import today
from labtrack.personnel import charts, people, policy, reports
from labtrack.personnel.blueprint import bp
from labtrack.personnel.models import POST_LABELS, TrainingSession
from labtrack.services import InvalidInput, NotFound
from labtrack.tabular import export_response


def default_period() -> tuple[date, date]:
    """The calendar year of the latest session up to today (this year when there is none)."""
    latest = db.session.scalar(
        select(func.max(TrainingSession.starts_on)).where(TrainingSession.starts_on <= today())
    )
    year = (latest or today()).year
    return date(year, 1, 1), date(year, 12, 31)


def parse_report_args(actor: Any, args: dict[str, Any]) -> reports.Filters:
    """The report's period, region, lab and post from a query string; InvalidInput naming the fields."""
    f = parsing.Fields(args)
    date_from = f.get("from", parsing.day, required=False)
    date_to = f.get("to", parsing.day, required=False)
    region = f.get("region", parsing.name, required=False, max_len=80)
    lab_code = f.get("lab", parsing.code, required=False)
    post = f.get("post", parsing.choice, [p.value for p in POST_LABELS], required=False)
    if date_from and date_to and date_to < date_from:
        f.add("to", _("The end date cannot be before the start date."))
    scope = policy.confined_lab(actor)
    if region and scope is None and region not in regions():
        f.add("region", _("No laboratory in region %(region)s.", region=region))
    lab = None
    if lab_code:
        lab = db.session.scalar(select(Lab).where(Lab.code == lab_code))
        if lab is None or not policy.sees_lab(actor, lab.id):
            f.add("lab", _("No such laboratory."))
    f.raise_if_any(_("The report's filters are not valid."))
    if date_from is None and date_to is None:
        date_from, date_to = default_period()
    elif date_from is None:
        date_from = date(date_to.year, 1, 1)
    elif date_to is None:
        date_to = date(date_from.year, 12, 31)
    return reports.Filters(
        date_from,
        date_to,
        region=region if scope is None else None,
        lab_id=lab.id if lab else None,
        post=post,
        scope=scope,
    )


EXPORT_HEADER = ["section", "group", "measure", "value"]


def export_rows(r: dict[str, Any]) -> list[list]:
    """Every figure of the report as (section, group, measure, value) rows."""
    rows: list[list] = [
        ["period", "", "from", r["date_from"].isoformat()],
        ["period", "", "to", r["date_to"].isoformat()],
        ["period", "", "region", r["region"] or ""],
        ["period", "", "post", r["post"] or ""],
    ]

    def add(section: str, group: str, row: dict, measures: tuple[str, ...]) -> None:
        for m in measures:
            value = row.get(m)
            rows.append([section, group, m, round(value, 4) if isinstance(value, float) else value])

    training = ("sessions", "attendances", "hours", "people_trained")
    add("training", "total", r["training"], (*training, "named_attendances", "external_attendances"))
    for row in r["by_organiser"]:
        add("training_by_organiser", row["organiser"], row, training)
    for row in r["by_month"]:
        add("training_by_month", row["month"], row, ("sessions", "attendances"))
    per_person = (*training, "headcount", "hours_per_person")
    for row in r["by_region"]:
        add("training_by_region", row["region"], row, per_person)
    for row in r["by_lab"]:
        add("training_by_lab", row["code"], row, per_person)
    for row in r["by_post"]:
        add("training_by_post", row["post"], row, per_person)
    exam = ("required", "sat", "absent", "pending", "passed", "participation", "pass_rate", "mean_score")
    add("exams", "total", r["exams"], ("exams", *exam))
    for row in r["exam_list"]:
        add("exams_by_exam", f"{row['held_on'].isoformat()} {row['title']}", row, exam)
    for row in r["exams_by_region"]:
        add("exams_by_region", row["region"], row, exam)
    for row in r["exams_by_lab"]:
        add("exams_by_lab", row["code"], row, (*exam, "below_threshold"))
    for row in r["exams_by_post"]:
        add("exams_by_post", row["post"], row, exam)
    for row in r["contests"]:
        add("contests", f"{row['held_on'].isoformat()} {row['title']}", row, ("entrants", "labs", "sittings"))
    return rows


@bp.get("/reports")
@require(Perm.PERSONNEL_VIEW)
def report():
    """Training and exams of a period, by organiser, month, region, lab and post (CSV / XLSX with ?format=)."""
    try:
        f = parse_report_args(current_user, request.args.to_dict())
    except InvalidInput as exc:
        return render_template("personnel/report.html", r=None, errors=exc.errors, args=request.args), 422
    fmt = request.args.get("format")
    if fmt in exports.FORMATS and report_exports.covers_many_labs(current_user, f.region, f.lab_id):
        # national scale: the worker computes and writes the file, the job's page follows it
        job = exports.start(current_user, "training", fmt, report_exports.query_args(request.args))
        return redirect(url_for("jobs.detail", job_id=job.id), code=303)
    r = reports.training_report(f)
    if fmt:
        if fmt not in ("csv", "xlsx"):
            raise NotFound(_("No such %(what)s.", what=_("export format")))
        name = f"training-{f.date_from.isoformat()}-{f.date_to.isoformat()}"
        return export_response(fmt, name, EXPORT_HEADER, export_rows(r))
    own = policy.confined_lab(current_user)
    chart_sessions = charts.columns(
        [(m["month"], m["sessions"]) for m in r["by_month"]], _("Sessions per month")
    )
    chart_attendances = charts.columns(
        [(m["month"], m["attendances"]) for m in r["by_month"]], _("Attendances per month"), "#198754"
    )
    return render_template(
        "personnel/report.html",
        r=r,
        errors={},
        args=request.args,
        regions=regions() if own is None else [],
        own_lab=people.get_lab_by_id(own) if own not in (None, -1) else None,
        chart_sessions=chart_sessions,
        chart_attendances=chart_attendances,
        exam_index={
            "lab": {row["code"]: row for row in r["exams_by_lab"]},
            "region": {row["region"]: row for row in r["exams_by_region"]},
            "post": {row["post"]: row for row in r["exams_by_post"]},
        },
    )
