"""Background jobs: work that runs outside the web request, with progress, in one worker process.

An area registers a kind of job and submits it:

    from labtrack import jobs

    @jobs.job_kind("scope_import", label=_l("Scope import"), perm=Perm.SCOPE_EDIT)
    def run(job, report_progress, file_key, dry_run=False):
        ...                        # work in db.session; never commit (the runner does, once)
        report_progress(done, total)
        return {"rows": n}         # the job's result (JSON)

    job = jobs.submit("scope_import", current_user, file_key=key)   # -> Job, status queued
"""

from labtrack.jobs.registry import JobKind, job_kind, kinds, register
from labtrack.jobs.runner import submit

__all__ = ["JobKind", "job_kind", "kinds", "register", "submit"]
