"""The proficiency area's background work: reports on paper built as jobs (off the request), stored
in the shared file store and downloaded from the job's page; results files imported as jobs (all or
nothing, every row error listed)."""

import io
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from labtrack.auth.permissions import Perm
from labtrack.extensions import db
from labtrack.jobs import files
from labtrack.jobs.registry import job_kind
from labtrack.labs.models import Lab
from labtrack.services import InvalidInput

JOB_KIND = "round_paper"
UPLOAD_KIND = "round_results_upload"


def paper_title(kind: str) -> str:
    """What the paper is, in the reader's language."""
    return {
        "report": _("Final report"),
        "participant": _("Participant report"),
        "certificate": _("Certificate of participation"),
    }.get(kind, kind)


@job_kind(JOB_KIND, label=_l("Round report (PDF)"))
def build_paper(
    job: Any,
    report_progress: Any,
    code: str,
    paper: str,
    lab_code: str | None = None,
    locale: str = "en",
    **_p: Any,
) -> dict:
    """Build one paper of a round as its starter may see it, in the language it was asked in."""
    from labtrack.proficiency import paper as papers
    from labtrack.proficiency import service

    actor = job.started_by
    report_progress(0, 2)
    with force_locale(locale):
        rnd = service.get_round(code, actor, with_results=True)
        lab = db.session.scalar(select(Lab).where(Lab.code == lab_code)) if lab_code else None
        content = papers.pdf(paper, rnd, actor, lab)
        report_progress(1, 2)
        key = files.store().put(content)
        name = papers.filename(paper, rnd, lab, locale)
        report_progress(2, 2)
        return {
            "file_key": key,
            "filename": name,
            "format": "pdf",
            "round": rnd.code,
            "round_version": getattr(rnd, "version", None),
            "summary": _(
                "%(what)s of %(code)s is ready to download.", what=paper_title(paper), code=rnd.code
            ),
        }


@job_kind(UPLOAD_KIND, label=_l("Results upload"), perm=Perm.RESULTS_ENTER, takes_file=True)
def upload_results(
    job: Any, report_progress: Any, file_key: str, code: str, locale: str = "en", **_p: Any
) -> dict:
    """A round's results file imported as its starter: every row or none; the rows' errors fail the
    job and are listed on the page that started it."""
    from labtrack.proficiency import results, service

    actor = job.started_by
    content = files.store().get(file_key)
    # Rows to read: the lines of a CSV (an XLSX says nothing until read: its count stays open).
    lines = sum(1 for line in content.splitlines() if line.strip())
    total = None if content.startswith(b"PK") else max(lines - 1, 1)
    report_progress(0, total)
    with force_locale(locale):
        rnd = service.get_round(code, actor, with_results=True)
        try:
            stored = results.import_results(rnd, io.BytesIO(content), actor)
        except results.ResultsRefused as exc:
            rows = [
                {"row": row, "column": "" if field in ("file", "row") else field, "message": message}
                for row, field, message in exc.row_errors
            ]
            raise InvalidInput(
                _("The file has %(n)s errors; nothing was imported.", n=len(rows)), {"rows": rows[:1000]}
            ) from None
        report_progress(len(stored), len(stored))
        return {
            "round": rnd.code,
            "stored": len(stored),
            "summary": _("%(n)s results imported into %(code)s.", n=len(stored), code=rnd.code),
        }
