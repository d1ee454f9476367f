"""Pages of sanctions: the register (with CSV/XLSX export), figures by period and region, one
sanction with the findings behind it and its lifting, imposing a sanction on a lab."""

from datetime import date

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labtrack.audits.models import Finding
from labtrack.auth.permissions import Perm, require
from labtrack.auth.policy import confined_lab
from labtrack.extensions import db
from labtrack.labs.service import load_lab, regions
from labtrack.models_base import today
from labtrack.planning import policy, sanctions
from labtrack.planning.blueprint import bp, date_arg
from labtrack.planning.forms import LiftForm, SanctionForm
from labtrack.planning.schemas import dump_sanction, export_header, export_row
from labtrack.planning.values import SANCTION_KIND_LABELS
from labtrack.services import Forbidden
from labtrack.tabular import export_response
from labtrack.web import form_status, page_arg, submit_form

STATUSES = ("in_force", "overdue", "ended")


def _filters() -> dict:
    status = request.args.get("status") or None
    kind = request.args.get("kind") or None
    return {
        "lab": request.args.get("lab") or None,
        "kind": kind if kind in SANCTION_KIND_LABELS else None,
        "status": status if status in STATUSES else None,
        "region": request.args.get("region") or None,
        "date_from": date_arg("from"),
        "date_to": date_arg("to"),
    }


@bp.get("/sanctions")
@require(Perm.PLANNING_VIEW)
def sanction_list():
    """The register of sanctions, filtered; CSV or XLSX with ?format=."""
    filters = _filters()
    stmt = sanctions.sanctions_query(current_user, **filters)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        on = today()
        rows = (export_row(dump_sanction(s, on)) for s in db.session.scalars(stmt))
        return export_response(fmt, f"sanctions-{on.isoformat()}", export_header(), rows)
    page = db.paginate(
        stmt, page=page_arg(), per_page=current_app.config.get("PER_PAGE", 25), error_out=False
    )
    return render_template(
        "planning/sanctions.html",
        page=page,
        filters=filters,
        kinds=SANCTION_KIND_LABELS,
        regions=regions(current_user),
        on=today(),
    )


@bp.get("/sanctions/figures")
@require(Perm.PLANNING_VIEW)
def sanction_figures():
    """Sanctions by period and region: counts, labs affected, items suspended, lifted on time."""
    on = today()
    date_to = date_arg("to", on)
    date_from = date_arg("from", date(date_to.year, 1, 1))
    region = request.args.get("region") or None
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    return render_template(
        "planning/sanction_figures.html",
        figures=sanctions.figures(date_from, date_to, region, confined_lab(current_user)),
        regions=regions(current_user),
        kinds=SANCTION_KIND_LABELS,
    )


@bp.get("/sanctions/<int:sanction_id>")
@require(Perm.PLANNING_VIEW)
def sanction_detail(sanction_id):
    """A sanction: what it suspends, the findings behind it, its lifting."""
    sanction = sanctions.load_sanction(current_user, sanction_id)
    return _render_sanction(sanction, LiftForm(formdata=None, version=sanction.version))


def _render_sanction(sanction, form, status: int = 200):
    findings = sanctions.linked_findings(current_user, sanction)
    return (
        render_template(
            "planning/sanction.html",
            s=sanction,
            findings=findings,
            still_open=sanctions.open_findings(sanction),
            form=form if policy.may_lift(current_user, sanction) else None,
            on=today(),
        ),
        status,
    )


@bp.post("/sanctions/<int:sanction_id>/lift")
@require(Perm.SANCTIONS_MANAGE)
def sanction_lift(sanction_id):
    """Lift a sanction after check and acceptance of its findings."""
    sanction = sanctions.load_sanction(current_user, sanction_id)
    form = LiftForm()
    done = submit_form(
        form,
        lambda: sanctions.lift(
            current_user,
            sanction,
            {"lifted_on": form.lifted_on.data, "comment": form.comment.data},
            form.version.data or None,
        ),
        success=_("Sanction lifted; the laboratory's managers are told."),
        to=url_for("planning.sanction_detail", sanction_id=sanction.id),
    )
    return done or _render_sanction(sanction, form, form_status(form))


@bp.route("/labs/<code>/sanctions/new", methods=["GET", "POST"])
@require(Perm.SANCTIONS_MANAGE)
def sanction_new(code):
    """Impose a sanction on a laboratory."""
    lab = load_lab(code, current_user)
    if not policy.may_impose(current_user, lab):
        raise Forbidden(_("You may not impose sanctions."))
    form = SanctionForm()
    if request.method == "GET":
        form.starts_on.data = today()
        wanted = request.args.getlist("finding")
        form.finding_ids.data = wanted
    open_or_recent = (
        select(Finding)
        .where(Finding.lab_id == lab.id)
        .order_by(Finding.raised_on.desc(), Finding.id.desc())
        .limit(200)
    )
    form.finding_ids.choices = [
        (
            str(f.id),
            f"{f.label} · {f.severity_label} · {f.status_label} · {f.description.splitlines()[0][:80]}",
        )
        for f in db.session.scalars(open_or_recent)
    ]
    done = submit_form(
        form,
        lambda: sanctions.impose(current_user, lab, form.sanction_data()),
        success=lambda s: _("Sanction %(ref)s imposed.", ref=s.reference),
        to=lambda s: url_for("planning.sanction_detail", sanction_id=s.id),
    )
    return done or (render_template("planning/sanction_form.html", form=form, lab=lab), form_status(form))
