"""Issue 8's found cases in the proficiency area, and every refusal: a 4xx with a clear message, or it works.

Never a 500: bad filters and pages on the round lists, ids beyond 2^63-1, partial PATCH, codes
equal but for case or width, '$...$' in a unit (mathtext), timezone-aware datetimes and nullable
fields in the OpenAPI document, and the domain events sent inside the unit of work.
"""

import io

import pytest
from sqlalchemy import func, select

from labtrack import events
from labtrack.extensions import db
from labtrack.proficiency import evaluation, results, service
from labtrack.proficiency.models import Result, Round
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests.chart_data import charts

BIG = str(2**63)  # one more than a database key holds


@pytest.fixture
def quality(api_token):
    return api_token("quality")


# --- the round lists: filters and pages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [("year=-1", "year"), ("year=10000", "year"), ("year=abc", "year"), (f"page={BIG}", "page"),
     ("page=0", "page"), ("kind=seance", "kind"), ("status=lost", "status")],
)  # fmt: skip
def test_bad_list_filters_answer_422_naming_the_field(client, auth, quality, query, field):
    response = client.get(f"/api/v1/rounds?{query}", headers=quality[1])
    assert response.status_code == 422 and field in response.json["errors"], response.json
    auth.login("viewer")
    page = client.get(f"/rounds/?{query}")
    assert page.status_code == 422  # the list, without the bad filter, with why beside the filters
    html = page.get_data(as_text=True)
    assert 'id="filter-errors"' in html and response.json["errors"][field][0].split()[0] in html
    assert 'id="new-round"' not in html and "<table" in html


def test_good_filters_and_a_page_beyond_the_last_work(client, auth, labs, make_round, quality):
    make_round(labs, code="Y-2010", closes_on="2010-06-30")
    make_round(labs, code="Y-2011", closes_on="2011-06-30")
    listed = client.get("/api/v1/rounds?year=2010", headers=quality[1]).json
    assert [r["code"] for r in listed["items"]] == ["Y-2010"] and listed["meta"]["total"] == 1
    blank = client.get("/api/v1/rounds?q=&kind=&status=&year=&page=", headers=quality[1])
    assert blank.status_code == 200 and blank.json["meta"]["total"] == 2  # a blank filter is no filter
    far = client.get(f"/api/v1/rounds?page={2**31 - 1}", headers=quality[1])
    assert far.status_code == 200 and far.json["items"] == [] and far.json["meta"]["total"] == 2
    auth.login("viewer")
    page = client.get("/rounds/?year=2011").get_data(as_text=True)
    assert "Y-2011" in page and "Y-2010" not in page
    assert client.get("/rounds/?q=&kind=&status=&year=").status_code == 200
    assert client.get(f"/rounds/?page={2**31 - 1}").status_code == 200


# --- ids and codes ----------------------------------------------------------------------------


def test_result_ids_beyond_a_database_key_and_of_other_rounds_are_404(client, auth, labs, make_round, staff):
    first = make_round(labs, status="open", code="ID-1")
    second = make_round(labs, status="open", code="ID-2")
    (result,) = results.submit_results(first, [{"lab_code": "A01", "value": 1}], staff)
    auth.login("inspector")
    assert client.post(f"/rounds/ID-1/results/{BIG}/delete").status_code == 404
    assert client.post("/rounds/ID-1/results/999999/delete").status_code == 404
    assert client.post(f"/rounds/{second.code}/results/{result.id}/delete").status_code == 404
    assert client.get(f"/rounds/{'X' * 500}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Result)) == 1


def test_codes_equal_but_for_case_or_width_are_one_code(client, labs, quality):
    body = {"code": "ÉX-1", "title": "t", "kind": "blind_sample", "measurand": "Pb",
            "assigned_value_method": "reference"}  # fmt: skip
    assert client.post("/api/v1/rounds", json=body, headers=quality[1]).status_code == 201
    for twin in ("éx-1", "E\u0301X-1"):  # lower case; É written as E + combining acute
        response = client.post("/api/v1/rounds", json=dict(body, code=twin), headers=quality[1])
        assert response.status_code == 422 and "already has code" in response.json["errors"]["code"][0]
    wide = client.post("/api/v1/rounds", json=dict(body, code="ＢＳ－１"), headers=quality[1])
    assert wide.status_code == 201 and wide.json["code"] == "BS-1"  # typed with a Chinese input method
    again = client.post("/api/v1/rounds", json=dict(body, code="bs-1"), headers=quality[1])
    assert again.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Round)) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("code", "has space"), ("code", "x" * 33), ("title", "<b>bold</b>"), ("title", "a\x00b"),
     ("title", "\udb0f"), ("unit", "u" * 41), ("x_pt", "NaN"), ("sigma_pt", 0), ("u_x_pt", -1),
     ("opens_on", "2010-02-30"), ("closes_on", "1899-12-31"), ("participants", "A01")],
)  # fmt: skip
def test_bad_round_fields_are_422_naming_the_field(client, labs, quality, field, value):
    body = {"code": "F-1", "title": "t", "kind": "blind_sample", "measurand": "Pb",
            "assigned_value_method": "reference", field: value}  # fmt: skip
    response = client.post("/api/v1/rounds", json=body, headers=quality[1])
    assert response.status_code == 422 and field in response.json["errors"], response.json
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_the_service_refuses_what_the_schema_would(labs, staff):
    with pytest.raises(InvalidInput) as caught:
        service.create_round({"code": "a b", "title": "", "kind": "x", "measurand": "Pb", "x_pt": "ten",
                              "opens_on": "2010-05-01", "closes_on": "2010-04-01"}, staff)  # fmt: skip
    assert set(caught.value.errors) == {"code", "title", "kind", "assigned_value_method", "x_pt", "closes_on"}


# --- PATCH is partial ---------------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(client, labs, make_round, quality):
    rnd = make_round(labs, code="P-1", organiser="Bureau", notes="keep")
    response = client.patch("/api/v1/rounds/P-1", json={"title": "New title"}, headers=quality[1])
    assert response.status_code == 200 and response.json["title"] == "New title"
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert (rnd.title, rnd.organiser, rnd.notes, rnd.x_pt, len(rnd.participants)) == (
        "New title", "Bureau", "keep", 10.0, 5
    )  # fmt: skip
    assert client.patch("/api/v1/rounds/P-1", json={}, headers=quality[1]).status_code == 200
    nulls = client.patch("/api/v1/rounds/P-1", json={"notes": None, "x_pt": None}, headers=quality[1])
    assert nulls.status_code == 200 and nulls.json["notes"] is None and nulls.json["x_pt"] is None
    renamed = client.patch("/api/v1/rounds/P-1", json={"code": "P-2"}, headers=quality[1])
    assert renamed.status_code == 422 and "cannot be changed" in renamed.json["errors"]["code"][0]
    fewer = client.patch("/api/v1/rounds/P-1", json={"participants": ["A01", "A02"]}, headers=quality[1])
    assert fewer.status_code == 200 and sorted(fewer.json["participants"]) == ["A01", "A02"]


def test_patching_a_published_round_is_409(client, labs, make_round, staff, quality):
    rnd = make_round(labs[:1], status="open", code="P-3")
    results.submit_results(rnd, [{"lab_code": "A01", "value": 10}], staff)
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    response = client.patch("/api/v1/rounds/P-3", json={"title": "x"}, headers=quality[1])
    assert response.status_code == 409 and response.json["message"] == "A published round cannot be changed."


# --- states, roles and the API's one error shape -------------------------------------------------


def test_state_refusals_say_why(labs, make_round, staff):
    rnd = make_round(labs)
    with pytest.raises(Conflict, match="Only an open round can be closed"):
        service.transition(rnd, "closed", staff)
    service.transition(rnd, "open", staff)
    with pytest.raises(Conflict, match="Only a planned or closed round can be opened"):
        service.transition(rnd, "open", staff)
    empty = make_round([], code="EMPTY")
    with pytest.raises(Conflict, match="Invite at least one laboratory"):
        service.transition(empty, "open", staff)


def test_services_ask_the_policy_not_only_the_routes(labs, make_round, make_user, staff):
    inspector = make_user("inspector")
    rnd = make_round(labs, status="open")
    for call in (
        lambda: service.create_round({"code": "NO"}, inspector),
        lambda: service.update_round(rnd, {"title": "x"}, inspector),
        lambda: service.transition(rnd, "closed", inspector),
        lambda: evaluation.evaluate_round(rnd, inspector),
        lambda: evaluation.publish_round(rnd, inspector),
    ):
        with pytest.raises(Forbidden):
            call()
    manager = make_user("lab_manager", lab=labs[0])
    with pytest.raises(Forbidden, match="files are for the bureau's staff"):
        results.import_results(rnd, io.BytesIO(b"lab_code,value\n"), manager)
    with pytest.raises(NotFound):
        service.get_round(make_round(labs, code="PLANNED-9").code, manager)


def test_api_refusals_use_the_one_error_shape(client, labs, make_round, api_token, quality):
    make_round(labs, code="E-1")
    _, manager = api_token("lab_manager", lab=labs[0])
    cases = [
        (client.post("/api/v1/rounds/E-1/transitions", json={"to": "closed"}, headers=quality[1]), 409),
        (client.post("/api/v1/rounds/E-1/evaluate", headers=quality[1]), 409),
        (
            client.post(
                "/api/v1/rounds/E-1/results", json=[{"lab_code": "A01", "value": 1}], headers=quality[1]
            ),
            409,
        ),
        (client.get("/api/v1/rounds/E-1", headers=manager), 404),  # planned: not the participants' yet
        (client.post("/api/v1/rounds", json={}, headers=manager), 403),
        (client.post("/api/v1/rounds/E-1/results", json={"lab_code": "A01"}, headers=quality[1]), 422),
    ]
    for response, status in cases:
        assert response.status_code == status
        assert (
            set(response.json) >= {"code", "status", "message", "errors"} and response.json["code"] == status
        )
        assert response.json["message"]


# --- charts: users' text is never mathtext --------------------------------------------------------


@pytest.mark.parametrize("unit", ["$x^$", r"$\frac{1}{$ mg", "10$ per $kg", "$$"])
def test_a_dollar_in_a_unit_is_drawn_as_text(client, auth, labs, make_round, staff, unit):
    rnd = make_round(labs, status="open", code="MATH-1", unit=unit)
    results.submit_results(
        rnd, [{"lab_code": lab.code, "value": 10 + i / 10} for i, lab in enumerate(labs)], staff
    )
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    evaluation.publish_round(rnd, staff)
    for role in ("quality", "viewer"):
        auth.login(role)
        response = client.get("/rounds/MATH-1")
        assert response.status_code == 200
        assert charts(response.get_data(as_text=True))["histogram"]["xAxis"]["name"] == unit  # data, as typed
        auth.logout()


# --- the OpenAPI document: datetimes with offsets, nullable fields declared, PATCH optional --------


def test_the_document_declares_what_the_api_answers(client):
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    result, rnd = schemas["RoundResult"]["properties"], schemas["Round"]["properties"]
    assert result["submitted_at"] == {"type": "string", "format": "date-time"}
    assert rnd["published_at"]["format"] == "date-time" and rnd["published_at"]["nullable"] is True
    assert schemas["RoundEvaluation"]["properties"]["evaluated_at"]["format"] == "date-time"
    nullable = (
        "lab_code",
        "score",
        "score_kind",
        "grade",
        "expanded_uncertainty",
        "coverage_factor",
        "method",
    )
    for name in nullable:
        assert result[name].get("nullable") is True, name
    for name in ("x_pt", "u_x_pt", "sigma_pt", "item_code", "opens_on", "closes_on", "notes"):
        assert rnd[name].get("nullable") is True, name
    assert {"nullable": True, "type": "object"} in rnd["evaluation"]["anyOf"]
    assert "required" not in schemas["RoundPatch"]
    assert set(schemas["RoundIn"]["required"]) == {
        "code",
        "title",
        "kind",
        "measurand",
        "assigned_value_method",
    }
    patch = spec["paths"]["/api/v1/rounds/{code}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/RoundPatch")


def test_datetimes_carry_their_offset(client, labs, make_round, staff, quality):
    rnd = make_round(labs[:1], status="open", code="TZ-1")
    results.submit_results(rnd, [{"lab_code": "A01", "value": 10}], staff)
    service.transition(rnd, "closed", staff)
    evaluated = client.post("/api/v1/rounds/TZ-1/evaluate", headers=quality[1]).json
    assert evaluated["results"][0]["submitted_at"].endswith("+00:00")
    published = client.post("/api/v1/rounds/TZ-1/publish", headers=quality[1]).json
    assert published["published_at"].endswith("+00:00")
    body = client.get("/api/v1/rounds/TZ-1", headers=quality[1]).json
    assert body["evaluation"]["evaluated_at"].endswith("+00:00") and body["published_at"].endswith("+00:00")


# --- events inside the unit of work ---------------------------------------------------------------


def test_round_changed_is_sent_for_each_step_inside_the_unit_of_work(labs, make_round, staff):
    rnd = make_round(labs[:1])
    seen = []

    def receiver(sender, actor, to):
        seen.append((sender.code, to, actor.username, db.session.info.get("labtrack_tx_depth")))

    events.round_changed.connect(receiver)
    try:
        service.transition(rnd, "open", staff)
        results.submit_results(rnd, [{"lab_code": "A01", "value": 10}], staff)
        service.transition(rnd, "closed", staff)
        evaluation.evaluate_round(rnd, staff)
        evaluation.publish_round(rnd, staff)
        evaluation.publish_round(rnd, staff)  # again: nothing changes, nothing sent
    finally:
        events.round_changed.disconnect(receiver)
    assert [s[1] for s in seen] == ["open", "closed", "evaluated", "published"]
    assert all(code == rnd.code and who == staff.username and depth == 1 for code, _to, who, depth in seen)


def test_a_receiver_that_fails_leaves_the_round_unchanged(labs, make_round, staff):
    rnd = make_round(labs[:1])

    def receiver(sender, **_kwargs):
        raise RuntimeError("the notifier broke")

    events.round_changed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            service.transition(rnd, "open", staff)
    finally:
        events.round_changed.disconnect(receiver)
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).status == "planned"


# --- pages: refusals flashed or shown beside the fields --------------------------------------------


def test_page_refusals(client, auth, labs, make_round, staff):
    make_round(labs, status="open", code="PG-1")
    auth.login("quality")
    again = client.post(
        "/rounds/PG-1/transition",
        data={"to": "open"},
        headers={"Referer": "http://localhost.localdomain/rounds/PG-1"},
    )
    assert again.status_code == 303 and again.headers["Location"].endswith("/rounds/PG-1")
    page = client.get("/rounds/PG-1").get_data(as_text=True)
    assert "Only a planned or closed round can be opened" in page
    edit = client.post("/rounds/PG-1/edit", data={"code": "PG-9", "title": "t", "kind": "blind_sample",
                                                  "measurand": "Pb", "assigned_value_method": "reference",
                                                  "sigma_pt_method": "fixed", "score_basis": "z"})  # fmt: skip
    assert edit.status_code == 422 and "The code of a round cannot be changed." in edit.get_data(as_text=True)
    assert client.get("/rounds/coverage?on=2012-13-40").status_code == 422
    assert client.get("/rounds/coverage?lab=no%20such").status_code == 422
    assert client.get("/rounds/coverage?on=2012-06-30").status_code == 200


def test_refusals_and_hidden_scores_in_chinese(client, auth, labs, make_round, make_user, api_token, staff):
    rnd = make_round(labs, status="open", code="ZH-1")
    results.submit_results(rnd, [{"lab_code": "A01", "value": 10}], staff)
    service.transition(rnd, "closed", staff)
    evaluation.evaluate_round(rnd, staff)
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9"}
    _, quality = api_token("quality")
    response = client.post(
        "/api/v1/rounds/ZH-1/transitions", json={"to": "closed"}, headers={**quality, **chinese}
    )
    assert (
        response.status_code == 409
        and response.json["message"] == "只有开放中的轮次才能截止（本轮为“已评价”）。"
    )
    response = client.get("/api/v1/rounds?year=10000", headers={**quality, **chinese})
    assert response.status_code == 422 and "1900" in response.json["errors"]["year"][0]
    auth.login(make_user("lab_manager", lab=labs[0]))
    page = client.get("/rounds/ZH-1", headers=chinese).get_data(as_text=True)
    assert "指定值和评分在本轮发布后显示。" in page and "统计评价" not in page


def test_a_bulk_insert_of_rounds_keys_their_codes_too(app):
    """Core inserts (the benchmark, bulk loads) bypass the ORM's validator: the column default keys them."""
    from sqlalchemy import insert

    row = {"title": "t", "kind": "blind_sample", "measurand": "Pb", "assigned_value_method": "reference"}
    db.session.execute(insert(Round), [dict(row, code="ÉX-9"), dict(row, code="Ｂ-2")])
    db.session.commit()
    assert sorted(db.session.scalars(select(Round.code_key))) == ["b-2", "éx-9"]
