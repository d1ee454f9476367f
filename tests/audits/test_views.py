"""The audits pages: lists, audit and finding pages, every step through forms, isolation, bad input."""

import io
from datetime import date
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from labtrack.audits.models import Audit, EvidenceFile, Finding
from labtrack.audits.workflow import State
from labtrack.extensions import db
from tests.audits.conftest import PDF, PLAN, PNG
from tests.conftest import PASSWORD


def _get(finding_id):
    db.session.expire_all()
    return db.session.get(Finding, finding_id)


def _step(client, finding, name, fields, files=None):
    data = {"step": name, f"{name}-to": "", f"{name}-version": str(finding.version)}
    targets = {
        "submit_plan": "plan_submitted",
        "accept_plan": "plan_accepted",
        "reject_plan": "open",
        "submit_evidence": "evidence_submitted",
        "close": "closed",
        "reject_evidence": "plan_accepted",
        "cancel": "cancelled",
        "reopen": "open",
    }
    data[f"{name}-to"] = targets[name]
    data.update({f"{name}-{k}": v for k, v in fields.items()})
    if files:
        data[f"{name}-files"] = files
    return client.post(
        f"/audits/findings/{finding.id}/step",
        data=data,
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost.localdomain/audits/findings/{finding.id}"},  # as browsers do
    )


@pytest.mark.parametrize("role", ["admin", "quality", "inspector", "lab_manager", "viewer"])
def test_pages_answer_every_role(app, client, auth, make_finding, make_user, role):
    finding = make_finding()
    if role == "lab_manager":
        auth.login(make_user("lab_manager", lab=finding.lab))
    else:
        auth.login(role)
    for path in (
        "/audits/",
        "/audits/queue",
        "/audits/findings",
        f"/audits/{finding.audit_id}",
        f"/audits/{finding.audit_id}/report",
        f"/audits/findings/{finding.id}",
        "/audits/figures",
        f"/labs/{finding.lab.code}",
        "/audits/findings?overdue=1&status=active&audit_kind=round",
        "/audits/figures?by=lab&on=2010-06-30",
        "/audits/figures?by=nonsense&on=garbage",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert (client.get("/audits/new").status_code == 200) is (role in ("admin", "inspector", "lab_manager"))


def test_inspector_records_an_audit_and_raises_a_finding_with_a_file(app, client, auth, make_lab):
    lab = make_lab("SC-TC")
    inspector = auth.login("inspector")
    response = client.post(
        "/audits/new",
        data={
            "lab_id": lab.id,
            "kind": "flight_check",
            "title": "Unannounced check of the food lab",
            "started_on": "2010-05-10",
            "ended_on": "2010-05-11",
            "lead_id": inspector.id,
            "team": "Li Na, Wang Qiang",
            "documents_reviewed": "120",
            "instruments_checked": "85",
            "reports_sampled": "240",
            "status": "completed",
        },
    )
    audit = db.session.scalar(select(Audit))
    assert response.headers["Location"].endswith(f"/audits/{audit.id}")
    assert audit.reference == "FC-2010-001" and audit.instruments_checked == 85
    response = client.post(
        f"/audits/{audit.id}/findings/new",
        data={
            "severity": "major",
            "area": "equipment_traceability",
            "clause": "6.4",
            "description": "Balance 07 overdue for calibration.",
            "due_on": "",
            "files": (io.BytesIO(PNG), "balance.png"),
        },
        content_type="multipart/form-data",
    )
    finding = db.session.scalar(select(Finding))
    assert response.headers["Location"].endswith(f"/audits/findings/{finding.id}")
    assert finding.number == 1 and finding.files[0].filename == "balance.png"
    assert finding.due_on == date.today().fromordinal(finding.raised_on.toordinal() + 30)
    page = client.get(f"/audits/{audit.id}/report").get_data(as_text=True)
    assert "Balance 07 overdue" in page and "6.4 Equipment" in page


def test_audit_form_refuses_bad_input_without_error(app, client, auth):
    auth.login("inspector")
    response = client.post(
        "/audits/new",
        data={"lab_id": "x", "kind": "party", "started_on": "tomorrow", "documents_reviewed": "-5"},
    )
    assert response.status_code == 422 and "Please correct" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 0


@freeze_time("2010-06-01")
def test_the_whole_workflow_through_the_pages(app, client, auth, make_finding, make_user):
    finding = make_finding()
    manager = make_user("lab_manager", lab=finding.lab)
    inspector = make_user("inspector")
    auth.login(manager)
    page = client.get(f"/audits/findings/{finding.id}").get_data(as_text=True)
    assert "Submit the rectification plan" in page and "Accept the plan" not in page
    response = _step(client, finding, "submit_plan", PLAN)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:3000]
    assert _get(finding.id).status == "plan_submitted"
    auth.logout()
    auth.login(inspector)
    _step(client, _get(finding.id), "accept_plan", {"comment": "Adequate."})
    assert _get(finding.id).status == "plan_accepted"
    auth.logout()
    auth.login(manager)
    response = _step(
        client,
        _get(finding.id),
        "submit_evidence",
        {"evidence_text": "Records attached."},
        files=[(io.BytesIO(PDF), "training-record.pdf")],
    )
    assert _get(finding.id).status == "evidence_submitted"
    auth.logout()
    auth.login(inspector)
    response = _step(
        client, _get(finding.id), "close", {"effectiveness_review": "Effective.", "password": "nope"}
    )
    assert response.status_code == 422 and "password is not correct" in response.get_data(as_text=True)
    assert _get(finding.id).status == "evidence_submitted"
    _step(client, _get(finding.id), "close", {"effectiveness_review": "Effective.", "password": PASSWORD})
    closed = _get(finding.id)
    assert closed.status == "closed" and closed.closed_by_id == inspector.id
    history = client.get(f"/audits/findings/{finding.id}").get_data(as_text=True)
    assert history.count("status") >= 4


def test_stale_form_is_refused_with_a_message(app, client, auth, make_finding, make_user):
    finding = make_finding(status=State.PLAN_SUBMITTED)
    auth.login("inspector")
    stale = SimpleNamespace(id=finding.id, version=finding.version)  # the page as it was read
    _step(client, stale, "accept_plan", {})
    # The page still offered "reject the plan" (version 1): that step no longer exists.
    response = _step(client, stale, "reject_plan", {"comment": "too late"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"http://localhost.localdomain/audits/findings/{finding.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This step is not possible now: the finding is Plan accepted." in page
    # A step that exists, taken from a page read before someone else's save.
    auth.logout()
    auth.login(make_user("quality"))
    response = _step(client, stale, "cancel", {"comment": "Duplicate."})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else saved this finding meanwhile" in page
    assert _get(finding.id).status == "plan_accepted"


def test_step_form_with_missing_fields_rerenders_with_messages(app, client, auth, make_finding, make_user):
    finding = make_finding()
    auth.login(make_user("lab_manager", lab=finding.lab))
    response = _step(client, finding, "submit_plan", {"root_cause": "", "action_target_on": "not a date"})
    assert response.status_code == 422
    assert "Please correct the fields marked below" in response.get_data(as_text=True)
    assert _get(finding.id).status == "open"


def test_lab_manager_of_another_lab_gets_404_everywhere(app, client, auth, make_finding, make_user, make_lab):
    finding = make_finding(status=State.PLAN_ACCEPTED)
    finding.files.append(
        EvidenceFile(
            sha256="a" * 64,
            filename="x.pdf",
            size=3,
            kind="pdf",
            content_type="application/pdf",
            stage="finding",
        )
    )
    db.session.commit()
    auth.login(make_user("lab_manager", lab=make_lab()))
    file_id = finding.files[0].id
    for path in (
        f"/audits/findings/{finding.id}",
        f"/audits/{finding.audit_id}",
        f"/audits/{finding.audit_id}/report",
        f"/audits/findings/{finding.id}/files/{file_id}",
    ):
        assert client.get(path).status_code == 404, path
    assert _step(client, finding, "submit_evidence", {"evidence_text": "x"}).status_code == 404
    assert client.post(f"/audits/findings/{finding.id}/files", data={}).status_code == 404
    listing = client.get("/audits/findings").get_data(as_text=True)
    assert finding.label not in listing


def test_download_for_those_who_may_see(app, client, auth, make_finding, make_user):
    from labtrack.audits import rectification

    finding = make_finding()
    inspector = make_user("inspector")
    rectification.add_files(finding, [("../../etc/report.pdf", PDF)], inspector)
    record = finding.files[0]
    assert record.filename == "report.pdf"
    auth.login(make_user("lab_manager", lab=finding.lab))
    response = client.get(f"/audits/findings/{finding.id}/files/{record.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()
    assert client.get(f"/audits/findings/{finding.id}/files/{record.id + 99}").status_code == 404


def test_upload_refusals_are_messages(app, client, auth, make_finding):
    finding = make_finding()
    auth.login("inspector")
    response = client.post(
        f"/audits/findings/{finding.id}/files",
        data={"upload-files": (io.BytesIO(b"<html><script>x</script>"), "photo.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "photo.png is not a PDF" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(
        f"/audits/findings/{finding.id}/files",
        data={"upload-files": (io.BytesIO(PNG + b"\x00" * 5000), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0


def test_quality_extends_a_deadline_through_the_page(app, client, auth, make_finding):
    finding = make_finding(due_on=date(2010, 6, 9))
    auth.login("quality")
    response = client.post(
        f"/audits/findings/{finding.id}/deadline",
        data={"extend-version": "1", "extend-due_on": "2010-07-09", "extend-comment": "Supplier delay."},
    )
    assert response.status_code in (302, 303)
    assert _get(finding.id).due_on == date(2010, 7, 9)
    response = client.post(
        f"/audits/findings/{finding.id}/deadline",
        data={"extend-version": "2", "extend-due_on": "2010-07-01", "extend-comment": "x"},
    )
    assert response.status_code == 422 and "must be later" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/audits/new",
        "/audits/1/edit",
        "/audits/1/findings/new",
        "/audits/findings/1/step",
        "/audits/findings/1/deadline",
        "/audits/findings/1/files",
        "/audits/findings/1/edit",
    ],
)
def test_malformed_posts_never_give_a_500(app, client, auth, make_finding, path):
    make_finding()
    auth.login("admin")
    for data in (
        {},
        {"step": "close", "close-version": "abc", "close-to": "closed"},
        {"step": "nonsense"},
        {"lab_id": "999", "kind": "x" * 500, "started_on": "2010-13-45"},
        {"extend-due_on": "0000-00-00", "extend-version": ""},
        {"files": "not-a-file"},
        {
            "step": "submit_plan",
            "submit_plan-to": "closed",
            "submit_plan-version": "1",
            **{f"submit_plan-{k}": v for k, v in PLAN.items()},
        },
    ):
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, data, response.status_code)


def test_pages_in_chinese(app, client, auth, make_finding):
    finding = make_finding()
    auth.login("quality")
    client.post("/language/zh_Hans_CN", data={"next": "/"})
    page = client.get(f"/audits/findings/{finding.id}").get_data(as_text=True)
    assert "撤销该问题" in page and "质量控制" in page and "严重" in page
    figures_page = client.get("/audits/figures?by=area").get_data(as_text=True)
    assert "关闭率" in figures_page and "质量控制" in figures_page
