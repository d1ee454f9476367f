"""What each role sees of a round, at each status, through every page, export and API endpoint.

DESIGN: "Nobody may see scores, grades or x_pt before publication except those who manage
rounds" (quality, admin); a lab manager sees its own lab by name and the others only by their
participant code, the others' values once published, and no round that is still planned.
Inspectors enter results but do not manage rounds, so they wait for publication like viewers.

The round: x_pt 7.654321 (shown 7.6543), u(x_pt) 0.0123, sigma_pt 0.4321; A01 (the lab manager's
own) reports 7.9 -> z = (7.9 - 7.654321) / 0.4321 = 0.5686 (shown 0.57), A02 reports 9.2 ->
z = 1.545679 / 0.4321 = 3.5771 (shown 3.58, unsatisfactory).
"""

import csv
import io

import pytest

from labtrack.auth.permissions import Role
from labtrack.proficiency import evaluation, results, service

STATUSES = ["planned", "open", "closed", "evaluated", "published"]
ROLES = ["lab_manager", "viewer", "inspector", "quality", "admin"]
X_PT, OWN_Z, OTHER_Z = "7.6543", "0.57", "3.58"


def expected(role: str, status: str) -> dict:
    """The rules, written out independently of the policy module."""
    manager = role == "lab_manager"
    visible = not (manager and status == "planned")
    scores = visible and (status == "published" or role in ("quality", "admin"))
    return {
        "visible": visible,
        "x_pt": scores,  # the configured x_pt before evaluation, the evaluation's after
        "scores": scores and status in ("evaluated", "published"),
        "has_results": status != "planned",
        "others": visible and (not manager or status == "published"),
        "identities": not manager,
    }


@pytest.fixture
def world(app, make_lab, make_user):
    """Labs A01 (the manager's), A02; a quality user who runs rounds."""
    labs = [make_lab("A01"), make_lab("A02")]
    return {"labs": labs, "staff": make_user(Role.QUALITY, username="pt-staff")}


def _round_at(world, status: str):
    staff = world["staff"]
    rnd = service.create_round(
        {"code": "VIS-1", "title": "Lead in ceramics", "kind": "blind_sample", "measurand": "Pb",
         "unit": "mg/L", "assigned_value_method": "reference", "x_pt": 7.654321, "u_x_pt": 0.0123,
         "sigma_pt_method": "fixed", "sigma_pt": 0.4321, "participants": ["A01", "A02"]},
        staff,
    )  # fmt: skip
    if status == "planned":
        return rnd
    service.transition(rnd, "open", staff)
    results.submit_results(rnd, [{"lab_code": "A01", "value": 7.9}, {"lab_code": "A02", "value": 9.2}], staff)
    if status == "open":
        return rnd
    service.transition(rnd, "closed", staff)
    if status == "closed":
        return rnd
    evaluation.evaluate_round(rnd, staff)
    if status == "published":
        evaluation.publish_round(rnd, staff)
    return rnd


def _login(role, world, auth, api_token, make_user):
    user = make_user(Role.LAB_MANAGER, lab=world["labs"][0]) if role == "lab_manager" else make_user(role)
    auth.login(user)
    return api_token(user=user)[1]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_page_export_and_api_show_the_same(client, world, auth, api_token, make_user, role, status):
    rnd = _round_at(world, status)
    headers = _login(role, world, auth, api_token, make_user)
    want = expected(role, status)
    _check_page(client, rnd, want)
    _check_export(client, rnd, want)
    _check_api(client, rnd, want, headers)


def _check_page(client, rnd, want):
    response = client.get(f"/rounds/{rnd.code}")
    if not want["visible"]:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    # the change log (its times have digits of their own) is checked apart from the rest
    page, _, history = response.get_data(as_text=True).partition('id="round-history"')
    assert bool(history) is (want["x_pt"] and want["identities"])  # it names x_pt and every lab
    assert (X_PT in page) is want["x_pt"]
    assert ('id="summary"' in page) is want["scores"]  # the evaluation card
    assert ('id="histogram"' in page) is want["scores"]  # the charts of scores
    assert (OWN_Z in page) is want["scores"] and (OTHER_Z in page) is (want["scores"] and want["others"])
    assert ("unsatisfactory</span>" in page) is (want["scores"] and want["others"])
    assert ('id="scores-hidden"' in page) is (not want["x_pt"])
    assert (">7.9<" in page) is want["has_results"]
    assert (">9.2<" in page) is (want["has_results"] and want["others"])
    assert ("A02" in page) is want["identities"]


def _check_export(client, rnd, want):
    response = client.get(f"/rounds/{rnd.code}/export.csv")
    if not want["visible"]:
        assert response.status_code == 404
        return
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["value"] for r in rows] == (["7.9", "9.2"] if want["others"] else ["7.9"]) * want["has_results"]
    for row in rows:
        assert bool(row["score"]) is want["scores"] and bool(row["grade"]) is want["scores"]
        assert bool(row["score_kind"]) is want["scores"]
        lab = {"7.9": "A01", "9.2": "A02"}[row["value"]]
        assert row["lab_code"] == (lab if lab == "A01" or want["identities"] else "")
        assert row["participant_code"].startswith("P")
    if want["scores"]:
        assert float(rows[0]["score"]) == pytest.approx((7.9 - 7.654321) / 0.4321)


def _check_api(client, rnd, want, headers):
    response = client.get(f"/api/v1/rounds/{rnd.code}", headers=headers)
    listed = client.get("/api/v1/rounds", headers=headers).json["items"]
    if not want["visible"]:
        assert response.status_code == 404 and response.json["code"] == 404
        assert listed == []
        return
    body = response.json
    assert (body["x_pt"] == pytest.approx(7.654321)) if want["x_pt"] else body["x_pt"] is None
    assert (body["sigma_pt"] is not None) is want["x_pt"] and (body["u_x_pt"] is not None) is want["x_pt"]
    assert (body["evaluation"] is not None) is want["scores"]
    assert [r["value"] for r in body["results"]] == ([7.9, 9.2] if want["others"] else [7.9]) * want[
        "has_results"
    ]
    for result in body["results"]:
        assert (result["score"] is not None) is want["scores"]
        assert (result["grade"] is not None) is want["scores"] and (result["score_kind"] is not None) is want[
            "scores"
        ]
        lab = {7.9: "A01", 9.2: "A02"}[result["value"]]
        assert result["lab_code"] == (lab if lab == "A01" or want["identities"] else None)
    assert sorted(body["participants"]) == (["A01", "A02"] if want["identities"] else ["A01"])
    (item,) = listed
    assert (item["x_pt"] is not None) is want["x_pt"] and (item["evaluation"] is not None) is want["scores"]
    assert "results" not in item


@pytest.mark.parametrize("status", ["evaluated", "published"])
@pytest.mark.parametrize("role", ROLES)
def test_history_page_and_lab_panel(client, world, auth, api_token, make_user, role, status):
    _round_at(world, status)
    _login(role, world, auth, api_token, make_user)
    want = expected(role, status)
    history = client.get("/rounds/labs/A01").get_data(as_text=True)
    assert ("VIS-1" in history) is want["scores"] and (OWN_Z in history) is want["scores"]
    panel = client.get("/labs/A01").get_data(as_text=True)
    assert 'id="proficiency-panel"' in panel
    assert ("z = 0.57" in panel) is want["scores"]


def test_the_lab_managers_api_no_longer_leaks_scores_of_an_evaluated_round(
    client, world, auth, api_token, make_user
):
    """The case of issue 8: evaluated, not published; the page and export hid the score, the API did not."""
    rnd = _round_at(world, "evaluated")
    headers = _login("lab_manager", world, auth, api_token, make_user)
    body = client.get(f"/api/v1/rounds/{rnd.code}", headers=headers).json
    assert body["results"] == [
        {
            "id": body["results"][0]["id"],
            "lab_code": "A01",
            "participant_code": body["results"][0]["participant_code"],
            "value": 7.9,
            "value_b": None,
            "answer": None,
            "expanded_uncertainty": None,
            "coverage_factor": None,
            "method": None,
            "submitted_at": body["results"][0]["submitted_at"],
            "score": None,
            "score_kind": None,
            "grade": None,
            "score_b": None,
            "score_kind_b": None,
            "grade_b": None,
        }
    ]
    assert body["results"][0]["submitted_at"].endswith("+00:00")  # timezone-aware
    assert body["x_pt"] is None and body["evaluation"] is None and body["assigned_answer"] is None
    assert body["x_pt_b"] is None and body["sigma_pt_b"] is None
