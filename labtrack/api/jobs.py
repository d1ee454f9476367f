"""Background jobs in the JSON API: `GET /api/v1/jobs/<id>` (DESIGN's shape), the caller's jobs,
and starting a registered kind of job (202 with `Location`)."""

from flask import jsonify, request, send_file, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from labtrack.api.common import PageArgs, list_schema, paginate
from labtrack.auth.permissions import Perm, require
from labtrack.jobs import service
from labtrack.jobs.schemas import JobSchema

blp = Blueprint("jobs_api", __name__, url_prefix="/api/v1", description="Background jobs")

JobListSchema = list_schema(JobSchema, "JobList")


class StartArgs(Schema):
    """A kind of job to start (multipart form or query): `kind`, and `file` when it takes one."""

    kind = fields.String(required=True)
    dry_run = fields.Boolean(load_default=False)


@blp.route("/jobs")
@require(Perm.JOBS_VIEW)
@blp.arguments(PageArgs, location="query")
@blp.response(200, JobListSchema)
def list_jobs(args):
    """The caller's jobs, newest first (administrators: every job)."""
    envelope = paginate(service.jobs_query(current_user), args["page"], args["per_page"])
    envelope["items"] = JobSchema(many=True).dump(envelope["items"])
    return jsonify(envelope)


@blp.route("/jobs/<int:job_id>")
@require(Perm.JOBS_VIEW)
@blp.response(200, JobSchema)
def get_job(job_id):
    """One job: status, progress, result or error (404 for another user's job)."""
    return jsonify(JobSchema().dump(service.get_job(current_user, job_id)))


@blp.route("/jobs", methods=["POST"])
@require(Perm.JOBS_VIEW)
@blp.arguments(StartArgs, location="form")
@blp.response(202, JobSchema)
def start_job(args):
    """Start a registered kind of job (the file in `file`); 202 with `Location` to the job."""
    upload = request.files.get("file")
    content = (upload.filename, upload.read()) if upload and upload.filename else None
    params = {"dry_run": True} if args.get("dry_run") else {}
    job = service.start(current_user, args["kind"], params, content)
    response = jsonify(JobSchema().dump(job))
    response.status_code = 202
    response.headers["Location"] = url_for("jobs_api.get_job", job_id=job.id)
    return response


@blp.route("/jobs/<int:job_id>/file")
@require(Perm.JOBS_VIEW)
def job_file(job_id):
    """The file the job was started with (from the shared file store)."""
    import io

    name, content = service.input_file(current_user, job_id)
    return send_file(io.BytesIO(content), download_name=name, as_attachment=True)
