"""Daily security housekeeping: import previews that were never confirmed are deleted.

An upload previewed by a dry run (the scope import, the lab import) is kept in the file store so
that "apply" can use it; when nobody applied it within SCOPE_PREVIEW_HOURS, the daily schedule
deletes the file (unless another job still needs the same content) and the preview expires.
"""

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.jobs import files, schedule
from labtrack.jobs.models import Job, JobStatus
from labtrack.models_base import utcnow

log = logging.getLogger(__name__)


def _delete(store: Any, key: str) -> None:
    """Remove a file from whichever store holds it."""
    if hasattr(store, "delete"):
        store.delete(key)
    elif isinstance(store, files.LocalStore):
        Path(store.path(key)).unlink(missing_ok=True)
    elif isinstance(store, files.DatabaseStore):
        from labtrack.jobs.models import StoredFile

        row = db.session.get(StoredFile, key)
        if row is not None:
            db.session.delete(row)
    elif isinstance(store, files.S3Store):
        store.client.delete_object(Bucket=store.bucket, Key=store._name(key))


def expire_previews(now=None) -> int:
    """Delete the files of dry runs older than SCOPE_PREVIEW_HOURS that no other job needs; their
    previews can no longer be applied. Returns how many files were deleted."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config.get("SCOPE_PREVIEW_HOURS", 24))
    jobs = db.session.scalars(select(Job).where(Job.params.is_not(None)).order_by(Job.id)).all()
    needed: set[str] = set()
    stale: dict[str, list[Job]] = {}
    for job in jobs:
        params = job.params or {}
        key = params.get("file_key")
        if not key:
            continue
        finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
        if params.get("dry_run") and finished and (job.finished_at or job.created_at) < cutoff:
            stale.setdefault(key, []).append(job)
        else:
            needed.add(key)  # applied imports keep their file; so do running or recent previews
    store = files.store()
    deleted = 0
    for key, expired in stale.items():
        for job in expired:
            job.params = {**(job.params or {}), "file_key": "", "expired_file_key": key}
        if key in needed:
            continue
        try:
            _delete(store, key)
            deleted += 1
        except Exception:  # one unreachable file does not stop the rest
            log.exception("preview file %s not deleted", key)
    db.session.commit()
    return deleted


@schedule.daily("expire-import-previews")
def expire_import_previews(on: date) -> str:
    """The daily run: unconfirmed import previews deleted."""
    return f"{expire_previews()} import previews deleted"
