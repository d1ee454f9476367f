"""Large exports as background jobs: the CSV or XLSX of a national-scale table is written by the
worker into the shared file store, and its starter downloads it from the job's page.

An area registers an exporter by name; the view starts the job when the table is large:

    from labtrack.jobs import exports

    @exports.exporter("scope")
    def scope_rows(actor, args) -> exports.Table:   # asks the area's policy for `actor` again
        return exports.Table("scope-all", HEADER, rows_iterator, total=n)

    if n > exports.inline_limit():
        job = exports.start(current_user, "scope", fmt, {"lab": None})
        return redirect(url_for("jobs.detail", job_id=job.id), code=303)

The job's result is {"file_key", "filename", "rows", "summary"}.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from labtrack.jobs import files
from labtrack.jobs.registry import job_kind
from labtrack.services import InvalidInput

FORMATS = ("csv", "xlsx")
PROGRESS_ROWS = 5000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",  # the proficiency area's reports on paper
}


@dataclass
class Table:
    """What an exporter gives: the file's base name, the header, the rows and (if known) how many."""

    basename: str
    header: list[str]
    rows: Iterable[Iterable[Any]]
    total: int | None = None


Exporter = Callable[[Any, dict], Table]
_EXPORTERS: dict[str, Exporter] = {}


def exporter(name: str) -> Callable[[Exporter], Exporter]:
    """Register `fn(actor, args) -> Table` under a name."""

    def decorator(fn: Exporter) -> Exporter:
        _EXPORTERS[name] = fn
        return fn

    return decorator


def inline_limit() -> int:
    """Rows above which an export runs as a job instead of inside the request (EXPORT_INLINE_ROWS)."""
    return int(current_app.config.get("EXPORT_INLINE_ROWS", 20000))


def start(actor: Any, name: str, fmt: str, args: dict) -> Any:
    """Submit the export job (the page follows it on the job's page)."""
    from labtrack.jobs.runner import submit

    return submit("export", actor, export=name, fmt=fmt, args=args)


def _counted(rows: Iterable[Iterable[Any]], report: Callable[[int], None]) -> Iterator[Iterable[Any]]:
    for n, row in enumerate(rows, 1):
        if n % PROGRESS_ROWS == 0:
            report(n)
        yield row


@job_kind("export", label=_l("Export"))
def run_export(
    job: Any, report_progress: Any, export: str, fmt: str, args: dict | None = None, **_p: Any
) -> dict:
    """Write the table into the shared store; the result names the file for the download."""
    from labtrack.tabular import csv_bytes, xlsx_bytes

    make = _EXPORTERS.get(export)
    if make is None or fmt not in FORMATS:
        raise InvalidInput(_("No such export."), {"export": [_("No such export.")]})
    table = make(job.started_by, dict(args or {}))
    report_progress(0, table.total)
    count = {"rows": 0}

    def seen(n: int) -> None:
        count["rows"] = n
        report_progress(n, table.total)

    rows = _counted(table.rows, seen)
    content = (
        csv_bytes(table.header, rows) if fmt == "csv" else xlsx_bytes(table.header, rows, table.basename)
    )
    key = files.store().put(content)
    filename = f"{table.basename}.{fmt}"
    total = table.total if table.total is not None else count["rows"]
    report_progress(total, total)
    return {
        "file_key": key,
        "filename": filename,
        "format": fmt,
        "rows": total,
        "summary": _("%(file)s is ready to download (%(rows)s rows).", file=filename, rows=total),
    }
