"""Reading jobs for the pages and the API, and starting one with an uploaded file."""

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select

from labtrack import parsing, tabular
from labtrack.extensions import db
from labtrack.jobs import files, policy, registry, runner
from labtrack.jobs.models import Job, JobStatus
from labtrack.services import Forbidden, InvalidInput, NotFound, load


def get_job(actor: Any, job_id: int) -> Job:
    """A job the actor may see (404 otherwise)."""
    return load(Job, job_id, visible=lambda j: policy.sees(actor, j), what=_("job"))


def named_job(actor: Any, job_id: str | None, kind: str) -> Job | None:
    """The job of this kind a page names in its query (`?job=N`): None when absent or not a number,
    404 when it is not one the actor may see or not of this kind."""
    number = parsing.digits(job_id or "", 1)
    if number is None:
        return None
    job = get_job(actor, number)
    if job.kind != kind:
        raise NotFound(_("No such %(what)s.", what=_("job")))
    return job


def jobs_query(actor: Any) -> Select:
    """The jobs the actor may see, newest first."""
    return policy.narrow(select(Job), Job.started_by_id, actor).order_by(Job.created_at.desc(), Job.id.desc())


def progress(job: Job) -> dict[str, int | None]:
    """{"done", "total"} of a job, live while it runs."""
    done, total = runner.progress_of(current_app._get_current_object(), job)
    return {"done": done, "total": total}


def kind_title(job: Job) -> str:
    """The job's kind for people."""
    if job.kind.startswith("daily:"):
        return _("Daily: %(name)s", name=job.kind.split(":", 1)[1])
    kind = registry.get(job.kind)
    return kind.title if kind is not None else job.kind


def start(actor: Any, kind_name: str, params: dict[str, Any], upload: tuple[str, bytes] | None) -> Job:
    """Start a registered kind of job for the actor, storing its uploaded file first."""
    kind = registry.get(kind_name or "")
    if kind is None or kind.perm is None:
        raise InvalidInput(_("No such kind of job."), {"kind": [_("No such kind of job.")]})
    if not policy.may_start(actor, kind):
        raise Forbidden(_("You may not start this kind of job."))
    params = dict(params)
    if kind.takes_file:
        if not upload or not upload[1]:
            raise InvalidInput(_("Choose a file."), {"file": [_("Choose a file.")]})
        name, content = upload
        if len(content) > current_app.config["MAX_IMPORT_BYTES"]:
            raise InvalidInput(_("The file is too large."), {"file": [_("The file is too large.")]})
        try:  # a decompression bomb is refused now, not by the job (issue 9)
            tabular.check_file(content)
        except tabular.TabularError as exc:
            message = exc.errors[0].message
            raise InvalidInput(message, {"file": [message]}) from exc
        params.update(file_key=files.store().put(content), filename=(name or "upload")[-200:])
    return runner.submit(kind.name, actor, **params)


def input_file(actor: Any, job_id: int) -> tuple[str, bytes]:
    """The file a job was started with: (filename, content), for whoever may see the job."""
    job = get_job(actor, job_id)
    key = (job.params or {}).get("file_key")
    try:
        return (job.params or {}).get("filename") or f"{key}.bin", files.store().get(key)
    except KeyError:
        raise NotFound(_("No such %(what)s.", what=_("file"))) from None


def previewed(actor: Any, kind_name: str, file_key: str) -> Job | None:
    """The actor's finished dry run of a kind of job on a stored file (what "apply" applies), or None."""
    if not files.valid_key(file_key or ""):
        return None
    stmt = (
        select(Job)
        .where(Job.kind == kind_name, Job.status == JobStatus.DONE, Job.started_by_id == actor.id)
        .order_by(Job.id.desc())
        .limit(50)
    )
    for job in db.session.scalars(stmt):
        params = job.params or {}
        if params.get("dry_run") and params.get("file_key") == file_key:
            return job
    return None


def output_file(actor: Any, job_id: int) -> tuple[str, bytes] | None:
    """The file a finished job wrote (an export): (filename, content), for whoever may see the job;
    None while it runs or when the job writes none."""
    job = get_job(actor, job_id)
    result = job.result if isinstance(job.result, dict) else {}
    key = result.get("file_key")
    if job.status != JobStatus.DONE or not key:
        return None
    try:
        return result.get("filename") or f"{key}.bin", files.store().get(key)
    except KeyError:
        raise NotFound(_("No such %(what)s.", what=_("file"))) from None
