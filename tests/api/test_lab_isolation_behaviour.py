"""A lab manager's API is their own lab's (DESIGN "Roles": a lab manager asking for another lab's
record gets 404, not 403, so as not to reveal that it exists): every lab-scoped read and write of
another lab answers 404 in the one error shape, the same as a lab that does not exist, and lists
filtered by another lab are empty. The same calls on their own lab answer."""

import pytest

from labtrack.audits.models import AuditKind
from labtrack.auth.permissions import Role
from tests import factories as f


@pytest.fixture
def two_labs(app):
    """OWN-1 (the manager's) and OTHER-1, each with an audit and a finding."""
    own, other = f.LabFactory(code="OWN-1"), f.LabFactory(code="OTHER-1")
    records = {}
    for lab in (own, other):
        audit = f.AuditFactory(lab=lab, kind=AuditKind.FLIGHT_CHECK)
        records[lab.code] = {"audit": audit.id, "finding": f.FindingFactory(audit=audit).id}
    manager, headers = f.bearer(role=Role.LAB_MANAGER, lab=own, username="manager-OWN-1")
    return {"headers": headers, "records": records, "manager": manager}


def _reads(code, ids):
    return [
        f"/api/v1/labs/{code}",
        f"/api/v1/labs/{code}/scope",
        f"/api/v1/labs/{code}/growth?from=2010-01-01&to=2010-12-31",
        f"/api/v1/labs/{code}/staff",
        f"/api/v1/labs/{code}/risk",
        f"/api/v1/audits/{ids['audit']}",
        f"/api/v1/findings/{ids['finding']}",
    ]


def test_every_read_of_another_lab_is_404_like_a_lab_that_does_not_exist(client, two_labs):
    h = two_labs["headers"]
    ghost = {"audit": 987654, "finding": 987654}
    for other, missing in zip(
        _reads("OTHER-1", two_labs["records"]["OTHER-1"]), _reads("NO-SUCH", ghost), strict=True
    ):
        answer, absent = client.get(other, headers=h), client.get(missing, headers=h)
        assert answer.status_code == 404, other
        assert absent.status_code == 404, missing
        assert set(answer.json) >= {"code", "status", "message", "errors"}
        assert (answer.json["code"], answer.json["status"]) == (404, "Not Found")


def test_the_same_reads_of_their_own_lab_answer(client, two_labs):
    h = two_labs["headers"]
    for url in _reads("OWN-1", two_labs["records"]["OWN-1"]):
        # a lab never graded has no risk grade to show anyone (404 says so, in words)
        expected = 404 if url.endswith("/risk") else 200
        assert client.get(url, headers=h).status_code == expected, url


def test_lists_filtered_by_another_lab_are_empty_and_unfiltered_lists_are_theirs(client, two_labs):
    h = two_labs["headers"]
    for url in ("/api/v1/findings?lab=OTHER-1", "/api/v1/audits?lab=OTHER-1"):
        body = client.get(url, headers=h).json
        assert body["items"] == [] and body["meta"]["total"] == 0, url
    findings = client.get("/api/v1/findings", headers=h).json["items"]
    assert [x["id"] for x in findings] == [two_labs["records"]["OWN-1"]["finding"]]
    labs = client.get("/api/v1/labs", headers=h).json["items"]
    assert [x["code"] for x in labs] == ["OWN-1"]


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/findings/{finding}/transitions", {"to": "plan_submitted", "comment": "x"}),
        (
            "/api/v1/audits/{audit}/findings",
            {"severity": "minor", "area": "records", "clause": "7.5", "description": "x"},
        ),
        ("/api/v1/applications", {"kind": "extension", "lab_code": "OTHER-1", "items": []}),
    ],
)
def test_writes_for_another_lab_change_nothing_and_reveal_nothing(client, two_labs, path, body):
    ids = two_labs["records"]["OTHER-1"]
    response = client.post(path.format(**ids), json=body, headers=two_labs["headers"])
    assert response.status_code in (404, 422)
    if response.status_code == 422:  # a lab named in the body: as if it did not exist
        assert response.json["errors"] == {"lab_code": ["No such laboratory."]}
    other = client.get(f"/api/v1/findings/{ids['finding']}", headers=f.bearer(role=Role.VIEWER)[1]).json
    assert other["status"] == "open"


def test_a_patch_of_another_labs_audit_is_404(client, two_labs):
    audit = two_labs["records"]["OTHER-1"]["audit"]
    response = client.patch(
        f"/api/v1/audits/{audit}", json={"title": "mine now"}, headers=two_labs["headers"]
    )
    assert response.status_code == 404
    viewer = f.bearer(role=Role.VIEWER)[1]
    assert client.get(f"/api/v1/audits/{audit}", headers=viewer).json["title"] != "mine now"
