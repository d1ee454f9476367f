"""Fixtures of the audits area: audits, findings in any state, evidence files."""

import io
import zipfile
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.audits.models import Audit, AuditKind, AuditStatus, Finding, FindingSource
from labtrack.audits.workflow import State
from labtrack.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    """A minimal OOXML word document (zip with [Content_Types].xml and word/)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def make_audit(make_lab) -> Callable[..., Audit]:
    """An audit of a lab (a new lab unless given)."""
    counter = iter(range(1, 10_000))

    def make(lab=None, kind=AuditKind.FLIGHT_CHECK, **fields) -> Audit:
        n = next(counter)
        audit = Audit(
            reference=fields.pop("reference", f"FC-2010-{n:03d}"),
            lab_id=(lab or make_lab()).id,
            kind=kind,
            title=fields.pop("title", f"Audit {n}"),
            started_on=fields.pop("started_on", date(2010, 5, 10)),
            status=fields.pop("status", AuditStatus.COMPLETED),
            **fields,
        )
        db.session.add(audit)
        db.session.commit()
        return audit

    return make


PLAN = {
    "root_cause": "Staff were not trained on the revised procedure.",
    "root_cause_method": "five_whys",
    "correction": "Withdrew the affected reports and re-tested the samples.",
    "occurs_elsewhere": "Checked the other two sections: not found there.",
    "corrective_action": "Training on the procedure and a monthly check by the quality supervisor.",
    "action_owner": "Zhang Wei, quality supervisor",
    "action_target_on": "2010-07-31",
}


@pytest.fixture
def make_finding(make_audit) -> Callable[..., Finding]:
    """A finding of an audit, set directly into any state (for table tests)."""

    def make(audit=None, status=State.OPEN, lab=None, **fields) -> Finding:
        audit = audit or make_audit(lab=lab)
        number = (
            db.session.scalar(select(func.max(Finding.number)).where(Finding.audit_id == audit.id)) or 0
        ) + 1
        finding = Finding(
            audit_id=audit.id,
            lab_id=audit.lab_id,
            number=number,
            source=FindingSource.AUDIT,
            severity=fields.pop("severity", "major"),
            area=fields.pop("area", "quality_control"),
            clause=fields.pop("clause", "7.7.1"),
            description=fields.pop("description", "No internal quality control for lead in ceramics."),
            raised_on=fields.pop("raised_on", date(2010, 5, 10)),
            due_on=fields.pop("due_on", date(2010, 6, 9)),
            status=status,
            **fields,
        )
        db.session.add(finding)
        db.session.commit()
        return finding

    return make
