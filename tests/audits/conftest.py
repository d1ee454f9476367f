"""Fixtures of the audits area: audits, findings in any state, evidence files."""

import io
import zipfile
from collections.abc import Callable
from datetime import date

import pytest

from labtrack.audits.models import Audit, AuditKind, AuditStatus, Finding
from labtrack.audits.workflow import State
from labtrack.auth.models import User
from labtrack.extensions import db
from tests import factories as f

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
    """An audit of a lab (a new lab unless given), with no lead and nothing reviewed unless given;
    references FC-2010-001, -002… in the order a test makes them."""
    counter = iter(range(1, 10_000))

    def make(lab=None, kind=AuditKind.FLIGHT_CHECK, **fields) -> Audit:
        n = next(counter)
        defaults = {
            "reference": f"FC-2010-{n:03d}",
            "title": f"Audit {n}",
            "started_on": date(2010, 5, 10),
            "ended_on": None,
            "lead": None,
            "status": AuditStatus.COMPLETED,
            "documents_reviewed": 0,
            "instruments_checked": 0,
            "reports_sampled": 0,
        }
        if "lead_id" in fields:  # the factory builds a lead unless given one
            fields["lead"] = db.session.get(User, fields.pop("lead_id"))
        return f.AuditFactory(lab=lab or make_lab(), kind=kind, **{**defaults, **fields})

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
        fields.setdefault("due_on", date(2010, 6, 9))
        return f.FindingFactory(audit=audit, status=status, **fields)

    return make
