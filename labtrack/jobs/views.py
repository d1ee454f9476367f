"""Pages of background jobs: one's own jobs, and one job with its progress bar and result."""

import io

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.jobs import policy, service
from labtrack.jobs.schemas import JobSchema
from labtrack.web import page_arg

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("/")
@require(Perm.JOBS_VIEW)
def index():
    """The jobs the user started (administrators: every job), newest first."""
    page = db.paginate(
        service.jobs_query(current_user),
        page=page_arg(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "jobs/index.html", page=page, title=service.kind_title, everyone=policy.sees_everyones(current_user)
    )


@bp.get("/<int:job_id>")
@require(Perm.JOBS_VIEW)
def detail(job_id: int):
    """One job: a progress bar that follows it (static/jobs.js polls the API) and its outcome."""
    job = service.get_job(current_user, job_id)
    return render_template(
        "jobs/detail.html", job=job, data=JobSchema().dump(job), title=service.kind_title(job)
    )


@bp.get("/<int:job_id>/download")
@require(Perm.JOBS_VIEW)
def download(job_id: int):
    """The file a finished export job wrote (from the shared store), for its starter."""
    from labtrack.jobs.exports import CONTENT_TYPES
    from labtrack.tabular import _log_export

    found = service.output_file(current_user, job_id)
    if found is None:  # still running, or a job that writes no file: its page says which
        flash(_("This job has no file to download."), "warning")
        return redirect(url_for("jobs.detail", job_id=job_id), code=303)
    name, content = found
    fmt = name.rsplit(".", 1)[-1]
    _log_export(name)
    return send_file(
        io.BytesIO(content),
        mimetype=CONTENT_TYPES.get(fmt, "application/octet-stream"),
        as_attachment=True,
        download_name=name,
    )
