"""Pages of the scope area: catalogue, each lab's scope and timeline, import/export, growth."""

import secrets
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from labtrack.auth.permissions import Perm, lab_scope_id, require
from labtrack.extensions import db
from labtrack.forms import apply_errors
from labtrack.history.service import history_for
from labtrack.labs import service as labs_service
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.scope import service
from labtrack.scope.charts import growth_svg
from labtrack.scope.forms import (
    CategoryForm,
    ConfirmImportForm,
    GrantForm,
    ImportForm,
    ItemForm,
    WithdrawForm,
)
from labtrack.scope.growth import check_dates, growth_series
from labtrack.scope.growth import growth as compute_growth
from labtrack.scope.importer import HEADER, export_rows, import_scope
from labtrack.scope.models import BASIS_LABELS, WITHDRAWAL_LABELS, ScopeEntry, TestCategory, TestItem
from labtrack.services import DomainError, InvalidInput
from labtrack.tabular import export_response

bp = Blueprint("scope", __name__, url_prefix="/scope")


def _date_arg(name: str, default: date | None = None) -> date | None:
    """A date from the query string; a bad one is flashed and replaced by the default."""
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        flash(_("Not a date (YYYY-MM-DD): %(value)s", value=value), "danger")
        return default


@bp.app_template_global()
def scope_summary(lab: Lab) -> dict:
    """The lab page's scope panel: what the lab holds today."""
    return service.scope_counts(lab.id, today())


@bp.app_template_global()
def scope_why_label(value: str | None) -> str:
    """A basis or withdrawal reason in the user's language."""
    labels = {**BASIS_LABELS, **WITHDRAWAL_LABELS}
    return str(labels.get(value, value or ""))


@bp.get("/")
@require(Perm.SCOPE_VIEW)
def index():
    """Start page: labs with their current scope, the catalogue's categories, growth and import."""
    on = today()
    per_lab = (
        select(
            Lab.code,
            Lab.name,
            Lab.region,
            func.count(func.distinct(TestItem.category_id)),
            func.count(func.distinct(ScopeEntry.item_id)),
        )
        .select_from(Lab)
        .join(ScopeEntry, ScopeEntry.lab_id == Lab.id)
        .join(TestItem, TestItem.id == ScopeEntry.item_id)
        .where(service.held_on(on))
        .group_by(Lab.id, Lab.code, Lab.name, Lab.region)
        .order_by(Lab.code)
    )
    scope = lab_scope_id()
    if scope is not None:
        per_lab = per_lab.where(Lab.id == scope)
    return render_template(
        "scope/index.html",
        labs=db.session.execute(per_lab).all(),
        categories=service.categories_with_counts(),
        regions=labs_service.regions(),
        on=on,
    )


# --- Catalogue ---


@bp.get("/catalogue")
@require(Perm.CATALOGUE_VIEW)
def catalogue():
    """Test items, searched and filtered by category."""
    q, category = request.args.get("q") or None, request.args.get("category") or None
    page = db.paginate(service.catalogue_query(q, category), per_page=50, error_out=False)
    return render_template(
        "scope/catalogue.html",
        page=page,
        q=q,
        category=category,
        categories=db.session.scalars(select(TestCategory).order_by(TestCategory.code)).all(),
    )


@bp.route("/catalogue/categories/new", methods=["GET", "POST"])
@bp.route("/catalogue/categories/<code>/edit", methods=["GET", "POST"])
@require(Perm.CATALOGUE_EDIT)
def category_form(code: str | None = None):
    """Create or edit a test category."""
    category = service.get_category_or_404(code) if code else None
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            category = service.save_category(form.data, current_user, category)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Category %(code)s saved.", code=category.code), "success")
            return redirect(url_for("scope.catalogue", category=category.code))
    return render_template(
        "scope/form.html",
        form=form,
        title=_("Test category"),
        history=history_for(category) if category else [],
    )


def _category_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(TestCategory.code, TestCategory.name).order_by(TestCategory.code))
    return [(c, f"{c} {n}") for c, n in rows]


@bp.route("/catalogue/items/new", methods=["GET", "POST"])
@bp.route("/items/<code>/edit", methods=["GET", "POST"])
@require(Perm.CATALOGUE_EDIT)
def item_form(code: str | None = None):
    """Create or edit a test item."""
    item = service.get_item_or_404(code) if code else None
    form = ItemForm(obj=item)
    form.category_code.choices = _category_choices()
    if request.method == "GET" and item is not None:
        form.category_code.data = item.category.code
    if form.validate_on_submit():
        try:
            item = service.save_item(form.data, current_user, item)
        except InvalidInput as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Item %(code)s saved.", code=item.code), "success")
            return redirect(url_for("scope.item", code=item.code))
    return render_template(
        "scope/form.html", form=form, title=_("Test item"), history=history_for(item) if item else []
    )


@bp.get("/items/<code>")
@require(Perm.CATALOGUE_VIEW)
def item(code: str):
    """A test item and the labs holding it (a lab manager sees only their own lab)."""
    test_item = service.get_item_or_404(code)
    on = _date_arg("on", today())
    holders = db.session.scalars(service.item_holders_query(test_item.id)).all()
    return render_template(
        "scope/item.html", item=test_item, holders=holders, on=on, history=history_for(test_item)
    )


# --- One lab's scope ---


@bp.get("/labs/<code>")
@require(Perm.SCOPE_VIEW)
def lab_scope(code: str):
    """A lab's scope on a date (default today), grouped by category with counts."""
    lab = labs_service.get_lab_or_404(code)
    on = _date_arg("on", today())
    rows = service.scope_rows(lab.id, on)
    return render_template(
        "scope/lab.html",
        lab=lab,
        on=on,
        rows=rows,
        counts=service.scope_counts(lab.id, on),
        per_category=service.category_counts(lab.id, on),
        grant_form=GrantForm(formdata=None, granted_on=today()),
        withdraw_form=WithdrawForm(formdata=None, withdrawn_on=today()),
        basis_labels={k.value: str(v) for k, v in BASIS_LABELS.items()},
    )


@bp.get("/labs/<code>/timeline")
@require(Perm.SCOPE_VIEW)
def lab_timeline(code: str):
    """Every grant and withdrawal of a lab, newest first."""
    lab = labs_service.get_lab_or_404(code)
    return render_template("scope/timeline.html", lab=lab, events=service.timeline_events(lab.id, limit=2000))


@bp.get("/labs/<code>/entries/<int:entry_id>")
@require(Perm.SCOPE_VIEW)
def entry(code: str, entry_id: int):
    """One period of a lab's scope, with its history."""
    lab = labs_service.get_lab_or_404(code)
    try:
        period = service.get_entry(lab, entry_id)
    except DomainError:
        abort(404)
    return render_template(
        "scope/entry.html",
        lab=lab,
        entry=period,
        history=history_for(period),
        withdraw_form=WithdrawForm(formdata=None, withdrawn_on=today()),
    )


@bp.post("/labs/<code>/grant")
@require(Perm.SCOPE_EDIT)
def grant(code: str):
    """Extend a lab's scope with an item."""
    lab = labs_service.get_lab_or_404(code)
    form = GrantForm()
    if form.validate_on_submit():
        test_item = db.session.scalar(select(TestItem).where(TestItem.code == form.item_code.data.strip()))
        if test_item is None:
            form.item_code.errors = [_("No item with this code in the catalogue.")]
        else:
            try:
                service.grant_item(
                    lab,
                    test_item,
                    form.granted_on.data,
                    current_user,
                    basis=form.basis.data,
                    note=form.note.data,
                )
            except DomainError as exc:
                db.session.rollback()
                apply_errors(form, exc)
            else:
                flash(_("%(item)s granted to %(lab)s.", item=test_item.code, lab=lab.code), "success")
                return redirect(url_for("scope.lab_scope", code=lab.code))
    return render_template("scope/grant.html", lab=lab, form=form), 422


@bp.post("/labs/<code>/entries/<int:entry_id>/withdraw")
@require(Perm.SCOPE_EDIT)
def withdraw(code: str, entry_id: int):
    """Withdraw an item from a lab's scope: reduction, suspension or revocation, with a reason."""
    lab = labs_service.get_lab_or_404(code)
    try:
        period = service.get_entry(lab, entry_id)
    except DomainError:
        abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw_entry(
                period, form.withdrawn_on.data, form.withdrawal_reason.data, current_user, note=form.note.data
            )
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("%(item)s withdrawn from %(lab)s.", item=period.item.code, lab=lab.code), "success")
            return redirect(url_for("scope.lab_scope", code=lab.code))
    return render_template(
        "scope/entry.html", lab=lab, entry=period, history=history_for(period), withdraw_form=form
    ), 422


# --- Import and export ---


@bp.get("/export.<fmt>")
@require(Perm.SCOPE_VIEW)
def export(fmt: str):
    """One lab's scope (?lab=CODE) or everyone's, in the import format."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    code = request.args.get("lab")
    scope = lab_scope_id()
    if code:
        lab = labs_service.get_lab_or_404(code)
        return export_response(fmt, f"scope-{lab.code}", HEADER, export_rows(lab.id))
    if scope is not None:  # a lab manager's "everyone" is their own lab
        return export_response(fmt, "scope", HEADER, export_rows(scope))
    return export_response(fmt, "scope-all", HEADER, export_rows())


def _upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "scope-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _upload_path(token: str) -> Path:
    """The server-side file of a previewed upload; the token is ours, never a client path."""
    return _upload_dir() / f"{token}.upload"


@bp.route("/import", methods=["GET", "POST"])
@require(Perm.SCOPE_EDIT)
def import_upload():
    """Upload a scope file and preview what it would change (nothing is written yet)."""
    form = ImportForm()
    if form.validate_on_submit():
        token = secrets.token_urlsafe(24)
        path = _upload_path(token)
        limit = current_app.config["MAX_IMPORT_BYTES"]
        data = form.file.data.stream.read(limit + 1)
        path.write_bytes(data)
        report = import_scope(path, actor=current_user, dry_run=True)
        if not report.ok:
            path.unlink(missing_ok=True)
            return render_template("scope/import.html", form=form, report=report), 422
        return render_template(
            "scope/import.html",
            form=form,
            report=report,
            confirm=ConfirmImportForm(formdata=None, token=token),
        )
    return render_template("scope/import.html", form=form, report=None, header=",".join(HEADER))


@bp.post("/import/confirm")
@require(Perm.SCOPE_EDIT)
def import_confirm():
    """Apply a previewed upload (all or nothing), then forget the file."""
    form = ConfirmImportForm()
    if not form.validate_on_submit() or not _upload_path(form.token.data).is_file():
        flash(_("This preview has expired; upload the file again."), "warning")
        return redirect(url_for("scope.import_upload"))
    path = _upload_path(form.token.data)
    try:
        report = import_scope(path, actor=current_user, comment=_("scope import (web)"))
    finally:
        path.unlink(missing_ok=True)
    if not report.ok:  # the database changed since the preview
        return render_template("scope/import.html", form=ImportForm(formdata=None), report=report), 422
    flash(_("Imported. %(summary)s", summary=report.summary()), "success")
    return redirect(url_for("scope.index"))


# --- Capability growth ---


def _growth_request():
    """Dates, lab and region from the query string (a lab manager: their own lab)."""
    date_from = _date_arg("from", date(today().year - 1, 12, 31))
    date_to = _date_arg("to", today())
    lab, region = None, request.args.get("region") or None
    code = request.args.get("lab") or None
    scope = lab_scope_id()
    if scope is not None:
        lab, region = db.session.get(Lab, scope), None
        if lab is None:
            abort(404)
    elif code:
        lab, region = labs_service.get_lab_or_404(code), None
    return date_from, date_to, lab, region


@bp.get("/growth")
@require(Perm.GROWTH_VIEW)
def growth():
    """Capability growth between two dates: headline, table, changes with names, chart."""
    date_from, date_to, lab, region = _growth_request()
    step = request.args.get("step") if request.args.get("step") in ("month", "quarter") else None
    try:
        check_dates(date_from, date_to)
    except InvalidInput as exc:
        for messages in exc.errors.values():
            flash(" ".join(messages), "danger")
        date_to = today()
        date_from = date(date_to.year - 1, 12, 31)
    result = compute_growth(date_from, date_to, lab=lab, region=region)
    series = growth_series(date_from, date_to, lab=lab, region=region, step=step)
    chart = Markup(
        growth_svg(
            series,
            {
                "items": _("Test items"),
                "categories": _("Test categories"),
                "parameters": _("Parameters"),
                "count": _("Number held"),
            },
        )
    )
    return render_template(
        "scope/growth.html",
        g=result,
        series=series,
        chart=chart,
        lab=lab,
        region=region,
        regions=labs_service.regions(),
        step=series["step"],
    )


@bp.get("/growth/export.<fmt>")
@require(Perm.GROWTH_VIEW)
def growth_export(fmt: str):
    """The growth report as CSV or XLSX: the figures, then each category and item added or removed."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    date_from, date_to, lab, region = _growth_request()
    try:
        result = compute_growth(date_from, date_to, lab=lab, region=region)
    except InvalidInput as exc:
        abort(400, exc.message)
    rows: list[list] = [["", date_from.isoformat(), date_to.isoformat(), "change", "percent"]]
    rows += [list(r) for r in result.table_rows()]
    rows.append([])
    rows.append(["change", "kind", "code", "name", "name_en"])
    for change in ("added", "removed"):
        for kind in ("categories", "items"):
            for d in getattr(result, f"{kind}_{change}_detail"):
                rows.append(
                    [change, kind[:-1] if kind == "items" else "category", d["code"], d["name"], d["name_en"]]
                )
    name = f"growth-{result.lab_code or result.region or 'all'}-{date_from}-{date_to}"
    return export_response(fmt, name, [result.headline(), "", "", "", ""], rows)


@bp.app_template_global()
def scope_dashboard() -> dict:
    """For templates/scope/_dashboard.html: a lab manager's lab's scope today; for everyone else what
    the whole system holds today and its growth over the current year so far (one growth call, the
    same period as the growth page's default)."""
    on = today()
    scope = lab_scope_id()
    if scope is not None:
        lab = db.session.get(Lab, scope)
        return {
            "lab": lab,
            **(service.scope_counts(lab.id, on) if lab else {"categories": 0, "items": 0, "parameters": 0}),
        }
    card: dict = {"lab": None, "labs": service.labs_holding(on)}
    result = compute_growth(date(on.year - 1, 12, 31), on)
    card.update(
        categories=result.categories_to, items=result.items_to, parameters=result.parameters_to, growth=result
    )
    return card
