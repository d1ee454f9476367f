"""Issue 8's "found" list, in the audits area: every case answers 4xx with a clear message, or works.

Years out of range, integers beyond what a database key holds, lone surrogates, "$...$" in chart
labels; and the API as its OpenAPI document says (timezone-aware datetimes, nullable fields, PATCH
partial).
"""

import io
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from labtrack.audits import figures, rectification, service
from labtrack.audits.forms import AuditForm, FindingForm, PlanForm
from labtrack.audits.models import Audit, AuditKind, Finding
from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.services import InvalidInput
from tests.audits.conftest import PDF, PLAN

BIG = 2**63  # one beyond the largest key a database holds
HUGE = 10**30
SURROGATE = "\udb0f"


# --- years -----------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["-1", "10000", "0", "1899", "2200", "abc"])
def test_api_lists_refuse_a_year_out_of_range(app, client, api_token, year):
    _u, headers = api_token("viewer")
    response = client.get(f"/api/v1/audits?year={year}", headers=headers)
    assert response.status_code == 422 and "year" in response.json["errors"]


def test_api_year_filter_works_within_range(app, client, api_token, make_audit):
    make_audit(started_on=date(2010, 5, 10))
    make_audit(started_on=date(2011, 1, 3), reference="FC-2011-001")
    _u, headers = api_token("viewer")
    body = client.get("/api/v1/audits?year=2011", headers=headers).json
    assert [a["reference"] for a in body["items"]] == ["FC-2011-001"]


@pytest.mark.parametrize("year", ["-1", "10000", "abc", str(HUGE)])
def test_the_page_ignores_a_bad_year_and_says_so(app, client, auth, make_audit, year):
    make_audit()
    auth.login("inspector")
    response = client.get(f"/audits/?year={year}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The year filter was ignored." in page
    assert "FC-2010-001" in page  # the list, unfiltered


def test_the_service_refuses_a_year_out_of_range(app, make_user):
    with pytest.raises(InvalidInput) as exc:
        service.audits_query(make_user("viewer"), year=-1)
    assert set(exc.value.errors) == {"year"}


# --- integers beyond 2^63 - 1 ------------------------------------------------------------------


@pytest.mark.parametrize("page", [str(BIG), str(HUGE), "0", "-3"])
def test_api_list_pages_beyond_a_database_integer_are_422(app, client, api_token, page):
    _u, headers = api_token("viewer")
    for path in ("/api/v1/audits", "/api/v1/findings"):
        response = client.get(f"{path}?page={page}", headers=headers)
        assert response.status_code == 422 and "page" in response.json["errors"], path


@pytest.mark.parametrize("page", [str(BIG), str(HUGE), "-1", "x"])
def test_page_lists_take_a_silly_page_as_the_first(app, client, auth, make_finding, page):
    make_finding()
    auth.login("viewer")
    for path in ("/audits/", "/audits/findings"):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200 and "FC-2010-001" in response.get_data(as_text=True), path


@pytest.mark.parametrize("lead_id", [BIG, HUGE, -1, 0.5, "x"])
def test_api_lead_id_beyond_a_key_is_422(app, client, api_token, make_lab, lead_id):
    make_lab("SC-TC")
    _u, headers = api_token("inspector")
    body = {
        "lab_code": "SC-TC",
        "kind": "flight_check",
        "title": "t",
        "started_on": "2010-01-01",
        "lead_id": lead_id,
    }
    response = client.post("/api/v1/audits", headers=headers, json=body)
    assert response.status_code == 422 and set(response.json["errors"]) == {"lead_id"}
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 0


def test_api_patch_lead_id_and_counts_beyond_limits_are_422(app, client, api_token, make_audit):
    audit = make_audit()
    _u, headers = api_token("inspector")
    response = client.patch(
        f"/api/v1/audits/{audit.id}", headers=headers, json={"lead_id": BIG, "reports_sampled": HUGE}
    )
    assert response.status_code == 422 and set(response.json["errors"]) == {"lead_id", "reports_sampled"}


def test_the_service_refuses_ids_beyond_a_key(app, make_lab, make_user):
    lab = make_lab()
    with pytest.raises(InvalidInput) as exc:
        service.create_audit(
            {
                "lab_id": BIG,
                "kind": "flight_check",
                "title": "t",
                "started_on": "2010-01-01",
                "lead_id": HUGE,
            },
            make_user("inspector"),
        )
    assert set(exc.value.errors) == {"lab_id", "lead_id"}
    assert lab.id  # the lab exists; the refusal named the fields


@pytest.mark.parametrize("version", [BIG, HUGE, "x", -1])
def test_versions_beyond_a_key_are_422(app, client, api_token, make_finding, version):
    finding = make_finding(status=State.PLAN_SUBMITTED)
    _u, headers = api_token("quality")
    step = client.post(
        f"/api/v1/findings/{finding.id}/transitions",
        headers=headers,
        json={"to": "plan_accepted", "version": version},
    )
    assert step.status_code == 422 and set(step.json["errors"]) == {"version"}
    deadline = client.post(
        f"/api/v1/findings/{finding.id}/deadline",
        headers=headers,
        json={"due_on": "2011-01-01", "comment": "x", "version": version},
    )
    assert deadline.status_code == 422 and "version" in deadline.json["errors"]


@pytest.mark.parametrize(
    "path", ["/api/v1/audits/{big}", "/api/v1/findings/{big}", "/api/v1/findings/1/evidence/{big}"]
)
def test_ids_beyond_a_key_in_paths_are_404(app, client, api_token, make_finding, path):
    make_finding()
    _u, headers = api_token("admin")
    assert client.get(path.format(big=BIG), headers=headers).status_code == 404


# --- lone surrogates ---------------------------------------------------------------------------


def test_api_json_with_a_lone_surrogate_is_422_naming_the_field(app, client, api_token, make_finding):
    finding = make_finding()
    _u, headers = api_token("admin")
    body = '{"to": "cancelled", "version": 1, "comment": "dup\\udb0f"}'
    response = client.post(
        f"/api/v1/findings/{finding.id}/transitions",
        headers=headers,
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 422 and set(response.json["errors"]) == {"comment"}


def test_services_refuse_lone_surrogates(app, make_lab, make_user, make_finding):
    inspector = make_user("inspector")
    with pytest.raises(InvalidInput) as exc:
        service.create_audit(
            {"lab_id": make_lab().id, "kind": "flight_check", "title": f"x{SURROGATE}", "started_on": "2010-01-01",
             "team": SURROGATE, "summary": f"a{SURROGATE}"},
            inspector,
        )  # fmt: skip
    assert set(exc.value.errors) == {"title", "team", "summary"}
    finding = make_finding()
    with pytest.raises(InvalidInput) as exc:
        service.raise_finding(
            finding.audit,
            {"severity": "minor", "area": "records", "clause": "7.5", "description": SURROGATE},
            inspector,
        )
    assert set(exc.value.errors) == {"description"}
    manager = make_user("lab_manager", lab=finding.lab)
    with pytest.raises(InvalidInput) as exc:
        rectification.transition(
            finding,
            "plan_submitted",
            dict(PLAN, root_cause=SURROGATE, action_owner=SURROGATE),
            manager,
            version=1,
        )
    assert set(exc.value.errors) == {"root_cause", "action_owner"}
    with pytest.raises(InvalidInput) as exc:
        rectification.extend_deadline(finding, "2011-01-01", SURROGATE, make_user("quality"), version=1)
    assert set(exc.value.errors) == {"comment"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1
    assert db.session.get(Finding, finding.id).status == "open"


@pytest.mark.parametrize(
    ("form_class", "data", "field"),
    [
        (
            FindingForm,
            {"severity": "minor", "area": "records", "clause": "7.5", "description": SURROGATE},
            "description",
        ),
        (
            PlanForm,
            {"to": "plan_submitted", "version": "1", **PLAN, "correction": f"a{SURROGATE}"},
            "correction",
        ),
        (
            AuditForm,
            {"kind": "flight_check", "title": SURROGATE, "started_on": "2010-01-01", "status": "planned"},
            "title",
        ),
    ],
)
def test_forms_refuse_lone_surrogates(app, form_class, data, field):
    with app.test_request_context(method="POST"):
        form = form_class(formdata=MultiDict(data))
        if form_class is AuditForm:
            form.offer([AuditKind.FLIGHT_CHECK], None, [])
        assert not form.validate()
        assert "lone surrogates" in " ".join(form.errors[field])


# --- "$...$" is text, never mathtext -------------------------------------------------------------


@pytest.mark.parametrize("label", ["$\\frac{1}{$", "$x^$", "Cost $5 and $6", "$\\undefinedcommand$"])
def test_chart_labels_are_never_parsed_as_mathtext(app, label):
    rows = [
        {
            "label": label,
            "active": 2,
            "closure_rate": 0.5,
            "buckets": {"0-30": 1, "31-60": 1, "61-90": 0, ">90": 0},
        }
    ]
    with app.test_request_context():
        ageing = figures.ageing_chart(rows, f"By {label}")
        closure = figures.closure_chart(rows, label)
    # Drawn in the browser from JSON: the label is data, carried as it was typed.
    assert ageing["yAxis"]["data"] == [label] and closure["yAxis"]["data"] == [label]
    assert ageing["title"] == f"By {label}"


@freeze_time("2010-09-30")
def test_the_figures_page_answers_with_a_dollar_region(app, client, auth, make_lab, make_finding):
    lab = make_lab("SC-$", region="$\\frac{Zigong}{$")
    make_finding(lab=lab)
    auth.login("quality")
    response = client.get("/audits/figures?by=region")
    assert response.status_code == 200 and "$\\frac{Zigong}{$" in response.get_data(as_text=True)
    assert client.get("/audits/figures?by=lab").status_code == 200


@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31", "garbage"])
def test_the_figures_page_ignores_a_date_out_of_range(app, client, auth, make_finding, on):
    make_finding()
    auth.login("quality")
    response = client.get(f"/audits/figures?on={on}")
    assert response.status_code == 200 and "The date was ignored." in response.get_data(as_text=True)


# --- the API as its OpenAPI document says --------------------------------------------------------


def test_datetimes_are_timezone_aware_utc(app, client, api_token, make_finding, make_user):
    finding = make_finding(status=State.PLAN_ACCEPTED)
    rectification.add_files(finding, [("r.pdf", PDF)], make_user("inspector"))
    _u, headers = api_token("admin")
    body = client.get(f"/api/v1/findings/{finding.id}", headers=headers).json
    assert body["files"][0]["uploaded_at"].endswith("Z")
    assert all(h["at"].endswith("Z") for h in body["history"])
    audit = client.get(f"/api/v1/audits/{finding.audit_id}", headers=headers).json
    assert audit["created_at"].endswith("Z") and audit["lead"] is None


def test_the_openapi_document_declares_what_the_api_answers(app, client):
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    finding, audit = schemas["FindingDetail"]["properties"], schemas["Audit"]["properties"]
    for name in ("signed_at", "closed_by", "audit_id", "audit_reference", "root_cause", "action_target_on"):
        assert finding[name].get("nullable") is True, name
    assert finding["signed_at"]["format"] == "date-time" and finding["history"]["type"] == "array"
    for name in ("lead", "lead_id", "ended_on", "team", "summary"):
        assert audit[name].get("nullable") is True, name
    assert "required" not in schemas["AuditPatch"]  # PATCH is partial
    assert set(schemas["AuditIn"]["required"]) == {"lab_code", "kind", "title", "started_on"}
    patch = spec["paths"]["/api/v1/audits/{audit_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/AuditPatch")
    assert "patch" in spec["paths"]["/api/v1/findings/{finding_id}"]


def test_patch_of_a_finding_is_partial_and_needs_the_version(app, client, api_token, make_finding):
    finding = make_finding()
    _u, headers = api_token("inspector")
    url = f"/api/v1/findings/{finding.id}"
    ok = client.patch(
        url, headers=headers, json={"severity": "minor", "version": 1, "comment": "Downgraded."}
    )
    assert ok.status_code == 200 and (ok.json["severity"], ok.json["area"]) == ("minor", "quality_control")
    assert ok.json["history"][0]["comment"] == "Downgraded."
    assert client.patch(url, headers=headers, json={"severity": "major"}).status_code == 422
    assert client.patch(url, headers=headers, json={"severity": "major", "version": 1}).status_code == 409
    closed = make_finding(status=State.CLOSED)
    assert (
        client.patch(f"/api/v1/findings/{closed.id}", headers=headers, json={"version": 1}).status_code == 409
    )


def test_upload_form_refusals_are_shown_beside_the_files(app, client, auth, make_finding):
    finding = make_finding()
    auth.login("inspector")
    response = client.post(
        f"/audits/findings/{finding.id}/files",
        data={"upload-files": (io.BytesIO(b"<html>"), "photo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "photo.png is not a PDF" in response.get_data(as_text=True)
