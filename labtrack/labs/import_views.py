"""The laboratory import page (administrators): upload a CSV or XLSX, read the preview (a dry run
in the background: what would be created and updated, or every row's error), then apply it, all or
nothing, as a job whose progress the same page follows (`?job=N`). `register(bp)` adds its two
routes to the labs blueprint (`labs.import_upload`, `labs.import_confirm`)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Regexp

from labtrack import jobs
from labtrack.auth.permissions import Perm, require
from labtrack.jobs import service as jobs_service
from labtrack.jobs.schemas import JobSchema
from labtrack.labs import policy
from labtrack.labs.importer import HEADER
from labtrack.services import Forbidden
from labtrack.web import form_status, submit_form, uploads

JOB_KIND = "lab_import"


class LabImportForm(FlaskForm):
    """Upload a laboratories file for a preview."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    submit = SubmitField(_l("Preview"))


class ConfirmLabImportForm(FlaskForm):
    """Apply a previewed laboratories file."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])
    submit = SubmitField(_l("Apply this import"))


def _may_import() -> None:
    if not policy.may_import(current_user):
        raise Forbidden(_("You may not import laboratories."))


@require(Perm.LABS_EDIT)
def import_upload():
    """Upload a laboratories file: a job previews it (nothing written) and this page follows it,
    then shows what would change or every row's error, and offers to apply it."""
    _may_import()
    form = LabImportForm()
    started = submit_form(
        form,
        lambda: jobs_service.start(current_user, JOB_KIND, {"dry_run": True}, uploads("file")[0]),
        success=None,
        to=lambda job: url_for("labs.import_upload", job=job.id),
    )
    if started is not None:
        return started
    job = jobs_service.named_job(current_user, request.args.get("job"), JOB_KIND)
    context = {"form": form, "job": job, "header": ",".join(HEADER), "report": None}
    if job is not None:
        data = JobSchema().dump(job)
        result = data.get("result") or {}
        context["data"] = data
        dry_run = bool((job.params or {}).get("dry_run"))
        if data["status"] == "failed":
            context["errors"] = (result.get("errors") or {}).get("rows") or []
            context["failure"] = data.get("error")
        elif data["status"] == "done" and dry_run:
            context["report"] = result
            context["confirm"] = ConfirmLabImportForm(formdata=None, token=job.params.get("file_key"))
        elif data["status"] == "done":
            context["applied"] = result
    return render_template("labs/import.html", **context), form_status(form)


@require(Perm.LABS_EDIT)
def import_confirm():
    """Apply a previewed file (all or nothing) as a job; the import page follows it."""
    _may_import()
    form = ConfirmLabImportForm()
    key = form.token.data if form.validate_on_submit() else None
    previewed = key and jobs_service.previewed(current_user, JOB_KIND, key)
    if not previewed:
        flash(_("This preview has expired; upload the file again."), "warning")
        return redirect(url_for("labs.import_upload"), code=303)
    job = jobs.submit(
        JOB_KIND, current_user, file_key=key, filename=previewed.params.get("filename") or "labs"
    )
    return redirect(url_for("labs.import_upload", job=job.id), code=303)


def register(bp) -> None:
    """Add the import page's routes to the labs blueprint."""
    bp.add_url_rule("/import", "import_upload", import_upload, methods=["GET", "POST"])
    bp.add_url_rule("/import/confirm", "import_confirm", import_confirm, methods=["POST"])
