"""Background jobs as the app database keeps them (every app server sees the same state), and the
blobs of the database file store."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labtrack.extensions import db
from labtrack.models_base import utcnow


class JobStatus(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Queued"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Failed"),
}
FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


class Job(db.Model):
    """One piece of background work: who started it, how far it got, what came of it.

    Not Tracked: its progress changes often and it is itself the record of the work; the work's
    own records write their history as usual.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[JobStatus] = mapped_column(String(10), default=JobStatus.QUEUED, index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[Any | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(200))  # host:pid of the worker running it
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    started_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def finished(self) -> bool:
        """Done or failed: nothing more will happen to it."""
        return self.status in FINISHED

    @property
    def status_label(self) -> str:
        """The status in the user's language."""
        return str(JOB_STATUS_LABELS.get(self.status, self.status))

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"


class StoredFile(db.Model):
    """A file kept in the database (STORAGE=database), named by the SHA-256 of its content."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
