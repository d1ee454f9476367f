"""The text of every kind of notification, written in the reader's language when it is shown or
sent: a notification stores its kind (a message key) and params, never English text.

`kind` may carry a tier after a colon (`finding_due:10`, `certificate_expiring:90`); the part
before the colon chooses the message. Params are plain JSON (codes, labels, ISO dates, numbers,
and free text people wrote such as a rejection's reason, which is shown as written).
"""

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext as _n
from werkzeug.routing import BuildError


def base_kind(kind: str) -> str:
    """The message key of a kind, without its tier."""
    return kind.split(":", 1)[0]


def _severity(key: str | None) -> str:
    try:
        from labtrack.audits.models import SEVERITY_LABELS

        return str(SEVERITY_LABELS.get(key, key or ""))
    except ImportError:  # the audits area being rebuilt: the key itself
        return key or ""


def _job_kind(name: str | None) -> str:
    from labtrack.jobs import registry

    kind = registry.get(name or "")
    return kind.title if kind is not None else (name or "")


def _with_reason(p: dict, plain: Callable[[], str], reason: Callable[[], str]) -> str:
    return reason() if p.get("comment") else plain()


def _finding_due(p: dict) -> str:
    days = int(p.get("days", 0))
    if days <= 0:
        return _("Finding %(label)s at %(lab)s is due today.", label=p.get("label"), lab=p.get("lab"))
    return _n(
        "Finding %(label)s at %(lab)s is due in %(num)d day (%(due_on)s).",
        "Finding %(label)s at %(lab)s is due in %(num)d days (%(due_on)s).",
        days,
        label=p.get("label"),
        lab=p.get("lab"),
        due_on=p.get("due_on"),
    )


def _document_review_due(p: dict) -> str:
    days = int(p.get("days", 0))
    owner = p.get("lab") or _("the bureau")
    if days <= 0:
        return _(
            "The review of document %(document)s (%(title)s) of %(owner)s is due today.",
            document=p.get("document"),
            title=p.get("title"),
            owner=owner,
        )
    return _n(
        "The review of document %(document)s (%(title)s) of %(owner)s is due in %(num)d day (%(due_on)s).",
        "The review of document %(document)s (%(title)s) of %(owner)s is due in %(num)d days (%(due_on)s).",
        days,
        document=p.get("document"),
        title=p.get("title"),
        owner=owner,
        due_on=p.get("due_on"),
    )


def _text(p: dict, **extra: Any) -> dict:
    values = {k: ("" if v is None else v) for k, v in p.items()}
    values.update(extra)
    return values


TEXTS: dict[str, Callable[[dict], str]] = {
    "finding_raised": lambda p: _(
        "New %(severity)s finding %(label)s at %(lab)s, due %(due_on)s.",
        **_text(p, severity=_severity(p.get("severity"))),
    ),
    "plan_submitted": lambda p: _(
        "%(lab)s submitted a rectification plan for finding %(label)s.", **_text(p)
    ),
    "evidence_submitted": lambda p: _("%(lab)s submitted evidence for finding %(label)s.", **_text(p)),
    "plan_accepted": lambda p: _("The rectification plan for finding %(label)s was accepted.", **_text(p)),
    "plan_rejected": lambda p: _with_reason(
        p,
        lambda: _("The rectification plan for finding %(label)s was rejected.", **_text(p)),
        lambda: _("The rectification plan for finding %(label)s was rejected: %(comment)s", **_text(p)),
    ),
    "evidence_rejected": lambda p: _with_reason(
        p,
        lambda: _("The evidence for finding %(label)s was rejected.", **_text(p)),
        lambda: _("The evidence for finding %(label)s was rejected: %(comment)s", **_text(p)),
    ),
    "finding_closed": lambda p: _("Finding %(label)s was closed after check and acceptance.", **_text(p)),
    "finding_reopened": lambda p: _with_reason(
        p,
        lambda: _("Finding %(label)s was reopened.", **_text(p)),
        lambda: _("Finding %(label)s was reopened: %(comment)s", **_text(p)),
    ),
    "deadline_extended": lambda p: _(
        "The deadline of finding %(label)s was extended to %(due_on)s.", **_text(p)
    ),
    "finding_cancelled": lambda p: _with_reason(
        p,
        lambda: _("Finding %(label)s was cancelled.", **_text(p)),
        lambda: _("Finding %(label)s was cancelled: %(comment)s", **_text(p)),
    ),
    "finding_due": _finding_due,
    "finding_overdue": lambda p: _n(
        "Finding %(label)s at %(lab)s is %(num)d day overdue (due %(due_on)s).",
        "Finding %(label)s at %(lab)s is %(num)d days overdue (due %(due_on)s).",
        int(p.get("days", 1)),
        **_text(p),
    ),
    "finding_escalated": lambda p: _n(
        "Escalated: finding %(label)s at %(lab)s is %(num)d day overdue (due %(due_on)s).",
        "Escalated: finding %(label)s at %(lab)s is %(num)d days overdue (due %(due_on)s).",
        int(p.get("days", 7)),
        **_text(p),
    ),
    "round_opened": lambda p: (
        _("Comparison round %(round)s (%(title)s) is open for results until %(closes_on)s.", **_text(p))
        if p.get("closes_on")
        else _("Comparison round %(round)s (%(title)s) is open for results.", **_text(p))
    ),
    "round_closing": lambda p: _n(
        "Comparison round %(round)s closes in %(num)d day and has no result from %(lab)s yet.",
        "Comparison round %(round)s closes in %(num)d days and has no result from %(lab)s yet.",
        int(p.get("days", 3)),
        **_text(p),
    ),
    "round_published": lambda p: _("The results of comparison round %(round)s are published.", **_text(p)),
    "certificate_expiring": lambda p: _n(
        "%(scheme)s certificate %(certificate)s of %(lab)s expires in %(num)d day (%(expires_on)s).",
        "%(scheme)s certificate %(certificate)s of %(lab)s expires in %(num)d days (%(expires_on)s).",
        int(p.get("days", 90)),
        **_text(p),
    ),
    "document_review_due": lambda p: _document_review_due(p),
    "job_done": lambda p: _(
        "Your job “%(kind)s” (#%(job)s) is done.", **_text(p, kind=_job_kind(p.get("kind")))
    ),
    "job_failed": lambda p: _(
        "Your job “%(kind)s” (#%(job)s) failed: %(error)s", **_text(p, kind=_job_kind(p.get("kind")))
    ),
}


def text(kind: str, params: dict | None) -> str:
    """A notification's text in the current language."""
    render = TEXTS.get(base_kind(kind))
    if render is None:
        return kind
    try:
        return render(params or {})
    except (KeyError, ValueError, TypeError):  # params of an older shape: never a 500
        return kind


# Where each kind of record is shown (the endpoint and its arguments).
LINKS: dict[str, Callable[[int | None, dict], tuple[str, dict]]] = {
    "findings": lambda rid, p: ("audits.finding", {"finding_id": rid}),
    "audits": lambda rid, p: ("audits.detail", {"audit_id": rid}),
    "rounds": lambda rid, p: ("proficiency.detail", {"code": p.get("round")}),
    "qualifications": lambda rid, p: ("labs.detail", {"code": p.get("lab")}),
    "labs": lambda rid, p: ("labs.detail", {"code": p.get("lab")}),
    "jobs": lambda rid, p: ("jobs.detail", {"job_id": rid}),
    "controlled_documents": lambda rid, p: ("records.document_detail", {"document_id": rid}),
}


def link(
    record_table: str | None, record_id: int | None, params: dict | None, external: bool = False
) -> str | None:
    """The address of the record a notification is about (None if it has no page)."""
    build = LINKS.get(record_table or "")
    if build is None:
        return None
    endpoint, values = build(record_id, params or {})
    if any(v is None for v in values.values()):
        return None
    try:
        path = url_for(endpoint, **values)
    except BuildError:
        return None
    return absolute(path) if external else path


def absolute(path: str) -> str:
    """A path of the app as the address people open it at (LABTRACK_BASE_URL), for e-mails."""
    return current_app.config["LABTRACK_BASE_URL"].rstrip("/") + path
