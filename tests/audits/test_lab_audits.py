"""Lab managers log their own lab's self-inspections and internal audits, and nothing else's.

Through the pages and the API: their own lab yes (no choice of lab, only the lab's own kinds), another
lab no (422 for a lab code, exactly as a code that does not exist; 404 for its records), another kind
no (403 with the reason); the findings they raise go through the same rectification, checked and
accepted by the bureau, never by the lab itself.
"""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.audits.models import Audit, Finding
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from tests import factories as f
from tests.audits.conftest import PLAN


@pytest.fixture
def lab_world(app):
    """Two labs, the manager of each, an inspector, and a flight check of each lab (factories)."""
    own, other = f.LabFactory(code="SC-OWN"), f.LabFactory(code="SC-OTHER")
    inspector = f.UserFactory(role=Role.INSPECTOR, username="inspector")
    return {
        "own": own,
        "other": other,
        "manager": f.UserFactory(role=Role.LAB_MANAGER, username="manager-SC-OWN", lab=own),
        "other_manager": f.UserFactory(role=Role.LAB_MANAGER, username="manager-SC-OTHER", lab=other),
        "inspector": inspector,
        "own_check": f.AuditFactory(lab=own, reference="FC-2010-001", lead=inspector),
        "other_check": f.AuditFactory(lab=other, reference="FC-2010-002", lead=inspector),
    }


def _audits(**where) -> list[Audit]:
    db.session.expire_all()
    return db.session.scalars(select(Audit).filter_by(**where).order_by(Audit.id)).all()


AUDIT = {
    "kind": "self_inspection",
    "title": "Self-inspection of the food section",
    "started_on": "2010-04-12",
    "ended_on": "2010-04-16",
    "team": "Quality manager, two internal auditors",
    "documents_reviewed": "64",
    "instruments_checked": "31",
    "reports_sampled": "120",
    "status": "completed",
}


# --- pages -----------------------------------------------------------------------------------


def test_the_form_offers_only_the_labs_own_kinds_and_no_choice_of_lab(app, client, auth, lab_world):
    auth.login(lab_world["manager"])
    page = client.get("/audits/new").get_data(as_text=True)
    kinds = re.findall(r'<option[^>]*value="([a-z_]+)"', page.split('name="kind"')[1].split("</select>")[0])
    assert kinds == ["self_inspection", "internal_audit"]
    assert 'name="lab_id"' not in page and "SC-OWN" in page and "SC-OTHER" not in page
    leads = page.split('name="lead_id"')[1].split("</select>")[0]
    assert "manager-SC-OWN" in leads and "inspector" not in leads and "manager-SC-OTHER" not in leads
    assert 'id="new-audit"' in client.get("/audits/").get_data(as_text=True)


def test_a_lab_manager_records_a_self_inspection_of_their_own_lab(app, client, auth, lab_world):
    manager = auth.login(lab_world["manager"])
    data = dict(AUDIT, lead_id=str(manager.id), lab_id=str(lab_world["other"].id))  # a lab_id is ignored
    response = client.post("/audits/new", data=data)
    (audit,) = _audits(kind="self_inspection")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/audits/{audit.id}")
    assert audit.lab_id == lab_world["own"].id and audit.reference == "SI-2010-001"
    assert (audit.documents_reviewed, audit.instruments_checked, audit.reports_sampled) == (64, 31, 120)
    assert audit.lead_id == manager.id
    row = db.session.scalar(
        select(HistoryEntry).where(HistoryEntry.table_name == "audits", HistoryEntry.record_id == audit.id)
    )
    assert row.username == "manager-SC-OWN" and row.action == "insert"
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert 'id="new-finding"' in page and f"/audits/{audit.id}/edit" in page


def test_another_kind_is_refused_and_nothing_is_recorded(app, client, auth, lab_world):
    auth.login(lab_world["manager"])
    response = client.post("/audits/new", data=dict(AUDIT, kind="flight_check"))
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    assert _audits(kind="flight_check", lab_id=lab_world["own"].id) == [lab_world["own_check"]]
    assert len(_audits()) == 2


def test_a_lab_manager_raises_findings_only_in_their_own_labs_own_audits(app, client, auth, lab_world):
    auth.login(lab_world["manager"])
    client.post("/audits/new", data=AUDIT)
    (audit,) = _audits(kind="self_inspection")
    finding = {
        "severity": "minor",
        "area": "records",
        "clause": "7.5",
        "description": "Raw records in pencil.",
    }
    response = client.post(f"/audits/{audit.id}/findings/new", data=finding)
    created = db.session.scalar(select(Finding).where(Finding.audit_id == audit.id))
    assert response.status_code == 303 and created.raised_by.username == "manager-SC-OWN"
    assert created.lab_id == lab_world["own"].id and created.status == "open"
    assert created.due_on == date.today().fromordinal(created.raised_on.toordinal() + 60)
    # The bureau's flight check of the same lab: visible, but its findings are the bureau's.
    own_check = lab_world["own_check"].id
    refused = client.get(f"/audits/{own_check}/findings/new")
    assert refused.status_code == 403 and "raised by the bureau" in refused.get_data(as_text=True)
    assert client.post(f"/audits/{own_check}/findings/new", data=finding).status_code == 403
    assert client.get(f"/audits/{own_check}/edit").status_code == 403
    page = client.get(f"/audits/{own_check}").get_data(as_text=True)
    assert 'id="new-finding"' not in page and f"/audits/{own_check}/edit" not in page
    # Another lab's audits do not exist for them.
    other_check = lab_world["other_check"].id
    for path in (f"/audits/{other_check}/findings/new", f"/audits/{other_check}/edit"):
        assert client.get(path).status_code == 404, path
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


def test_a_lab_manager_edits_their_own_self_inspection(app, client, auth, lab_world):
    auth.login(lab_world["manager"])
    client.post("/audits/new", data=AUDIT)
    (audit,) = _audits(kind="self_inspection")
    assert client.get(f"/audits/{audit.id}/edit").status_code == 200
    response = client.post(
        f"/audits/{audit.id}/edit", data=dict(AUDIT, kind="internal_audit", reports_sampled="150")
    )
    assert response.status_code == 303
    (changed,) = _audits(id=audit.id)
    assert changed.kind == "internal_audit" and changed.reports_sampled == 150


def test_their_findings_are_checked_and_accepted_by_the_bureau_never_by_the_lab(app, client, auth, lab_world):
    manager = lab_world["manager"]
    auth.login(manager)
    client.post("/audits/new", data=AUDIT)
    (audit,) = _audits(kind="self_inspection")
    client.post(
        f"/audits/{audit.id}/findings/new",
        data={
            "severity": "major",
            "area": "quality_control",
            "clause": "7.7.1",
            "description": "No QC chart.",
        },
    )
    finding = db.session.scalar(select(Finding))
    plan = {"step": "submit_plan", "submit_plan-to": "plan_submitted", "submit_plan-version": "1"}
    plan.update({f"submit_plan-{k}": v for k, v in PLAN.items()})
    plan["submit_plan-action_target_on"] = date.today().isoformat()
    assert client.post(f"/audits/findings/{finding.id}/step", data=plan).status_code == 303
    page = client.get(f"/audits/findings/{finding.id}").get_data(as_text=True)
    assert "Accept the plan" not in page and "Plan submitted" in page
    accept = {"step": "accept_plan", "accept_plan-to": "plan_accepted", "accept_plan-version": "2"}
    refused = client.post(f"/audits/findings/{finding.id}/step", data=accept)
    assert refused.status_code == 403 and "never accepts its own" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "plan_submitted"
    auth.logout()
    auth.login(lab_world["inspector"])
    assert client.post(f"/audits/findings/{finding.id}/step", data=accept).status_code == 303
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == "plan_accepted"


# --- the API ---------------------------------------------------------------------------------

API_AUDIT = {
    "lab_code": "SC-OWN",
    "kind": "internal_audit",
    "title": "Annual internal audit",
    "started_on": "2010-09-06",
    "documents_reviewed": 40,
}


def test_api_a_lab_manager_records_their_own_labs_internal_audit(app, client, api_token, lab_world):
    _u, headers = api_token(user=lab_world["manager"])
    response = client.post("/api/v1/audits", headers=headers, json=API_AUDIT)
    assert response.status_code == 201, response.json
    assert response.json["reference"] == "IA-2010-001" and response.json["lab_code"] == "SC-OWN"
    assert response.headers["Location"].endswith(f"/api/v1/audits/{response.json['id']}")
    selfi = client.post("/api/v1/audits", headers=headers, json=dict(API_AUDIT, kind="self_inspection"))
    assert selfi.status_code == 201 and selfi.json["reference"] == "SI-2010-001"


@pytest.mark.parametrize(
    "kind", ["flight_check", "supervision_visit", "undercover_visit", "external_assessment"]
)
def test_api_another_kind_is_403_with_the_reason(app, client, api_token, lab_world, kind):
    _u, headers = api_token(user=lab_world["manager"])
    response = client.post("/api/v1/audits", headers=headers, json=dict(API_AUDIT, kind=kind))
    assert response.status_code == 403
    assert "self-inspections and internal audits" in response.json["message"]
    assert len(_audits()) == 2


def test_api_another_labs_code_is_answered_as_a_code_that_does_not_exist(app, client, api_token, lab_world):
    _u, headers = api_token(user=lab_world["manager"])
    other = client.post("/api/v1/audits", headers=headers, json=dict(API_AUDIT, lab_code="SC-OTHER"))
    missing = client.post("/api/v1/audits", headers=headers, json=dict(API_AUDIT, lab_code="SC-NONE"))
    assert other.status_code == missing.status_code == 422
    assert other.json["errors"] == missing.json["errors"] == {"lab_code": ["No such laboratory."]}
    assert len(_audits()) == 2


def test_api_patch_and_findings_of_own_other_and_bureau_audits(app, client, api_token, lab_world):
    _u, headers = api_token(user=lab_world["manager"])
    mine = client.post("/api/v1/audits", headers=headers, json=API_AUDIT).json["id"]
    own_check, other_check = lab_world["own_check"].id, lab_world["other_check"].id
    ok = client.patch(f"/api/v1/audits/{mine}", headers=headers, json={"reports_sampled": 12})
    assert ok.status_code == 200 and ok.json["reports_sampled"] == 12 and ok.json["documents_reviewed"] == 40
    assert (
        client.patch(f"/api/v1/audits/{own_check}", headers=headers, json={"reports_sampled": 1}).status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/audits/{other_check}", headers=headers, json={"title": "x"}).status_code == 404
    )
    to_check = client.patch(f"/api/v1/audits/{mine}", headers=headers, json={"kind": "flight_check"})
    assert to_check.status_code == 403 and "self-inspections" in to_check.json["message"]
    moved = client.patch(f"/api/v1/audits/{mine}", headers=headers, json={"lab_code": "SC-OTHER"})
    assert moved.status_code == 422 and moved.json["errors"] == {"lab_code": ["No such laboratory."]}
    body = {"severity": "minor", "area": "records", "clause": "7.5", "description": "Records in pencil."}
    raised = client.post(f"/api/v1/audits/{mine}/findings", headers=headers, json=body)
    assert raised.status_code == 201 and raised.json["raised_by"] == "manager-SC-OWN"
    bureau = client.post(f"/api/v1/audits/{own_check}/findings", headers=headers, json=body)
    assert bureau.status_code == 403 and "raised by the bureau" in bureau.json["message"]
    assert (
        client.post(f"/api/v1/audits/{other_check}/findings", headers=headers, json=body).status_code == 404
    )
    (audit,) = _audits(id=mine)
    assert (audit.kind, audit.lab_id) == ("internal_audit", lab_world["own"].id)


def test_api_leads_of_a_labs_own_audit(app, client, api_token, lab_world):
    _u, headers = api_token(user=lab_world["manager"])
    own_lead = client.post(
        "/api/v1/audits", headers=headers, json=dict(API_AUDIT, lead_id=lab_world["manager"].id)
    )
    assert own_lead.status_code == 201 and own_lead.json["lead"] == "manager-SC-OWN"
    stranger = client.post(
        "/api/v1/audits", headers=headers, json=dict(API_AUDIT, lead_id=lab_world["other_manager"].id)
    )
    assert stranger.status_code == 422 and "may not lead" in stranger.json["errors"]["lead_id"][0]


def test_api_a_lab_manager_closes_nothing_of_their_own(app, client, api_token, lab_world):
    _u, headers = api_token(user=lab_world["manager"])
    mine = client.post("/api/v1/audits", headers=headers, json=API_AUDIT).json["id"]
    body = {"severity": "minor", "area": "records", "clause": "7.5", "description": "Records in pencil."}
    finding = client.post(f"/api/v1/audits/{mine}/findings", headers=headers, json=body).json
    url = f"/api/v1/findings/{finding['id']}/transitions"
    plan = dict(PLAN, action_target_on=date.today().isoformat())
    assert (
        client.post(url, headers=headers, json={"to": "plan_submitted", "version": 1, **plan}).status_code
        == 200
    )
    accept = client.post(url, headers=headers, json={"to": "plan_accepted", "version": 2})
    assert accept.status_code == 403 and "never accepts its own" in accept.json["message"]
    cancel = client.post(url, headers=headers, json={"to": "cancelled", "version": 2, "comment": "Done."})
    assert cancel.status_code == 403 and "quality department" in cancel.json["message"]
    extend = client.post(
        f"/api/v1/findings/{finding['id']}/deadline",
        headers=headers,
        json={"due_on": "2030-01-01", "comment": "More time.", "version": 2},
    )
    assert extend.status_code == 403
    _i, inspector = api_token(user=lab_world["inspector"])
    assert client.post(url, headers=inspector, json={"to": "plan_accepted", "version": 2}).status_code == 200
