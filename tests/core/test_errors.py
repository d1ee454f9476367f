"""labtrack.errors: one way to fail. Domain errors answer a page, a flash and a redirect, or the
API's JSON shape; unexpected errors answer 500 with a request id that is in exactly one log line."""

import logging
import re

import pytest
from flask import Blueprint, jsonify, request
from werkzeug.routing import IntegerConverter

from labtrack.auth.permissions import public
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.services import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from tests import factories as f
from tests.conftest import fresh_app

ERRORS = {"not_found": NotFound, "forbidden": Forbidden, "conflict": Conflict, "invalid": InvalidInput}
STATUS = {"not_found": 404, "forbidden": 403, "conflict": 409, "invalid": 422}
NAMES = {404: "Not Found", 403: "Forbidden", 409: "Conflict", 422: "Unprocessable Entity"}

probe = Blueprint("probe", __name__)


@probe.route("/probe/refuse/<kind>", methods=["GET", "POST"])
@probe.route("/api/v1/probe/refuse/<kind>", methods=["GET", "POST"], endpoint="api_refuse")
@public
def refuse(kind):
    """Raise the domain error named in the URL, after changing something that must not be kept."""
    db.session.add(Lab(code="HALF-DONE", name="x", region="x", kind="regional_lab"))
    db.session.flush()
    raise ERRORS[kind]("Refused for the test.", {"title": ["Too long."]})


@probe.route("/probe/boom")
@probe.route("/api/v1/probe/boom", endpoint="api_boom")
@public
def boom():
    """A bug: an exception nobody expected, after a change that must not be kept."""
    db.session.add(Lab(code="HALF-DONE", name="x", region="x", kind="regional_lab"))
    db.session.flush()
    raise RuntimeError("kaput")


@probe.route("/api/v1/probe/echo", methods=["POST"])
@public
def echo():
    return jsonify(request.get_json())


@probe.route("/probe/things/<int:thing_id>")
@probe.route("/api/v1/probe/things/<int:thing_id>", endpoint="api_thing")
@public
def thing(thing_id):
    return jsonify(id=thing_id)


@pytest.fixture
def app(database_url, tmp_path):
    """A throw-away app with the probe routes that answers errors as a user would get them."""
    with fresh_app(database_url, tmp_path, PROPAGATE_EXCEPTIONS=False) as application:
        application.register_blueprint(probe)
        yield application


def labs_saved() -> int:
    db.session.rollback()
    return len(db.session.scalars(db.select(Lab)).all())


# --- domain errors in the API: the one JSON shape -------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("kind", list(ERRORS))
def test_api_domain_errors_answer_the_json_shape(client, kind, method):
    response = getattr(client, method)(f"/api/v1/probe/refuse/{kind}", json={} if method == "post" else None)
    status = STATUS[kind]
    assert response.status_code == status
    assert response.is_json
    assert response.json == {
        "code": status,
        "status": NAMES[status],
        "message": "Refused for the test.",
        "errors": {"title": ["Too long."]},
    }
    assert labs_saved() == 0  # what the request changed before the refusal was rolled back


def test_a_bare_domain_error_is_a_400(client, app):
    @app.route("/api/v1/probe/bare")
    @public
    def bare():
        raise DomainError("Nope.")

    response = client.get("/api/v1/probe/bare")
    assert response.status_code == 400 and response.json["message"] == "Nope."


# --- domain errors on pages: an error page, or a flash and a redirect back -----------------------


@pytest.mark.parametrize(
    "kind, title", [("not_found", "Not found"), ("forbidden", "Forbidden"), ("conflict", "Not possible now")]
)
def test_a_page_refused_on_get_renders_the_error_page(client, kind, title):
    response = client.get(f"/probe/refuse/{kind}")
    assert response.status_code == STATUS[kind]
    assert response.mimetype == "text/html"
    assert title.lower() in response.get_data(as_text=True).lower()
    assert labs_saved() == 0


@pytest.mark.parametrize("kind", ["conflict", "invalid"])
def test_a_refused_post_flashes_and_redirects_back_with_303(client, kind):
    referrer = "http://localhost.localdomain/labs/?page=2"
    response = client.post(f"/probe/refuse/{kind}", headers={"Referer": referrer})
    assert response.status_code == 303
    assert response.headers["Location"] == referrer
    with client.session_transaction() as session:
        flashes = session["_flashes"]
    assert flashes == [("danger", "Refused for the test. Too long.")]
    assert labs_saved() == 0


def test_a_refused_post_flashes_nested_row_errors_as_text(client, app):
    @app.route("/probe/import", methods=["POST"])
    @public
    def import_rows():
        raise InvalidInput(
            "Nothing imported.", {"rows": {"3": {"code": ["Taken."]}, "5": {"date": ["Not a date."]}}}
        )

    client.post("/probe/import", headers={"Referer": "http://localhost.localdomain/labs/"})
    with client.session_transaction() as session:
        assert session["_flashes"] == [("danger", "Nothing imported. Taken. Not a date.")]


def test_a_refused_post_to_a_url_that_only_takes_posts_answers_its_page_not_a_dead_redirect(client, app):
    """No page to go back to (no Referer, and the URL itself only takes posts: a step's button):
    the refusal is said on a page with its status, not a redirect a browser could not follow."""

    @app.route("/probe/step", methods=["POST"])
    @public
    def step():
        raise Conflict("Somebody else moved it on.")

    response = client.post("/probe/step")
    assert response.status_code == 409
    assert "Location" not in response.headers
    assert "Somebody else moved it on." in response.get_data(as_text=True)


def test_a_refused_step_with_no_referrer_goes_back_to_its_records_page(client, app):
    """A step's URL only takes posts (`/probe/things/5/close`): without a Referer the user is sent
    to the record's page (`/probe/things/5`), where the message is shown."""

    @app.route("/probe/things/<int:thing_id>/close", methods=["POST"])
    @public
    def close_thing(thing_id):
        raise Conflict("Not closed yet.")

    response = client.post("/probe/things/5/close")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/probe/things/5")
    with client.session_transaction() as session:
        assert session["_flashes"] == [("danger", "Not closed yet.")]


def test_a_refused_post_from_another_site_goes_back_to_the_same_path(client):
    response = client.post("/probe/refuse/conflict", headers={"Referer": "https://evil.example/x"})
    assert response.status_code == 303
    assert response.headers["Location"] in (
        "/probe/refuse/conflict",
        "http://localhost.localdomain/probe/refuse/conflict",
    )


@pytest.mark.parametrize("kind", ["not_found", "forbidden"])
def test_a_post_to_something_absent_or_forbidden_still_answers_its_page(client, kind):
    response = client.post(f"/probe/refuse/{kind}")
    assert response.status_code == STATUS[kind]
    assert "Location" not in response.headers


def test_the_flash_is_shown_on_the_page_the_user_returns_to(client):
    user = f.UserFactory(role="viewer")
    client.post("/login", data={"username": user.username, "password": f.PASSWORD})
    client.post("/probe/refuse/conflict", headers={"Referer": "http://localhost.localdomain/"})
    page = client.get("/").get_data(as_text=True)
    assert "Refused for the test. Too long." in page


# --- unexpected errors: 500, a request id, one log line ------------------------------------------


def _errors_logged(caplog):
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unexpected_error_on_a_page_answers_500_with_its_request_id(client, caplog):
    user = f.UserFactory(username="inspector-li", role="inspector")
    client.post("/login", data={"username": user.username, "password": f.PASSWORD})
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = client.get("/probe/boom?x=1")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    page = response.get_data(as_text=True)
    assert request_id in page
    assert "kaput" not in page and "Traceback" not in page  # never a trace for the user
    logged = _errors_logged(caplog)
    assert len(logged) == 1
    line = logged[0].getMessage()
    assert f"request_id={request_id}" in line
    assert "method=GET" in line and "path=/probe/boom?x=1" in line and "user=inspector-li" in line
    assert logged[0].exc_info[0] is RuntimeError  # the traceback is in the log
    assert labs_saved() == 0


def test_an_unexpected_error_in_the_api_answers_json_with_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/probe/boom", headers={"X-Request-ID": "support-case-0042"})
    assert response.status_code == 500
    body = response.json
    assert body["code"] == 500 and body["status"] == "Internal Server Error"
    assert body["request_id"] == response.headers["X-Request-ID"] == "support-case-0042"
    assert set(body) == {"code", "status", "message", "errors", "request_id"}
    logged = _errors_logged(caplog)
    assert len(logged) == 1
    assert "request_id=support-case-0042" in logged[0].getMessage()
    assert "user=-" in logged[0].getMessage()  # nobody signed in


def test_a_post_that_fails_unexpectedly_is_logged_with_its_method(client, caplog, app):
    @app.route("/api/v1/probe/boom-post", methods=["POST"])
    @public
    def boom_post():
        raise ZeroDivisionError

    with caplog.at_level(logging.INFO):
        response = client.post("/api/v1/probe/boom-post", json={})
    assert response.status_code == 500
    (record,) = _errors_logged(caplog)
    assert "method=POST path=/api/v1/probe/boom-post" in record.getMessage()


def test_under_test_an_unexpected_error_propagates(database_url, tmp_path):
    with fresh_app(database_url, tmp_path) as application:
        application.register_blueprint(probe)
        with pytest.raises(RuntimeError, match="kaput"):
            application.test_client().get("/probe/boom")


# --- request ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/no/such/page",
        "/api/v1/no/such/thing",
        "/api/v1/probe/refuse/conflict",
        "/api/v1/openapi.json",
    ],
)
def test_every_response_carries_a_request_id(client, path):
    response = client.get(path)
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/login").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize("given", ["abcd1234", "req-2010.05.10_x", "A" * 64])
def test_a_well_formed_request_id_is_echoed(client, given):
    assert client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given", ["short", "has space in it", "A" * 65, "<script>alert(1)</script>", "id\u4e00id\u4e00id"]
)
def test_a_malformed_request_id_is_replaced(client, given):
    answered = client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert answered != given and re.fullmatch(r"[0-9a-f]{16}", answered)


# --- ids beyond what the database holds, unknown URLs ------------------------------------------------


@pytest.mark.parametrize("prefix", ["/probe", "/api/v1/probe"])
def test_int_ids_beyond_a_database_key_do_not_match_a_route(client, prefix):
    assert client.get(f"{prefix}/things/2147483647").status_code == 200
    for too_big in ("2147483648", str(2**63 - 1), str(2**63), "9" * 40):
        assert client.get(f"{prefix}/things/{too_big}").status_code == 404
    assert client.get(f"{prefix}/things/-1").status_code == 404


def test_every_int_in_the_apps_routes_is_bounded(app):
    from labtrack.errors import BoundedIntConverter

    ints = [
        (rule.rule, converter)
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, IntegerConverter)
    ]
    assert len(ints) > 5  # the areas' <int:id> routes, mounted before the error handlers
    for rule, converter in ints:
        assert isinstance(converter, BoundedIntConverter) and converter.max <= 2**31 - 1, rule


def test_an_area_route_refuses_an_id_beyond_an_integer_key(client):
    _user, headers = f.bearer(role="admin")
    for ident in ("2147483648", str(2**63), "9" * 40):
        response = client.get(f"/api/v1/findings/{ident}", headers=headers)
        assert response.status_code == 404 and response.json["code"] == 404


def test_unknown_urls_answer_json_under_the_api_and_a_page_elsewhere(client):
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.is_json and api.json["code"] == 404
    page = client.get("/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_wrong_method_answers_405_in_the_api_shape_with_allow(client):
    response = client.delete("/api/v1/probe/echo")
    assert response.status_code == 405 and response.json["code"] == 405
    assert "POST" in response.headers["Allow"]
    page = client.post("/probe/things/1")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


@pytest.mark.parametrize("method", ["patch", "post", "delete"])
def test_an_id_no_rule_takes_is_404_whatever_the_method(client, method):
    # GET and PATCH of /api/v1/audits/<int:audit_id> are two rules: werkzeug says 405 for a PATCH
    # whose id no rule takes; there is no such record, so it is a 404.
    _user, headers = f.bearer(role="admin")
    for ident in ("2147483648", "70368744177664"):
        response = getattr(client, method)(f"/api/v1/audits/{ident}", headers=headers, json={})
        assert response.status_code == 404, (method, ident)
    assert client.patch("/api/v1/audits/1", headers=headers, json={}).status_code in (404, 422)


def test_malformed_json_answers_400_in_the_api_shape(client):
    response = client.post("/api/v1/probe/echo", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json) >= {"code", "status", "message", "errors"}


# --- lone surrogates in JSON ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"title": "\\udb0f"}', "title"),
        ('{"title": "ok", "description": "before \\ud800 after"}', "description"),
        ('{"items": [{"name": "ok"}, {"name": "\\udfff"}]}', "items.1.name"),
        ('{"plan": {"owner": "\\ud83d"}}', "plan.owner"),
        ('{"\\ud800": 1}', "\ud800"),
        ('["ok", "\\udc00"]', "1"),
        ('"\\udc00"', "body"),
    ],
)
def test_lone_surrogates_in_json_answer_422_naming_the_field(client, body, field):
    response = client.post("/api/v1/probe/echo", data=body, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]


def test_a_nul_byte_in_json_is_left_to_the_schemas(client):
    # they name every bad field of the body at once (tests/api: "What the form refuses, the API refuses")
    response = client.post("/api/v1/probe/echo", data='{"q": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 200 and response.json == {"q": "a\x00b"}


def test_a_nul_byte_in_a_query_is_refused_before_any_code_reads_it(client):
    _user, headers = f.bearer(role="admin")
    response = client.get("/api/v1/labs?q=a%00b", headers=headers)
    assert response.status_code == 422 and list(response.json["errors"]) == ["q"]
    page = client.get("/probe/things/1?note=%00")
    assert page.status_code == 422 and page.mimetype == "text/html"


def test_a_nul_byte_in_a_posted_form_is_left_to_the_forms_validators(client):
    # the page re-renders the form with the message beside the field (see test_web), so the
    # request reaches the view
    response = client.post("/probe/refuse/conflict", data={"title": "a\x00b"})
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert session["_flashes"] == [("danger", "Refused for the test. Too long.")]


def test_the_refusal_is_in_the_readers_language(client):
    response = client.post(
        "/api/v1/probe/echo",
        data='{"title": "\\udb0f"}',
        content_type="application/json",
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422 and response.json["message"] == "包含无效的文本字符（孤立代理项）。"


def test_a_surrogate_pair_is_an_ordinary_character(client):
    response = client.post(
        "/api/v1/probe/echo", data='{"title": "\\ud83d\\ude00"}', content_type="application/json"
    )
    assert response.status_code == 200 and response.json == {"title": "😀"}
