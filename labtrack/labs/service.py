"""Laboratory rules: listing, registering, editing, deactivating; certificates, contacts, export.

Every function takes the acting user (`actor`; None for the system: the command line, the demo)
and asks `labs.policy`; records are loaded with `labtrack.services.load`/`load_by` (404 for what
the actor may not see), values parsed with `labtrack.labs.values`, and changes written inside one
`transaction`. Lab codes are unique as `parsing.code_key` compares them ('ÉX-1' is 'éx-1').
"""

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs import policy, schemas, values
from labtrack.labs.models import (
    Lab,
    LabContact,
    LabKind,
    LabStatus,
    Qualification,
    QualificationStatus,
    Scheme,
)
from labtrack.parsing import Fields, code_key
from labtrack.services import Conflict, Forbidden, load, load_by, transaction

SORTS = {
    "code": Lab.code,
    "name": Lab.name,
    "region": Lab.region,
    "kind": Lab.kind,
    "status": Lab.status,
}
SEARCH_MAX = 100
EXPORT_HEADER = schemas.EXPORT_HEADER


class _Current:
    """Stands for "the signed-in user" for callers of the other areas that do not pass the actor yet."""

    def __repr__(self) -> str:
        return "CURRENT_USER"


CURRENT_USER: Any = _Current()


def _who(actor: Any) -> Any:
    if actor is CURRENT_USER:
        from flask_login import current_user

        return current_user
    return actor


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


# --- reading ---------------------------------------------------------------------------------


def parse_filters(args: dict[str, Any]) -> dict[str, Any]:
    """The list's filters from a query string (q, region, kind, status, sort); InvalidInput (422)
    naming a filter that cannot be used."""
    f = Fields(args)
    filters = {
        "q": f.get("q", parsing.text, required=False, max_len=SEARCH_MAX, multiline=False),
        "region": f.get("region", values.region, required=False),
        "kind": f.get("kind", parsing.choice, [k.value for k in LabKind], required=False),
        "status": f.get("status", parsing.choice, [s.value for s in LabStatus], required=False),
    }
    sort = args.get("sort")
    filters["sort"] = sort if isinstance(sort, str) and sort.lstrip("-") in SORTS else "code"
    f.raise_if_any(_("The filters of the list are not valid."))
    return filters


def labs_query(
    actor: Any,
    q: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    sort: str = "code",
) -> Select:
    """Labs the actor may see, searched, filtered and sorted (filters as `parse_filters` gives them)."""
    stmt = policy.narrow(select(Lab), _who(actor))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Lab.code.ilike(like), Lab.name.ilike(like), Lab.name_en.ilike(like)))
    if region:
        stmt = stmt.where(Lab.region == region)
    if kind:
        stmt = stmt.where(Lab.kind == kind)
    if status:
        stmt = stmt.where(Lab.status == status)
    descending = (sort or "code").startswith("-")
    column = SORTS.get((sort or "code").lstrip("-"), Lab.code)
    return stmt.order_by(column.desc() if descending else column, Lab.code)


def regions(actor: Any = CURRENT_USER) -> list[str]:
    """Every region a lab the actor sees is in, for filters."""
    stmt = policy.narrow(select(Lab.region).distinct().order_by(Lab.region), _who(actor))
    return list(db.session.scalars(stmt))


def region_known(region: str, actor: Any) -> bool:
    """Whether some lab the actor sees is in this region."""
    stmt = policy.narrow(select(Lab.id).where(Lab.region == region).limit(1), actor)
    return db.session.scalar(stmt) is not None


def url_code(value: Any) -> str | None:
    """A code from a URL as something a database can compare, or None: text of at most
    CODE_MAX characters without control characters (PostgreSQL refuses NUL in a query)."""
    try:
        return parsing.text(value, max_len=values.CODE_MAX, multiline=False)
    except parsing.ParseError:
        return None


def load_lab(code: Any, actor: Any) -> Lab:
    """The lab with this code; NotFound (404) if there is none or the actor may not see it."""
    return load_by(
        Lab, Lab.code, url_code(code), visible=lambda lab: policy.sees_lab(actor, lab), what=_("laboratory")
    )


def get_lab(code: str, actor: Any = CURRENT_USER) -> Lab | None:
    """The lab with this code if the actor may see it, else None."""
    key = url_code(code)
    lab = db.session.scalar(select(Lab).where(Lab.code == key)) if key else None
    return lab if policy.sees_lab(_who(actor), lab) else None


def get_lab_or_404(code: str, actor: Any = CURRENT_USER) -> Lab:
    """`load_lab` for callers that do not pass the actor yet (the signed-in user)."""
    return load_lab(code, _who(actor))


def find_by_code(code: str) -> Lab | None:
    """The lab whose code is this one as codes compare (case and width folded), if any."""
    return db.session.scalar(select(Lab).where(Lab.code_key == code_key(code)))


def lab_view(lab: Lab, actor: Any) -> dict:
    """The lab as its page, its export and the API show it to this reader."""
    return schemas.dump_lab(actor, lab)


# --- labs ------------------------------------------------------------------------------------

LAB_FIELDS = ("code", "name", "name_en", "region", "kind", "status", "is_model_lab", "address", "notes")


KINDS = [k.value for k in LabKind]
STATUSES = [s.value for s in LabStatus]


def parse_lab(data: dict[str, Any], lab: Lab | None = None) -> dict[str, Any]:
    """Clean values of the fields given (all required ones for a new lab); InvalidInput with every
    field's error otherwise, including a code another lab already has."""
    new = lab is None
    f = Fields(data)
    clean: dict[str, Any] = {}

    def given(key: str) -> bool:
        return key in data or (new and key in ("code", "name", "region", "kind"))

    if given("code"):
        clean["code"] = f.get("code", values.lab_code)
    if given("name"):
        clean["name"] = f.get("name", values.lab_name)
    if given("name_en"):
        clean["name_en"] = f.get("name_en", values.lab_name, required=False)
    if given("region"):
        clean["region"] = f.get("region", values.region)
    if given("kind"):
        clean["kind"] = f.get("kind", parsing.choice, KINDS)
    if given("status") or new:
        clean["status"] = (
            f.get("status", parsing.choice, STATUSES, required=not new) or LabStatus.ACTIVE.value
        )
    if given("is_model_lab") or new:
        clean["is_model_lab"] = bool(f.get("is_model_lab", parsing.boolean))
    if given("address"):
        clean["address"] = f.get("address", values.address)
    if given("notes"):
        clean["notes"] = f.get("notes", values.notes)
    if clean.get("code") and "code" not in f.errors:
        clash = db.session.scalar(
            select(Lab.code).where(Lab.code_key == code_key(clean["code"]), Lab.id != (lab.id if lab else -1))
        )
        if clash is not None:
            f.add("code", _("Another laboratory already has the code %(code)s.", code=clash))
    f.raise_if_any(_("The laboratory could not be saved."))
    return clean


def create_lab(data: dict[str, Any], actor: Any) -> Lab:
    """Register a lab from the fields given; records who did it."""
    _require(policy.may_create_lab(actor), _("You may not register laboratories."))
    clean = parse_lab(data)
    with transaction(actor):
        lab = Lab(**clean)
        db.session.add(lab)
    return lab


def update_lab(lab: Lab, data: dict[str, Any], actor: Any) -> Lab:
    """Change some of a lab's fields (those given) and record the change."""
    _require(policy.may_edit_lab(actor, lab), _("You may not change this laboratory."))
    clean = parse_lab(data, lab)
    with transaction(actor):
        for key, value in clean.items():
            setattr(lab, key, value)
    return lab


def deactivate_lab(lab: Lab, actor: Any, status: LabStatus = LabStatus.CLOSED) -> Lab:
    """Take a lab out of operation (its records stay); Conflict if it is closed already."""
    _require(policy.may_edit_lab(actor, lab), _("You may not change this laboratory."))
    if not policy.may_deactivate_lab(actor, lab) and status == LabStatus.CLOSED:
        raise Conflict(_("Laboratory %(code)s is closed already.", code=lab.code))
    with transaction(actor):
        lab.status = status
    return lab


# --- certificates ----------------------------------------------------------------------------

QUALIFICATION_FIELDS = ("scheme", "certificate_no", "issued_on", "expires_on", "status")


def load_qualification(lab: Lab, qualification_id: Any, actor: Any) -> Qualification:
    """One of this lab's certificates; NotFound if it belongs to another lab or is not the actor's to see."""
    return load(
        Qualification,
        qualification_id,
        visible=lambda q: q.lab_id == lab.id and policy.sees_lab(actor, lab),
        what=_("certificate"),
    )


def parse_qualification(data: dict[str, Any], qualification: Qualification | None = None) -> dict[str, Any]:
    """Known scheme and status, a number no other certificate has, expiry after issue."""
    f = Fields(data)
    clean = {
        "scheme": f.get("scheme", parsing.choice, [s.value for s in Scheme]),
        "certificate_no": f.get("certificate_no", values.certificate_no),
        "issued_on": f.get("issued_on", parsing.day),
        "expires_on": f.get("expires_on", parsing.day),
        "status": f.get("status", parsing.choice, [s.value for s in QualificationStatus], required=False)
        or QualificationStatus.VALID.value,
    }
    issued, expires = clean["issued_on"], clean["expires_on"]
    if issued and expires and expires <= issued:
        f.add("expires_on", _("The certificate must expire after it was issued."))
    number = clean["certificate_no"]
    if number:
        clash = db.session.scalar(
            select(Qualification.id).where(
                func.lower(Qualification.certificate_no) == number.lower(),
                Qualification.id != (qualification.id if qualification else -1),
            )
        )
        if clash is not None:
            f.add("certificate_no", _("Certificate %(no)s is already recorded.", no=number))
    f.raise_if_any(_("The certificate could not be saved."))
    return clean


def add_qualification(lab: Lab, data: dict[str, Any], actor: Any) -> Qualification:
    """Record a certificate the lab holds."""
    _require(
        policy.may_manage_certificates(actor, lab), _("You may not record certificates of this laboratory.")
    )
    clean = parse_qualification(data)
    with transaction(actor):
        q = Qualification(lab=lab, **clean)
        db.session.add(q)
    return q


def update_qualification(q: Qualification, data: dict[str, Any], actor: Any) -> Qualification:
    """Change a certificate (renewal, suspension, a corrected number)."""
    _require(
        policy.may_manage_certificates(actor, q.lab), _("You may not record certificates of this laboratory.")
    )
    clean = parse_qualification(data, q)
    with transaction(actor):
        for key, value in clean.items():
            setattr(q, key, value)
    return q


def remove_qualification(q: Qualification, actor: Any) -> None:
    """Delete a certificate recorded by mistake (the history keeps what it was)."""
    _require(
        policy.may_manage_certificates(actor, q.lab), _("You may not record certificates of this laboratory.")
    )
    with transaction(actor):
        db.session.delete(q)


# --- contacts --------------------------------------------------------------------------------

CONTACT_FIELDS = ("name", "position", "phone", "email")


def load_contact(lab: Lab, contact_id: Any, actor: Any) -> LabContact:
    """One of this lab's contacts; NotFound if it belongs to another lab."""
    return load(
        LabContact,
        contact_id,
        visible=lambda c: c.lab_id == lab.id and policy.sees_lab(actor, lab),
        what=_("contact"),
    )


def parse_contact(data: dict[str, Any]) -> dict[str, Any]:
    """A name, and a phone number and e-mail address that look like one when given."""
    f = Fields(data)
    clean = {
        "name": f.get("name", values.person),
        "position": f.get("position", values.position),
        "phone": f.get("phone", values.phone),
        "email": f.get("email", values.email),
    }
    f.raise_if_any(_("The contact could not be saved."))
    return clean


def add_contact(lab: Lab, data: dict[str, Any], actor: Any) -> LabContact:
    """Add a person to reach at the lab."""
    _require(policy.may_manage_contacts(actor, lab), _("You may not change the contacts of this laboratory."))
    clean = parse_contact(data)
    with transaction(actor):
        contact = LabContact(lab=lab, **clean)
        db.session.add(contact)
    return contact


def update_contact(contact: LabContact, data: dict[str, Any], actor: Any) -> LabContact:
    """Change a contact's details."""
    _require(
        policy.may_manage_contacts(actor, contact.lab),
        _("You may not change the contacts of this laboratory."),
    )
    clean = parse_contact(data)
    with transaction(actor):
        for key, value in clean.items():
            setattr(contact, key, value)
    return contact


def remove_contact(contact: LabContact, actor: Any) -> None:
    """Remove a contact who left (the history keeps who it was)."""
    _require(
        policy.may_manage_contacts(actor, contact.lab),
        _("You may not change the contacts of this laboratory."),
    )
    with transaction(actor):
        db.session.delete(contact)


# --- export ----------------------------------------------------------------------------------


def export_rows(stmt: Select, actor: Any) -> Iterator[list[Any]]:
    """The labs of a (filtered) list as rows under EXPORT_HEADER, as the list shows them to the actor."""
    stmt = stmt.options(selectinload(Lab.qualifications), selectinload(Lab.contacts))
    for lab in db.session.scalars(stmt):
        yield schemas.export_row(schemas.dump_lab(actor, lab))


# --- the history of a lab and of its certificates and contacts -------------------------------


def _children_of(lab: Lab, table: str):
    """Ids of the records of `table` ever created for this lab (read from their insert rows)."""
    return (
        select(HistoryEntry.record_id)
        .where(
            HistoryEntry.table_name == table,
            HistoryEntry.action == "insert",
            HistoryEntry.changes[("lab_id", 1)].as_integer() == lab.id,
        )
        .scalar_subquery()
    )


def lab_history(lab: Lab, actor: Any = CURRENT_USER, limit: int = 200) -> list[HistoryEntry]:
    """The newest history rows of the lab, its certificates and its contacts (deleted ones too),
    for those who may read the lab's history (else none)."""
    if not policy.sees_history(_who(actor), lab):
        return []
    clauses = [(HistoryEntry.table_name == "labs") & (HistoryEntry.record_id == lab.id)]
    for table in ("qualifications", "lab_contacts"):
        clauses.append(
            (HistoryEntry.table_name == table) & HistoryEntry.record_id.in_(_children_of(lab, table))
        )
    stmt = (
        select(HistoryEntry)
        .where(or_(*clauses))
        .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
        .limit(limit)
    )
    entries = list(db.session.scalars(stmt))
    hidden = policy.hidden_fields(_who(actor), lab)
    return _without(entries, hidden) if hidden else entries


def _without(entries: list[HistoryEntry], hidden: frozenset[str]) -> list:
    """The lab's history rows as the reader may read them: the hidden fields of the lab's own rows
    left out, and a change of nothing but those fields not shown at all (the rows themselves, being
    append-only, are never touched: these are copies)."""
    shown = []
    for entry in entries:
        changes = entry.changes or {}
        if entry.table_name == "labs" and hidden & set(changes):
            kept = {k: v for k, v in changes.items() if k not in hidden}
            if not kept and entry.action == "update":
                continue
            entry = SimpleNamespace(
                **{
                    c: getattr(entry, c)
                    for c in ("id", "at", "user_id", "username", "table_name", "record_id", "action")
                },
                comment=entry.comment,
                changes=kept,
            )
        shown.append(entry)
    return shown
