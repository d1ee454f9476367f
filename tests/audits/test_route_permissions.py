"""`require_any`: a route that any of several permissions opens (the rectification step routes)."""

import pytest

from labtrack.auth.permissions import Perm, require_any


@pytest.fixture
def step_app(app):
    @require_any(Perm.RECTIFY, Perm.VERIFY)
    def step():
        return "taken"

    app.add_url_rule("/probe/step", "probe_step", step, methods=["GET", "POST"])
    app.add_url_rule("/api/v1/probe/step", "probe_api_step", step, methods=["GET", "POST"])
    return app


def test_it_declares_every_permission_and_one_perm_for_the_route_walkers(step_app):
    view = step_app.view_functions["probe_step"]
    assert view.permissions == frozenset({Perm.RECTIFY, Perm.VERIFY})
    assert isinstance(view.permission, Perm) and view.permission in view.permissions


@pytest.mark.parametrize(
    ("role", "status"),
    [("lab_manager", 200), ("inspector", 200), ("quality", 200), ("admin", 200), ("viewer", 403)],
)
def test_any_of_the_permissions_opens_it(step_app, client, auth, role, status):
    auth.login(role)
    assert client.post("/probe/step").status_code == status
    assert client.get("/api/v1/probe/step").status_code == status


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(step_app, client):
    page = client.get("/probe/step")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    api = client.get("/api/v1/probe/step")
    assert api.status_code == 401 and api.json["code"] == 401


def test_it_refuses_to_declare_nothing_or_public():
    with pytest.raises(ValueError):
        require_any()
    with pytest.raises(ValueError):
        require_any(Perm.PUBLIC, Perm.VERIFY)


def test_the_audits_routes_declare_what_their_steps_need(app):
    """The step routes open to the lab (RECTIFY), verifiers (VERIFY) and quality (FINDINGS_MANAGE);
    uploads to the lab and verifiers; no write route settles for a read permission."""
    views = app.view_functions
    steps = {Perm.RECTIFY, Perm.VERIFY, Perm.FINDINGS_MANAGE}
    assert views["audits.finding_step"].permissions == steps
    assert views["audits_api.transition"].permissions == steps
    assert views["audits.finding_upload"].permissions == {Perm.RECTIFY, Perm.VERIFY}
    assert views["audits_api.upload_evidence"].permissions == {Perm.RECTIFY, Perm.VERIFY}
    reads = {Perm.AUDITS_VIEW, Perm.FINDINGS_VIEW, Perm.REPORTS_VIEW}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("audits.", "audits_api.")) and rule.methods & {"POST", "PATCH"}:
            view = views[rule.endpoint]
            assert not set(getattr(view, "permissions", {view.permission})) & reads, rule.endpoint
