"""Laboratory rules: listing with filters, creating, editing, deactivating."""

from typing import Any

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from labtrack.auth.permissions import can_see_lab, lab_scope_id
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind, LabStatus
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


def validate_lab(data: dict[str, Any], lab: Lab | None = None) -> None:
    """Check the rules a form or schema cannot: unique code, known kind and status."""
    errors: dict[str, list[str]] = {}
    code = (data.get("code") or (lab.code if lab else "")).strip()
    if not code:
        errors.setdefault("code", []).append(_("A code is required."))
    else:
        clash = db.session.scalar(
            select(Lab.id).where(func.lower(Lab.code) == code.lower(), Lab.id != (lab.id if lab else -1))
        )
        if clash is not None:
            errors.setdefault("code", []).append(_("Another laboratory already has code %(code)s.", code=code))
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
    validate_lab(data, lab)
    for key, value in data.items():
        if key in EDITABLE:
            setattr(lab, key, value.strip() if key == "code" else value)
    act_as(actor)
    commit()
    return lab


def deactivate_lab(lab: Lab, actor: Any, status: LabStatus = LabStatus.CLOSED) -> Lab:
    """Take a lab out of operation (its records stay)."""
    lab.status = status
    act_as(actor)
    commit()
    return lab
