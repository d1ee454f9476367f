"""Pages of the scope area: catalogue, each lab's scope and timeline, import/export, growth.

Thin: records are loaded through the services (404 for what the user may not see), posted forms
run through `labtrack.web.submit_form`, and the services ask `scope.policy`; templates ask it
through the `scope_policy` template global.
"""

import io
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from labtrack import cache, jobs, parsing
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.history.service import history_for
from labtrack.jobs import exports, files, report_exports
from labtrack.jobs import service as jobs_service
from labtrack.jobs.schemas import JobSchema
from labtrack.labs import service as labs_service
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.scope import imports as scope_imports
from labtrack.scope import policy, service
from labtrack.scope import tasks as scope_tasks
from labtrack.scope.charts import growth_chart
from labtrack.scope.forms import (
    CategoryForm,
    ConfirmImportForm,
    GrantForm,
    ImportForm,
    ItemForm,
    WithdrawForm,
)
from labtrack.scope.growth import growth as compute_growth
from labtrack.scope.growth import growth_series
from labtrack.scope.importer import HEADER, export_rows
from labtrack.scope.models import BASIS_LABELS, WITHDRAWAL_LABELS, TestCategory
from labtrack.scope.schemas import ScopeSchema
from labtrack.services import NotFound
from labtrack.tabular import CSV_MIMETYPE, XLSX_MIMETYPE, export_response
from labtrack.web import form_status, page_arg, submit_form, uploads

bp = Blueprint("scope", __name__, url_prefix="/scope")
bp.add_app_template_global(policy, "scope_policy")


def _on() -> date:
    """`?on=` as a date (default today); a date that cannot be read is flashed and replaced."""
    value = request.args.get("on")
    try:
        return parsing.day(value, required=False) or today()
    except parsing.ParseError as exc:
        flash(f"{exc.message} ({value[:40]})", "danger")
        return today()


@bp.app_template_global()
def scope_summary(lab: Lab) -> dict:
    """The lab page's scope panel: what the lab holds today."""
    return service.scope_counts(lab.id, today())


@bp.app_template_global()
def scope_why_label(value: str | None) -> str:
    """A basis or withdrawal reason in the user's language."""
    labels = {**BASIS_LABELS, **WITHDRAWAL_LABELS}
    return str(labels.get(value, value or ""))


@bp.app_template_global()
def scope_dashboard() -> dict:
    """For templates/scope/_dashboard.html: the signed-in user's scope card (everyone's but a lab
    manager's is the same for all: reused until the data changes)."""
    if policy.growth_lab(current_user) is not None:
        return service.scope_card(current_user)
    return cache.cached("scope.card", today(), compute=lambda: service.scope_card(current_user))


@bp.get("/")
@require(Perm.SCOPE_VIEW)
def index():
    """Start page: labs with their current scope, the catalogue's categories, growth and import."""
    on = today()
    return render_template(
        "scope/index.html",
        labs=service.labs_overview(current_user, on),
        categories=service.categories_with_counts(),
        regions=labs_service.regions(current_user),
        on=on,
    )


# --- Catalogue ---


@bp.get("/catalogue")
@require(Perm.CATALOGUE_VIEW)
def catalogue():
    """Test items, searched and filtered by category."""
    filters = service.parse_catalogue_filters(request.args)
    stmt = service.catalogue_query(filters["q"], filters["category_code"])
    page = db.paginate(stmt, page=page_arg(), per_page=50, error_out=False)
    return render_template(
        "scope/catalogue.html",
        page=page,
        q=filters["q"],
        category=filters["category_code"],
        categories=db.session.scalars(db.select(TestCategory).order_by(TestCategory.code)).all(),
    )


@bp.route("/catalogue/categories/new", methods=["GET", "POST"])
@bp.route("/catalogue/categories/<path:code>/edit", methods=["GET", "POST"])
@require(Perm.CATALOGUE_EDIT)
def category_form(code: str | None = None):
    """Create or edit a test category."""
    category = service.load_category(code, current_user) if code else None
    form = CategoryForm(obj=category)
    done = submit_form(
        form,
        lambda: service.save_category(form.values(), current_user, category),
        success=lambda saved: _("Category %(code)s saved.", code=saved.code),
        to=lambda saved: url_for("scope.catalogue", category=saved.code),
    )
    history = history_for(category) if category else []
    return done or (
        render_template("scope/form.html", form=form, title=_("Test category"), history=history),
        form_status(form),
    )


@bp.route("/catalogue/items/new", methods=["GET", "POST"])
@bp.route("/items/<path:code>/edit", methods=["GET", "POST"])
@require(Perm.CATALOGUE_EDIT)
def item_form(code: str | None = None):
    """Create or edit a test item."""
    item = service.load_item(code, current_user) if code else None
    form = ItemForm(obj=item)
    form.category_code.choices = service.category_choices()
    if request.method == "GET" and item is not None:
        form.category_code.data = item.category.code
    done = submit_form(
        form,
        lambda: service.save_item(form.values(), current_user, item),
        success=lambda saved: _("Item %(code)s saved.", code=saved.code),
        to=lambda saved: url_for("scope.item", code=saved.code),
    )
    history = history_for(item) if item else []
    return done or (
        render_template("scope/form.html", form=form, title=_("Test item"), history=history),
        form_status(form),
    )


@bp.get("/items/<path:code>")
@require(Perm.CATALOGUE_VIEW)
def item(code: str):
    """A test item and the labs holding it (a lab manager sees only their own lab)."""
    test_item = service.load_item(code, current_user)
    holders = db.session.scalars(service.item_holders_query(test_item.id, current_user)).all()
    return render_template(
        "scope/item.html", item=test_item, holders=holders, on=_on(), history=history_for(test_item)
    )


# --- One lab's scope ---


def _lab_page(lab: Lab, grant_form: GrantForm | None = None):
    on = _on()
    locale = str(get_locale())  # the names shown depend on the reader's language
    view = cache.cached(
        "scope.lab_view", lab.id, on, locale, compute=lambda: ScopeSchema().dump(service.scope_view(lab, on))
    )
    return render_template(
        "scope/lab.html",
        lab=lab,
        on=on,
        rows=view["items"],
        counts=view,
        per_category=cache.cached(
            "scope.category_counts", lab.id, on, compute=lambda: service.category_counts(lab.id, on)
        ),
        grant_form=grant_form or GrantForm(formdata=None, granted_on=today()),
        basis_labels={k.value: str(v) for k, v in BASIS_LABELS.items()},
        suspended=service.suspended_rows(lab.id, on),
    )


@bp.get("/labs/<code>")
@require(Perm.SCOPE_VIEW)
def lab_scope(code: str):
    """A lab's scope on a date (default today), grouped by category with counts."""
    return _lab_page(labs_service.load_lab(code, current_user))


@bp.get("/labs/<code>/timeline")
@require(Perm.SCOPE_VIEW)
def lab_timeline(code: str):
    """Every grant and withdrawal of a lab, newest first."""
    lab = labs_service.load_lab(code, current_user)
    return render_template("scope/timeline.html", lab=lab, events=service.timeline_events(lab.id, limit=2000))


def _entry_page(lab: Lab, period, withdraw_form: WithdrawForm | None = None):
    history = history_for(period)
    if period.source is not None and policy.sees_imports(current_user):
        # The import that granted it is the first line of its story (newest first, as history reads).
        history = sorted([*history, *history_for(period.source)], key=lambda h: (h.at, h.id), reverse=True)
    return render_template(
        "scope/entry.html",
        lab=lab,
        entry=period,
        history=history,
        withdraw_form=withdraw_form or WithdrawForm(formdata=None, withdrawn_on=today()),
    )


@bp.get("/labs/<code>/entries/<int:entry_id>")
@require(Perm.SCOPE_VIEW)
def entry(code: str, entry_id: int):
    """One period of a lab's scope, with its history."""
    lab = labs_service.load_lab(code, current_user)
    return _entry_page(lab, service.load_entry(lab, entry_id, current_user))


@bp.post("/labs/<code>/grant")
@require(Perm.SCOPE_EDIT)
def grant(code: str):
    """Extend a lab's scope with an item (the form re-renders with its messages if refused)."""
    lab = labs_service.load_lab(code, current_user)
    form = GrantForm()
    done = submit_form(
        form,
        lambda: service.grant(lab, form.values(), current_user),
        success=lambda e: _("%(item)s granted to %(lab)s.", item=e.item.code, lab=lab.code),
        to=url_for("scope.lab_scope", code=lab.code),
    )
    return done or (render_template("scope/grant.html", lab=lab, form=form), 422)


@bp.post("/labs/<code>/entries/<int:entry_id>/withdraw")
@require(Perm.SCOPE_EDIT)
def withdraw(code: str, entry_id: int):
    """Withdraw an item from a lab's scope: reduction, suspension or revocation, with a reason."""
    lab = labs_service.load_lab(code, current_user)
    period = service.load_entry(lab, entry_id, current_user)
    form = WithdrawForm()
    done = submit_form(
        form,
        lambda: service.withdraw_entry(
            period, form.withdrawn_on.data, form.withdrawal_reason.data, current_user, note=form.note.data
        ),
        success=_("%(item)s withdrawn from %(lab)s.", item=period.item.code, lab=lab.code),
        to=url_for("scope.lab_scope", code=lab.code),
    )
    return done or (_entry_page(lab, period, form), 422)


# --- Import and export ---


@bp.get("/export.<fmt>")
@require(Perm.SCOPE_VIEW)
def export(fmt: str):
    """One lab's scope (?lab=CODE) or every period the user may see, in the import format."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("No such %(what)s.", what=_("export format")))
    code = request.args.get("lab")
    if code:
        lab = labs_service.load_lab(code, current_user)
        return export_response(fmt, f"scope-{lab.code}", HEADER, export_rows(lab.id))
    confined = policy.growth_lab(current_user)
    if confined is not None:  # a lab manager's "everyone" is their own lab
        return export_response(fmt, "scope", HEADER, export_rows(confined))
    if scope_tasks.periods_count() > exports.inline_limit():  # national scale: a job, not a wait
        job = exports.start(current_user, "scope", fmt, {})
        return redirect(url_for("jobs.detail", job_id=job.id), code=303)
    return export_response(fmt, "scope-all", HEADER, export_rows())


@bp.route("/import", methods=["GET", "POST"])
@require(Perm.SCOPE_EDIT)
def import_upload():
    """Upload a scope file: a background job previews it (nothing written), the page follows the
    job's progress (`?job=N`), shows the preview or the row errors, and offers to apply it."""
    form = ImportForm()
    started = submit_form(
        form,
        lambda: jobs_service.start(current_user, "scope_import", {"dry_run": True}, uploads("file")[0]),
        success=None,
        to=lambda job: url_for("scope.import_upload", job=job.id),
    )
    if started is not None:
        return started
    job = jobs_service.named_job(current_user, request.args.get("job"), "scope_import")
    context = {"form": form, "report": None, "header": ",".join(HEADER), "job": job}
    if job is not None:
        data = JobSchema().dump(job)
        context["data"] = data
        result = data.get("result") or {}
        dry_run = bool((job.params or {}).get("dry_run"))
        if data["status"] == "failed":
            context["errors"] = (result.get("errors") or {}).get("rows") or []
        elif data["status"] == "done" and dry_run:
            context["report"] = result
            context["confirm"] = ConfirmImportForm(formdata=None, token=job.params.get("file_key"))
        elif data["status"] == "done":
            context["applied"] = result
    return render_template("scope/import.html", **context), form_status(form)


@bp.post("/import/confirm")
@require(Perm.SCOPE_EDIT)
def import_confirm():
    """Apply a previewed upload (all or nothing) as a job; the page follows it."""
    form = ConfirmImportForm()
    key = form.token.data if form.validate_on_submit() else None
    previewed = key and jobs_service.previewed(current_user, "scope_import", key)
    if not previewed:
        flash(_("This preview has expired; upload the file again."), "warning")
        return redirect(url_for("scope.import_upload"), code=303)
    job = jobs.submit(
        "scope_import", current_user, file_key=key, filename=previewed.params.get("filename") or "scope"
    )
    return redirect(url_for("scope.import_upload", job=job.id), code=303)


@bp.get("/imports")
@require(Perm.SCOPE_EDIT)
def imports():
    """Every applied import, newest first: when, who, the file, what it did."""
    page = db.paginate(
        scope_imports.imports_query(current_user), page=page_arg(), per_page=50, error_out=False
    )
    return render_template("scope/imports.html", page=page)


@bp.get("/imports/<int:import_id>")
@require(Perm.SCOPE_EDIT)
def import_record(import_id: int):
    """One applied import: its file (SHA-256, download), rows, counts, who and when, its history."""
    record = scope_imports.load_import(import_id, current_user)
    return render_template(
        "scope/import_record.html",
        record=record,
        history=history_for(record),
        stored=files.store().exists(record.sha256),
    )


@bp.get("/imports/<int:import_id>/file")
@require(Perm.SCOPE_EDIT)
def import_file(import_id: int):
    """The file an import applied, byte for byte as it was uploaded."""
    record = scope_imports.load_import(import_id, current_user)
    content = scope_imports.stored_file(record)
    if content is None:
        flash(_("The file of this import is no longer stored."), "warning")
        return redirect(url_for("scope.import_record", import_id=record.id), code=303)
    xlsx = content.startswith(b"PK")
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX_MIMETYPE if xlsx else CSV_MIMETYPE,
        as_attachment=True,
        download_name=scope_imports.download_name(record),
    )


# --- Capability growth ---


def _chart_labels() -> dict[str, str]:
    return {
        "items": _("Test items"),
        "categories": _("Test categories"),
        "parameters": _("Parameters"),
        "count": _("Number held"),
    }


@bp.get("/growth")
@require(Perm.GROWTH_VIEW)
def growth():
    """Capability growth between two dates: headline, table, changes with names, chart."""
    asked = service.growth_request(current_user, request.args, strict=False)
    for note in asked.notes:
        flash(note, "danger")
    # Pure functions of the data and the question: reused until the data changes (labtrack.cache).
    key = (asked.date_from, asked.date_to, asked.lab.id if asked.lab else None, asked.region)
    result = cache.cached(
        "scope.growth",
        *key,
        compute=lambda: compute_growth(asked.date_from, asked.date_to, lab=asked.lab, region=asked.region),
    )
    series = cache.cached(
        "scope.growth_series",
        *key,
        asked.step,
        compute=lambda: growth_series(
            asked.date_from, asked.date_to, lab=asked.lab, region=asked.region, step=asked.step
        ),
    )
    chart = growth_chart(series, _chart_labels(), title=result.who)
    return render_template(
        "scope/growth.html",
        g=result,
        series=series,
        chart=chart,
        lab=asked.lab,
        region=asked.region,
        regions=labs_service.regions(current_user),
        step=series["step"],
    )


@bp.get("/growth/export.<fmt>")
@require(Perm.GROWTH_VIEW)
def growth_export(fmt: str):
    """The growth report as CSV or XLSX: the figures, then each category and item added or removed."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("No such %(what)s.", what=_("export format")))
    asked = service.growth_request(current_user, request.args, strict=True)
    lab_id = asked.lab.id if asked.lab is not None else None
    if report_exports.covers_many_labs(current_user, asked.region, lab_id):  # national: the worker's
        job = exports.start(current_user, "growth", fmt, report_exports.query_args(request.args))
        return redirect(url_for("jobs.detail", job_id=job.id), code=303)
    result = compute_growth(asked.date_from, asked.date_to, lab=asked.lab, region=asked.region)
    name = f"growth-{result.lab_code or result.region or 'all'}-{asked.date_from}-{asked.date_to}"
    return export_response(fmt, name, [result.headline(), "", "", "", ""], service.growth_rows(result))
