"""Applications: loading and listing them, drafting, the items asked for (entered, picked from the
catalogue, uploaded), deleting a draft. The steps from submission to certificate are in `steps.py`.

Every function takes the acting user (None: the system), asks `applications.policy`, parses with
`labtrack.parsing` (the items as the scope import does, `items.py`), raises domain errors and
writes inside one `transaction`.
"""

import io
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.applications import items as item_rows
from labtrack.applications import policy
from labtrack.applications.models import Application, ApplicationItem
from labtrack.applications.values import (
    ITEMS_MAX,
    KIND_LABELS,
    NOTE_MAX,
    REFERENCE_PREFIX,
    SEARCH_MAX,
    TITLE_MAX,
    Kind,
    Status,
)
from labtrack.extensions import db
from labtrack.labs.models import Lab, Qualification, QualificationStatus, Scheme
from labtrack.models_base import today
from labtrack.parsing import Fields
from labtrack.scope.importer import HEADER as IMPORT_HEADER
from labtrack.scope.models import ScopeEntry, TestItem
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, load, transaction
from labtrack.tabular import RowError, TabularError, read_table

KINDS = [k.value for k in Kind]
STATUSES = [s.value for s in Status]


# --- loading and listing ---------------------------------------------------------------------


def get(actor: Any, application_id: Any) -> Application:
    """The application if the actor may see it, else NotFound (another lab's is answered the same)."""
    return load(Application, application_id, visible=lambda a: policy.sees(actor, a), what=_("application"))


def parse_filters(args: dict[str, Any]) -> dict[str, Any]:
    """The list's filters from a query string; InvalidInput naming the bad ones."""
    f = Fields(args)
    filters = {
        "status": f.get("status", parsing.choice, [*STATUSES, "open", "waiting"], required=False),
        "kind": f.get("kind", parsing.choice, KINDS, required=False),
        "lab": f.get("lab", parsing.text, required=False, max_len=parsing.CODE_MAX, multiline=False),
        "region": f.get("region", parsing.text, required=False, max_len=SEARCH_MAX, multiline=False),
        "q": f.get("q", parsing.text, required=False, max_len=SEARCH_MAX, multiline=False),
        "overdue": f.get("overdue", parsing.boolean),
    }
    f.raise_if_any(_("The filters of the list are not valid."))
    return filters


OPEN_STATUSES = [s.value for s in Status if s not in (Status.DRAFT, Status.DECIDED, Status.CERTIFIED)]


def applications_query(
    actor: Any,
    status: str | None = None,
    kind: str | None = None,
    lab: str | None = None,
    region: str | None = None,
    q: str | None = None,
    overdue: bool = False,
    on: date | None = None,
) -> Select:
    """Applications the actor may see, filtered, most recently changed first."""
    from labtrack.applications.models import Clock

    stmt = select(Application).join(Lab, Application.lab_id == Lab.id)
    stmt = policy.narrow(stmt, Application.lab_id, actor)
    if status == "open":
        stmt = stmt.where(Application.status.in_(OPEN_STATUSES))
    elif status == "waiting":
        stmt = stmt.where(
            Application.status.in_([s.value for s in (Status.SUBMITTED, Status.ACCEPTED, Status.REVIEW)])
        )
    elif status:
        stmt = stmt.where(Application.status == status)
    if kind:
        stmt = stmt.where(Application.kind == kind)
    if lab:
        stmt = stmt.where(Lab.code == lab)
    if region:
        stmt = stmt.where(Lab.region == region)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                Application.reference.ilike(like),
                Application.title.ilike(like),
                Lab.name.ilike(like),
                Lab.code.ilike(like),
            )
        )
    if overdue:
        late = select(Clock.application_id).where(
            Clock.stopped_on.is_(None), Clock.due_on.is_not(None), Clock.due_on < (on or today())
        )
        stmt = stmt.where(Application.id.in_(late))
    stmt = stmt.options(selectinload(Application.lab), selectinload(Application.clocks))
    return stmt.order_by(Application.updated_at.desc(), Application.id.desc())


def lab_applications(lab_id: int, limit: int = 10) -> list[Application]:
    """A lab's latest applications (its page's panel; the caller has checked the reader sees it)."""
    stmt = (
        select(Application)
        .where(Application.lab_id == lab_id)
        .options(selectinload(Application.clocks))
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def item_counts(application_ids: list[int]) -> dict[int, dict[str, int]]:
    """Items asked for, granted and refused per application (one GROUP BY)."""
    if not application_ids:
        return {}
    granted = func.sum(case((ApplicationItem.outcome == "granted", 1), else_=0))
    refused = func.sum(case((ApplicationItem.outcome == "refused", 1), else_=0))
    stmt = (
        select(ApplicationItem.application_id, func.count(), granted, refused)
        .where(ApplicationItem.application_id.in_(application_ids))
        .group_by(ApplicationItem.application_id)
    )
    return {
        a: {"items": n, "granted": int(g or 0), "refused": int(r or 0)}
        for a, n, g, r in db.session.execute(stmt)
    }


# --- certificates ----------------------------------------------------------------------------


def cma_certificate(lab_id: int) -> Qualification | None:
    """The lab's latest CMA certificate (valid or expired; not suspended or withdrawn)."""
    return db.session.scalar(
        select(Qualification)
        .where(
            Qualification.lab_id == lab_id,
            Qualification.scheme == Scheme.CMA,
            Qualification.status == QualificationStatus.VALID,
        )
        .order_by(Qualification.expires_on.desc(), Qualification.id.desc())
        .limit(1)
    )


def check_kind(lab: Lab, kind: str, on: date) -> None:
    """Refuse an application the lab's certificate does not allow: an initial one while it holds a
    valid CMA certificate; any other without one; a renewal of an expired certificate."""
    cert = cma_certificate(lab.id)
    valid = cert is not None and cert.expires_on >= on
    if kind == Kind.INITIAL and valid:
        raise InvalidInput(
            _("The application could not be saved."),
            {
                "kind": [
                    _(
                        "%(lab)s holds a valid CMA certificate (%(no)s, until %(date)s): apply for an "
                        "extension or a renewal instead.",
                        lab=lab.code,
                        no=cert.certificate_no,
                        date=cert.expires_on.isoformat(),
                    )
                ]
            },
        )
    if kind == Kind.RENEWAL and cert is not None and not valid:
        raise InvalidInput(
            _("The application could not be saved."),
            {
                "kind": [
                    _(
                        "The CMA certificate %(no)s of %(lab)s expired on %(date)s: an expired certificate "
                        "cannot be renewed. Apply for an initial qualification instead.",
                        no=cert.certificate_no,
                        lab=lab.code,
                        date=cert.expires_on.isoformat(),
                    )
                ]
            },
        )
    if kind != Kind.INITIAL and not valid:
        raise InvalidInput(
            _("The application could not be saved."),
            {
                "kind": [
                    _(
                        "%(lab)s holds no valid CMA certificate: apply for an initial qualification.",
                        lab=lab.code,
                    )
                ]
            },
        )


# --- drafting --------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    taken = db.session.scalars(
        select(Application.reference).where(Application.reference.like(prefix + "%"))
    ).all()
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _lab(f: Fields, actor: Any) -> Lab | None:
    """The application's lab: a lab manager's own; otherwise `lab_code` (a lab the actor may not
    see is answered as one that does not exist)."""
    home = policy.home_lab(actor)
    if home is not None and not f.data.get("lab_code"):
        return db.session.get(Lab, home)
    code = f.get("lab_code", parsing.code)
    if code is None:
        return None
    lab = db.session.scalar(select(Lab).where(Lab.code_key == parsing.code_key(code)))
    if lab is None or not policy.sees_lab(actor, lab):
        f.add("lab_code", _("No such laboratory."))
        return None
    return lab


def create(data: dict[str, Any], actor: Any, on: date | None = None) -> Application:
    """Draft an application (kind, lab, title, note; items may come with it: `items`, a list of
    dicts in the scope import's columns). Refuses what the lab's certificate does not allow."""
    if not policy.may_apply(actor):
        raise Forbidden(_("Your role may not apply for qualification."))
    on = on or today()
    f = Fields(data)
    kind = f.get("kind", parsing.choice, KINDS)
    lab = _lab(f, actor)
    title = f.get("title", parsing.name, required=False, max_len=TITLE_MAX)
    note = f.get("note", parsing.text, required=False, max_len=NOTE_MAX)
    f.raise_if_any(_("The application could not be saved."))
    if not policy.may_apply_for(actor, lab):
        raise Forbidden(_("You may apply only for your own laboratory."))
    check_kind(lab, kind, on)
    rows = data.get("items") or []
    if not isinstance(rows, list):
        raise InvalidInput(
            _("The application could not be saved."), {"items": [_("Must be a list of items.")]}
        )
    checked = _checked(lab, kind, [], [(n, r if isinstance(r, dict) else {}) for n, r in enumerate(rows, 1)])
    if checked.errors:
        raise InvalidInput(_("The items could not be added."), {"items": _indexed(checked.errors)})
    with transaction(actor, _("application drafted")):
        application = Application(
            reference=_next_reference(on.year),
            lab_id=lab.id,
            kind=kind,
            status=Status.DRAFT,
            title=title or _default_title(kind, lab),
            note=note,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(application)
        _add_rows(application, checked.rows)
        db.session.flush()
    return application


def _default_title(kind: str, lab: Lab) -> str:
    return f"{lab.code} · {KIND_LABELS[Kind(kind)]}"


def update(application: Application, data: dict[str, Any], actor: Any, version: Any = None) -> Application:
    """Change the title and note of a draft (or returned) application."""
    _check_editable(application, actor)
    check_version(application, version)
    f = Fields(data)
    values: dict[str, Any] = {}
    if "title" in data:
        values["title"] = f.get("title", parsing.name, max_len=TITLE_MAX)
    if "note" in data:
        values["note"] = f.get("note", parsing.text, required=False, max_len=NOTE_MAX)
    f.raise_if_any(_("The application could not be saved."))
    with transaction(actor):
        for key, value in values.items():
            setattr(application, key, value)
    return application


def delete(application: Application, actor: Any) -> None:
    """Delete a draft that was never submitted."""
    if not policy.sees(actor, application):
        raise load_refusal()
    if not policy.may_delete(actor, application):
        raise Conflict(_("Only a draft that was never submitted can be deleted."))
    with transaction(actor, _("draft deleted")):
        db.session.delete(application)


def load_refusal() -> NotFound:
    """NotFound for an application the actor may not see."""
    return NotFound(_("No such %(what)s.", what=_("application")))


def check_version(application: Application, version: Any) -> None:
    """Refuse a change based on a version of the application that is no longer current."""
    if version in (None, ""):
        return
    try:
        given = parsing.integer(version, minimum=0, maximum=parsing.INT_MAX)
    except parsing.ParseError as exc:
        raise InvalidInput(_("The request has invalid fields."), {"version": [exc.message]}) from None
    if given != application.version:
        raise Conflict(
            _(
                "Someone else changed this application meanwhile. Reload it to see their change, then try again."
            ),
            {"version": [_("The application has changed since you read it.")]},
        )


def _check_editable(application: Application, actor: Any) -> None:
    if not policy.sees(actor, application):
        raise load_refusal()
    if not policy.may_apply_for(actor, application.lab):
        raise Forbidden(_("Only the laboratory changes its application."))
    if not policy.may_edit(actor, application):
        raise Conflict(
            _(
                "The items of an application that is %(status)s cannot change.",
                status=application.status_label.lower(),
            )
        )


# --- items -----------------------------------------------------------------------------------


def _checked(lab: Lab, kind: str, existing: list[ApplicationItem], rows, upload: bool = False):
    matcher = item_rows.Matcher(lab, kind, [i.item_key for i in existing])
    checked = item_rows.check_rows(matcher, rows, upload=upload)
    if len(existing) + len(checked.rows) > ITEMS_MAX:
        checked.errors.append(
            RowError(0, None, _("An application asks for at most %(n)d items.", n=ITEMS_MAX))
        )
    return checked


def _indexed(errors) -> dict:
    """Errors of a JSON list of items: {index: {field: [messages]}} (index from 0)."""
    out: dict[str, dict[str, list[str]]] = {}
    for e in errors:
        out.setdefault(str(max(e.row - 1, 0)), {}).setdefault(e.column or "item_code", []).append(e.message)
    return out


def _add_rows(application: Application, rows: list[tuple[int, item_rows.Row]]) -> list[ApplicationItem]:
    start = max((i.position for i in application.items), default=0)
    added = []
    for offset, (_number, row) in enumerate(rows, start=1):
        item = ApplicationItem(position=start + offset, **row.values())
        application.items.append(item)
        added.append(item)
    return added


def add_item(application: Application, data: dict[str, Any], actor: Any) -> ApplicationItem:
    """Add one item, entered (codes and names) or picked from the catalogue (its code alone)."""
    _check_editable(application, actor)
    checked = _checked(application.lab, application.kind, application.items, [(1, data)])
    if checked.errors:
        raise InvalidInput(_("The item could not be added."), item_rows.field_errors(checked.errors))
    with transaction(actor, _("item added")):
        (item,) = _add_rows(application, checked.rows)
        db.session.flush()
    return item


def add_items(application: Application, rows: list[dict[str, Any]], actor: Any) -> list[ApplicationItem]:
    """Add several items at once (the API); all or nothing, errors by index."""
    _check_editable(application, actor)
    checked = _checked(application.lab, application.kind, application.items, list(enumerate(rows, 1)))
    if checked.errors:
        raise InvalidInput(_("The items could not be added."), {"items": _indexed(checked.errors)})
    with transaction(actor, _("items added")):
        added = _add_rows(application, checked.rows)
        db.session.flush()
    return added


def upload_items(application: Application, content: bytes, actor: Any) -> list[ApplicationItem]:
    """Add the items of a CSV or XLSX file in the scope import's columns: all or nothing, every
    error listed by row (the header is row 1) and column."""
    _check_editable(application, actor)
    limit = current_app.config.get("MAX_IMPORT_BYTES")
    try:
        rows = list(read_table(io.BytesIO(content), IMPORT_HEADER, max_bytes=limit))
    except TabularError as exc:
        raise InvalidInput(
            _("The file was not read."), {"file": item_rows.row_messages(exc.errors)}
        ) from None
    if not rows:
        raise InvalidInput(_("The file was not read."), {"file": [_("The file has a header but no rows.")]})
    checked = _checked(application.lab, application.kind, application.items, rows, upload=True)
    if checked.errors:
        raise InvalidInput(
            _("Nothing was added: %(n)d rows have errors.", n=len({e.row for e in checked.errors})),
            {"file": item_rows.row_messages(checked.errors)},
        )
    with transaction(actor, _("items uploaded")):
        added = _add_rows(application, checked.rows)
        db.session.flush()
    return added


def add_held_items(application: Application, actor: Any, on: date | None = None) -> int:
    """Add every item the lab holds today that the application does not ask for yet (a renewal, a
    change or a reduction starts from the current scope)."""
    _check_editable(application, actor)
    if application.kind in item_rows.NEW_ITEM_KINDS:
        raise Conflict(
            _("An initial application or an extension asks for items the laboratory does not hold.")
        )
    on = on or today()
    stmt = (
        select(TestItem)
        .join(ScopeEntry, ScopeEntry.item_id == TestItem.id)
        .where(
            ScopeEntry.lab_id == application.lab_id,
            ScopeEntry.granted_on <= on,
            ScopeEntry.withdrawn_on.is_(None),
        )
        .order_by(TestItem.code)
    )
    have = {i.item_key for i in application.items}
    wanted = [{"item_code": item.code} for item in db.session.scalars(stmt) if item.code_key not in have]
    if not wanted:
        return 0
    return len(add_items(application, wanted, actor))


def remove_item(application: Application, item_id: Any, actor: Any) -> None:
    """Take an item out of a draft (or returned) application."""
    _check_editable(application, actor)
    item = load(
        ApplicationItem, item_id, visible=lambda i: i.application_id == application.id, what=_("item")
    )
    with transaction(actor, _("item removed")):
        application.items.remove(item)
        db.session.flush()


def catalogue_lookup(q: str | None, limit: int) -> list[dict[str, Any]]:
    """Catalogue items matching a search (code, name, method), for the item picker."""
    from labtrack.scope import service as scope_service

    try:
        text = parsing.text(q, required=False, max_len=SEARCH_MAX, multiline=False)
    except parsing.ParseError:
        return []
    if not text:
        return []
    stmt = scope_service.catalogue_query(text).limit(limit)
    return [
        {
            "item_code": i.code,
            "item_name": i.name,
            "item_name_en": i.name_en,
            "category_code": i.category.code,
            "category_name": i.category.name,
            "method": i.method,
            "parameters": i.parameters,
        }
        for i in db.session.scalars(stmt.options(selectinload(TestItem.category)))
    ]


def upload_template_rows(application: Application) -> list[list]:
    """An example file for the upload: the header and the application's items so far."""
    return [
        [
            application.lab.code,
            i.category_code,
            i.category_name,
            i.item_code,
            i.item_name,
            i.method,
            i.parameters,
            "",
            "",
        ]
        for i in application.items
    ]
