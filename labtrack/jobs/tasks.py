"""Kinds of job the jobs area registers itself: the lab and scope imports, run in the background
through the importers' public functions (all or nothing; row errors fail the job and are listed)."""

import io
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from labtrack.auth.permissions import Perm
from labtrack.jobs import exports, files, report_exports  # noqa: F401  (the `export` kind, the report exporters)
from labtrack.jobs.registry import job_kind
from labtrack.services import InvalidInput

LISTED = 500  # codes a preview lists of each kind (the counts are whole)


def _row_errors(errors: list[Any]) -> InvalidInput:
    rows = [e.as_dict() if hasattr(e, "as_dict") else {"message": str(e)} for e in errors]
    return InvalidInput(
        _("The file has %(n)s errors; nothing was imported.", n=len(rows)), {"rows": rows[:1000]}
    )


@job_kind("lab_import", label=_l("Laboratory import"), perm=Perm.LABS_EDIT, takes_file=True)
def lab_import(job, report_progress, file_key: str, dry_run: bool = False, **_params: Any) -> dict:
    """`import-labs` as a job: the file from the store, the job's starter as the actor."""
    from labtrack.labs.importer import import_labs

    report_progress(0, 1)
    report = import_labs(io.BytesIO(files.store().get(file_key)), actor=job.started_by, dry_run=dry_run)
    if not report.ok:
        raise _row_errors(report.errors)
    report_progress(1, 1)
    return {
        "summary": report.summary(),
        "dry_run": bool(dry_run),
        "created": len(report.created),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        # the codes themselves (for the preview page), bounded: a national file has 10,000
        "created_codes": report.created[:LISTED],
        "updated_codes": report.updated[:LISTED],
    }


@job_kind("scope_import", label=_l("Scope import"), perm=Perm.SCOPE_EDIT, takes_file=True)
def scope_import(
    job, report_progress, file_key: str, dry_run: bool = False, filename: str | None = None, **_params: Any
) -> dict:
    """`import-scope` as a job: all or nothing, with every row error when it refuses the file."""
    from labtrack.scope.importer import import_scope

    content = files.store().get(file_key)
    # Rows to read: the lines of a CSV (an XLSX says nothing until read: its count stays open).
    total = max(content.count(b"\n") - 1, 1) if not content.startswith(b"PK") else None
    report_progress(0, total)
    report = import_scope(
        content,
        actor=job.started_by,
        dry_run=dry_run,
        comment=_("Scope import (job)"),
        filename=filename,
        progress=lambda rows: report_progress(rows if total is None else min(rows, total), total),
    )
    if not report.ok:
        raise _row_errors(report.errors)
    report_progress(report.rows, report.rows)
    result = report.as_dict()
    result["summary"] = report.summary()
    result["sha256"] = file_key
    return result
