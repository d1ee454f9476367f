"""Every endpoint declares a permission, and roles get exactly what the table gives them."""

import pytest

from labtrack.auth.permissions import ROLE_PERMISSIONS, Perm, Role, role_can

# Static files are the only endpoints without a view of ours.
STATIC = {"static", "bootstrap.static"}


def test_every_endpoint_declares_a_permission(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in STATIC
        and not isinstance(getattr(app.view_functions[rule.endpoint], "permission", None), Perm)
    ]
    assert undeclared == []


def test_only_admin_manages_users():
    assert [r for r in Role if role_can(r, Perm.USERS_MANAGE)] == [Role.ADMIN]


def test_viewer_is_read_only():
    writes = {p for p in ROLE_PERMISSIONS[Role.VIEWER] if not p.value.endswith((".view", "login"))}
    assert writes == set()


def _simple_get_endpoints(app):
    """GET endpoints without URL arguments, with the permission each declares."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC or rule.arguments or "GET" not in rule.methods:
            continue
        yield rule.rule, app.view_functions[rule.endpoint].permission


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_on_every_simple_page(app, client, auth, role):
    """Each role gets 200 where its permissions allow and 403 elsewhere; never a 500."""
    auth.login(role)
    checked = 0
    for path, perm in _simple_get_endpoints(app):
        if path in ("/login",):
            continue
        response = client.get(path)
        if perm is Perm.PUBLIC or role_can(role, perm):
            assert response.status_code in (200, 302), (path, response.status_code)
        else:
            assert response.status_code == 403, (path, response.status_code)
        checked += 1
    assert checked >= 5


def test_anonymous_is_sent_to_login_and_api_gets_json_401(app, client):
    for path, perm in _simple_get_endpoints(app):
        if perm is Perm.PUBLIC:
            continue
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
            assert response.json["code"] == 401
        else:
            assert response.status_code == 302, path
            assert "/login" in response.headers["Location"]
