"""The audit and finding forms' guards (issue 10): no laboratory proposed that the user did not pick,
clauses that belong to the chosen area (offered by the page, enforced by the service), and
findings numbered 1, 2, 3 within their audit."""

import json
import re

import pytest
from sqlalchemy import select

from labtrack.audits import service
from labtrack.audits.clauses import AREA_CLAUSES, CLAUSES, clause_fits
from labtrack.audits.models import Area, Audit, Finding
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.services import InvalidInput

ZH = {"Accept-Language": "zh-CN"}
AUDIT = {
    "kind": "flight_check",
    "title": "Unannounced visit",
    "started_on": "2010-05-10",
    "status": "planned",
    "documents_reviewed": "0",
    "instruments_checked": "0",
    "reports_sampled": "0",
}


def test_the_audit_form_preselects_no_laboratory(client, auth, make_lab):
    make_lab("AAA-1")
    auth.login(Role.INSPECTOR)
    page = client.get("/audits/new").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="lab_id".*?</select>', page, re.S).group(0)
    assert "required" in select_html.split(">")[0]
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select_html)
    assert options[0] == (' value="0"', "Choose a laboratory…")
    assert not any("selected" in attrs for attrs, _ in options)
    # Coming from a lab's page the lab is chosen for the user.
    lab = make_lab("BBB-2")
    page = client.get(f"/audits/new?lab_id={lab.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{lab.id}"|<option value="{lab.id}" selected', page)


@pytest.mark.parametrize("lab_id", [None, "", "0"])
def test_an_audit_without_a_chosen_laboratory_is_refused_not_filed_on_the_first(
    client, auth, make_lab, lab_id
):
    make_lab("AAA-1")
    auth.login(Role.INSPECTOR)
    data = dict(AUDIT) if lab_id is None else {**AUDIT, "lab_id": lab_id}
    response = client.post("/audits/new", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(Audit.id)) is None
    assert "This field is required." in response.get_data(as_text=True)


def test_every_area_offers_known_clauses_and_every_clause_belongs_somewhere():
    assert set(AREA_CLAUSES) == {a.value for a in Area}
    offered = {c for clauses in AREA_CLAUSES.values() for c in clauses}
    assert offered == set(CLAUSES)
    assert clause_fits("personnel_training", "6.2") and not clause_fits("personnel_training", "7.7.2")
    assert clause_fits(None, "6.2")  # no area: the parser names that field, not the clause


def test_the_finding_form_tells_the_browser_which_clauses_each_area_offers(client, auth, make_audit):
    audit = make_audit()
    auth.login(Role.INSPECTOR)
    page = client.get(f"/audits/{audit.id}/findings/new").get_data(as_text=True)
    attribute = (
        re.search(r'data-clauses="([^"]*)"', page).group(1).replace("&#34;", '"').replace("&quot;", '"')
    )
    assert json.loads(attribute)["records"] == ["7.5", "7.11", "8.4"]
    assert 'data-clauses-for="clause"' in page


def test_a_clause_outside_the_area_is_refused_beside_the_clause(client, auth, make_audit):
    audit = make_audit()
    auth.login(Role.INSPECTOR)
    data = {
        "severity": "minor",
        "area": "personnel_training",
        "clause": "7.7.2",
        "description": "No training.",
    }
    response = client.post(f"/audits/{audit.id}/findings/new", data=data)
    assert response.status_code == 422 and db.session.scalar(select(Finding.id)) is None
    assert "Clause 7.7.2 is not one a finding of this area cites." in response.get_data(as_text=True)
    zh = client.post(f"/audits/{audit.id}/findings/new", data=data, headers=ZH)
    assert zh.status_code == 422 and "7.7.2" in zh.get_data(as_text=True)
    assert client.post(f"/audits/{audit.id}/findings/new", data={**data, "clause": "6.2"}).status_code == 303


def test_correcting_only_the_area_or_only_the_clause_keeps_them_consistent(app, make_audit, make_user):
    inspector = make_user(Role.INSPECTOR)
    audit = make_audit()
    data = {"severity": "minor", "area": "records", "clause": "7.5", "description": "Records in pencil."}
    finding = service.raise_finding(audit, data, inspector)
    with pytest.raises(InvalidInput) as refused:
        service.update_finding(finding, {"area": "personnel_training"}, inspector, finding.version)
    assert set(refused.value.errors) == {"clause"}
    with pytest.raises(InvalidInput):
        service.update_finding(finding, {"clause": "6.4"}, inspector, finding.version)
    service.update_finding(
        finding, {"area": "personnel_training", "clause": "6.2"}, inspector, finding.version
    )
    assert db.session.get(Finding, finding.id).clause == "6.2"


def test_findings_of_an_audit_are_numbered_without_gaps(app, make_audit, make_user):
    inspector = make_user(Role.INSPECTOR)
    audit = make_audit()
    data = {"severity": "minor", "area": "records", "clause": "7.5", "description": "x"}
    for _ in range(3):
        service.raise_finding(audit, data, inspector)
    assert db.session.scalars(select(Finding.number).order_by(Finding.number)).all() == [1, 2, 3]


def test_quality_is_told_how_many_wait_for_verification_not_only_its_own(client, auth):
    from tests.factories import FindingFactory

    auth.login(Role.QUALITY)  # quality leads no audit: every waiting finding is someone else's
    FindingFactory(plan_submitted=True)
    FindingFactory(plan_submitted=True)
    FindingFactory(evidence_submitted=True)
    FindingFactory()  # open: the laboratory's turn, not a verifier's
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="dash-verify-total">\s*3\s*<', html)
    assert "Awaiting verification" in html and "Awaiting my verification" not in html


def test_the_finding_page_says_whose_turn_it_is(client, auth, make_user):
    from tests.factories import FindingFactory

    finding = FindingFactory(plan_submitted=True)
    manager = make_user(Role.LAB_MANAGER, lab=finding.lab)
    auth.login(manager)
    page = client.get(f"/audits/findings/{finding.id}").get_data(as_text=True)
    assert 'id="next-step"' in page and "An inspector or the quality department" in page
    assert "reviews the plan" in page and "your turn" not in page  # the manager waits
    assert "version " not in page.split('id="finding-status"')[1].split("</div>")[0]
    auth.logout()
    auth.login(Role.INSPECTOR)
    page = client.get(f"/audits/findings/{finding.id}", headers=ZH).get_data(as_text=True)
    assert "检查员或质量管理部" in page and "轮到您处理" in page


def test_one_upload_place_while_evidence_is_submitted(client, auth, make_user):
    from tests.factories import FindingFactory

    finding = FindingFactory(plan_accepted=True)
    auth.login(make_user(Role.LAB_MANAGER, lab=finding.lab))
    page = client.get(f"/audits/findings/{finding.id}").get_data(as_text=True)
    assert page.count('type="file"') == 1 and 'id="files-with-evidence"' in page


def test_recording_an_audit_says_what_happens_next(client, auth, make_lab):
    lab = make_lab("AAA-1")
    auth.login(Role.INSPECTOR)
    response = client.post("/audits/new", data={**AUDIT, "lab_id": str(lab.id)})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Audit FC-2010-001 recorded. Next: The team carries out the audit" in page
    assert 'id="next-step"' in page
