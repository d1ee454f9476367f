"""Laboratory rules: listing, creating, editing, deactivating; certificates, contacts, export."""

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import Select, func, inspect, or_, select
from sqlalchemy.orm import selectinload

from labtrack.auth.permissions import can_see_lab, lab_scope_id
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.models import (
    Lab,
    LabContact,
    LabKind,
    LabStatus,
    Qualification,
    QualificationStatus,
    Scheme,
)
from labtrack.services import InvalidInput, act_as, commit

SORTS = {
    "code": Lab.code,
    "name": Lab.name,
    "region": Lab.region,
    "kind": Lab.kind,
    "status": Lab.status,
}
EDITABLE = ("code", "name", "name_en", "region", "kind", "status", "is_model_lab", "address", "notes")


def labs_query(
    q: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    sort: str = "code",
) -> Select:
    """Labs the current user may see, searched, filtered and sorted."""
    stmt = select(Lab)
    scope = lab_scope_id()
    if scope is not None:
        stmt = stmt.where(Lab.id == scope)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Lab.code.ilike(like), Lab.name.ilike(like), Lab.name_en.ilike(like)))
    if region:
        stmt = stmt.where(Lab.region == region)
    if kind:
        stmt = stmt.where(Lab.kind == kind)
    if status:
        stmt = stmt.where(Lab.status == status)
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"), Lab.code)
    return stmt.order_by(column.desc() if descending else column, Lab.code)


def regions() -> list[str]:
    """Every region a visible lab is in, for filters."""
    stmt = select(Lab.region).distinct().order_by(Lab.region)
    scope = lab_scope_id()
    if scope is not None:
        stmt = stmt.where(Lab.id == scope)
    return list(db.session.scalars(stmt))


def get_lab(code: str) -> Lab | None:
    """The lab with this code if the current user may see it."""
    lab = db.session.scalar(select(Lab).where(Lab.code == code))
    return lab if lab is not None and can_see_lab(lab.id) else None


def get_lab_or_404(code: str) -> Lab:
    """The lab with this code; 404 if missing or not the user's to see (never 403)."""
    lab = get_lab(code)
    if lab is None:
        abort(404)
    return lab


CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_errors(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[str]]:
    """Fields holding control characters (PostgreSQL refuses NUL; none belongs in text)."""
    return {
        f: [_("Control characters are not allowed.")]
        for f in fields
        if isinstance(data.get(f), str) and CONTROL_RE.search(data[f])
    }


def validate_lab(data: dict[str, Any], lab: Lab | None = None) -> None:
    """Check the rules a form or schema cannot: unique code, known kind and status."""
    errors: dict[str, list[str]] = _control_errors(
        data, ("code", "name", "name_en", "region", "address", "notes")
    )
    code = (data.get("code") or (lab.code if lab else "")).strip()
    if not code:
        errors.setdefault("code", []).append(_("A code is required."))
    else:
        clash = db.session.scalar(
            select(Lab.id).where(func.lower(Lab.code) == code.lower(), Lab.id != (lab.id if lab else -1))
        )
        if clash is not None:
            errors.setdefault("code", []).append(
                _("Another laboratory already has code %(code)s.", code=code)
            )
    if "kind" in data and data["kind"] not in {k.value for k in LabKind}:
        errors.setdefault("kind", []).append(_("Unknown kind of laboratory."))
    if "status" in data and data["status"] not in {s.value for s in LabStatus}:
        errors.setdefault("status", []).append(_("Unknown status."))
    if errors:
        raise InvalidInput(_("The laboratory could not be saved."), errors)


def create_lab(data: dict[str, Any], actor: Any) -> Lab:
    """Create a lab from validated fields and record who did it."""
    validate_lab(data)
    lab = Lab(**{k: v for k, v in data.items() if k in EDITABLE})
    lab.code = lab.code.strip()
    if lab.status is None:
        lab.status = LabStatus.ACTIVE
    act_as(actor)
    db.session.add(lab)
    commit()
    return lab


def update_lab(lab: Lab, data: dict[str, Any], actor: Any) -> Lab:
    """Change a lab's fields and record the change."""
    _loaded(lab)
    validate_lab(data, lab)
    for key, value in data.items():
        if key in EDITABLE:
            setattr(lab, key, value.strip() if key == "code" else value)
    act_as(actor)
    commit()
    return lab


def deactivate_lab(lab: Lab, actor: Any, status: LabStatus = LabStatus.CLOSED) -> Lab:
    """Take a lab out of operation (its records stay)."""
    _loaded(lab)
    if lab.status == status:
        return lab
    lab.status = status
    act_as(actor)
    commit()
    return lab


# --- Qualifications (certificates) and contacts ---

QUALIFICATION_FIELDS = ("scheme", "certificate_no", "issued_on", "expires_on", "status")
CONTACT_FIELDS = ("name", "position", "phone", "email")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _require_lab_record(lab: Lab, record: Any) -> None:
    """A certificate or contact addressed through another lab's URL does not exist there."""
    if record is None or record.lab_id != lab.id:
        abort(404)


def get_qualification_or_404(lab: Lab, qualification_id: int) -> Qualification:
    """One of this lab's certificates; 404 if it belongs to another lab."""
    q = db.session.get(Qualification, qualification_id)
    _require_lab_record(lab, q)
    return q


def get_contact_or_404(lab: Lab, contact_id: int) -> LabContact:
    """One of this lab's contacts; 404 if it belongs to another lab."""
    c = db.session.get(LabContact, contact_id)
    _require_lab_record(lab, c)
    return c


def validate_qualification(data: dict[str, Any], qualification: Qualification | None = None) -> None:
    """Known scheme and status, a certificate number no other certificate has, expiry after issue."""
    errors: dict[str, list[str]] = _control_errors(data, ("certificate_no",))
    if errors:
        raise InvalidInput(_("The certificate could not be saved."), errors)
    number = (data.get("certificate_no") or "").strip()
    if not number:
        errors["certificate_no"] = [_("A certificate number is required.")]
    elif len(number) > 64:
        errors["certificate_no"] = [_("At most %(n)d characters.", n=64)]
    else:
        clash = db.session.scalar(
            select(Qualification.id).where(
                func.lower(Qualification.certificate_no) == number.lower(),
                Qualification.id != (qualification.id if qualification else -1),
            )
        )
        if clash is not None:
            errors["certificate_no"] = [_("Certificate %(no)s is already recorded.", no=number)]
    if data.get("scheme") not in {s.value for s in Scheme}:
        errors["scheme"] = [_("Unknown scheme.")]
    if (data.get("status") or QualificationStatus.VALID) not in {s.value for s in QualificationStatus}:
        errors["status"] = [_("Unknown status.")]
    issued, expires = data.get("issued_on"), data.get("expires_on")
    if not isinstance(issued, date):
        errors["issued_on"] = [_("A date of issue is required (YYYY-MM-DD).")]
    if not isinstance(expires, date):
        errors["expires_on"] = [_("An expiry date is required (YYYY-MM-DD).")]
    elif isinstance(issued, date) and expires <= issued:
        errors["expires_on"] = [_("The certificate must expire after it was issued.")]
    if errors:
        raise InvalidInput(_("The certificate could not be saved."), errors)


def add_qualification(lab: Lab, data: dict[str, Any], actor: Any) -> Qualification:
    """Record a certificate the lab holds."""
    validate_qualification(data)
    q = Qualification(lab=lab, **{k: data.get(k) for k in QUALIFICATION_FIELDS if data.get(k) is not None})
    q.certificate_no = q.certificate_no.strip()
    act_as(actor)
    db.session.add(q)
    commit()
    return q


def _loaded(obj: Any) -> None:
    """Load an instance expired by an earlier commit, so the history sees the old values."""
    if inspect(obj).expired_attributes:
        db.session.refresh(obj)


def update_qualification(q: Qualification, data: dict[str, Any], actor: Any) -> Qualification:
    """Change a certificate's fields (renewal, suspension, a corrected number)."""
    _loaded(q)
    validate_qualification(data, q)
    for key in QUALIFICATION_FIELDS:
        if key in data and data[key] is not None:
            setattr(q, key, data[key].strip() if key == "certificate_no" else data[key])
    act_as(actor)
    commit()
    return q


def remove_qualification(q: Qualification, actor: Any) -> None:
    """Delete a certificate recorded by mistake (the history keeps what it was)."""
    act_as(actor)
    db.session.delete(q)
    commit()


def validate_contact(data: dict[str, Any]) -> None:
    """A name, and an e-mail address that looks like one when given."""
    errors: dict[str, list[str]] = _control_errors(data, CONTACT_FIELDS)
    if not (data.get("name") or "").strip():
        errors["name"] = [_("A name is required.")]
    for key, limit in (("name", 120), ("position", 120), ("phone", 40), ("email", 254)):
        if len(data.get(key) or "") > limit:
            errors.setdefault(key, []).append(_("At most %(n)d characters.", n=limit))
    email = (data.get("email") or "").strip()
    if email and not EMAIL_RE.match(email):
        errors.setdefault("email", []).append(_("Invalid e-mail address."))
    if errors:
        raise InvalidInput(_("The contact could not be saved."), errors)


def _contact_values(data: dict[str, Any]) -> dict[str, str | None]:
    return {k: ((data.get(k) or "").strip() or None) for k in CONTACT_FIELDS}


def add_contact(lab: Lab, data: dict[str, Any], actor: Any) -> LabContact:
    """Add a person to reach at the lab."""
    validate_contact(data)
    contact = LabContact(lab=lab, **_contact_values(data))
    act_as(actor)
    db.session.add(contact)
    commit()
    return contact


def update_contact(contact: LabContact, data: dict[str, Any], actor: Any) -> LabContact:
    """Change a contact's details."""
    _loaded(contact)
    validate_contact(data)
    for key, value in _contact_values(data).items():
        setattr(contact, key, value)
    act_as(actor)
    commit()
    return contact


def remove_contact(contact: LabContact, actor: Any) -> None:
    """Remove a contact who left."""
    act_as(actor)
    db.session.delete(contact)
    commit()


# --- Export ---

EXPORT_HEADER = [
    "code",
    "name",
    "region",
    "kind",
    "name_en",
    "status",
    "model_lab",
    "cma_certificate",
    "cma_expires_on",
    "cnas_certificate",
    "cnas_expires_on",
]


def export_rows(stmt: Select) -> Iterator[list[Any]]:
    """The labs of a (filtered) list as rows under EXPORT_HEADER; the latest certificate per scheme."""
    stmt = stmt.options(selectinload(Lab.qualifications))
    for lab in db.session.scalars(stmt):
        latest: dict[str, Qualification] = {}
        for q in lab.qualifications:  # ordered by expiry: the last one wins
            latest[q.scheme] = q
        cma, cnas = latest.get(Scheme.CMA), latest.get(Scheme.CNAS)
        yield [
            lab.code,
            lab.name,
            lab.region,
            lab.kind.value if hasattr(lab.kind, "value") else lab.kind,
            lab.name_en,
            lab.status.value if hasattr(lab.status, "value") else lab.status,
            "yes" if lab.is_model_lab else "no",
            cma.certificate_no if cma else None,
            cma.expires_on if cma else None,
            cnas.certificate_no if cnas else None,
            cnas.expires_on if cnas else None,
        ]


# --- History of a lab and of its certificates and contacts ---


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


def lab_history(lab: Lab, limit: int = 200) -> list[HistoryEntry]:
    """The newest history rows of the lab, its certificates and its contacts (deleted ones too)."""
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
    return list(db.session.scalars(stmt))
