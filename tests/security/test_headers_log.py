"""Security headers on every response, the CSP's hold on templates, the security log page, the
API refusing what the forms refuse, and signature passwords throttled."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from labtrack.auth import security
from labtrack.auth.models import SecurityEvent
from labtrack.extensions import db
from tests import factories
from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _events(kind=None):
    db.session.expire_all()
    stmt = select(SecurityEvent).order_by(SecurityEvent.id)
    return db.session.scalars(stmt.where(SecurityEvent.kind == kind) if kind else stmt).all()


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/login", "/public/", "/no-such-page", "/api/v1/labs"])
def test_headers_on_every_response_signed_out(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = _csp(response)
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-inline" not in csp["style-src"]
    assert "Strict-Transport-Security" not in response.headers  # plain http: no HSTS
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_signed_in_pages_are_not_stored_and_carry_a_fresh_nonce(client, auth):
    auth.login("admin")
    first, second = client.get("/"), client.get("/labs/")
    for response in (first, second):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
    nonces = [re.search(r"'nonce-([^']+)'", _csp(r)["script-src"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    # Static files may be cached.
    static = client.get("/static/js/labtrack.js")
    static.close()
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_hsts_only_over_https(client):
    response = client.get("/login", base_url="https://localhost.localdomain")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_proxy_the_forwarded_address_counts(app, make_user):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from labtrack.auth.headers import init_app  # noqa: F401  (ProxyFix is wired by PROXY_COUNT)

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    client = app.test_client()
    client.post(
        "/login",
        data={"username": "nobody-x", "password": "wrong"},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert _events(security.Kind.LOGIN)[-1].address == "203.0.113.7"


def test_no_template_has_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "paper" in path.parts or "email" in path.name:
            continue  # printed to PDF or sent by e-mail: never served under the CSP
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1) and "csp_nonce()" not in match.group(1):
                offenders.append(f"{path.name}: inline <script>")
        for match in re.finditer(r"<style\b([^>]*)>", text):
            if "csp_nonce()" not in match.group(1):
                offenders.append(f"{path.name}: <style> without the nonce")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{path.name}: inline event handler")
    assert offenders == []


def test_the_security_log_page_filters_and_is_for_admins(app, client, auth, make_user):
    make_user("viewer", username="reader")
    client.post("/login", data={"username": "reader", "password": "wrong"})
    client.post("/login", data={"username": "ghost", "password": "wrong"})
    client.post("/login", data={"username": "reader", "password": PASSWORD})
    assert client.get("/admin/security").status_code == 403  # a viewer: refused, and logged
    client.post("/logout")
    auth.login("admin")
    page = client.get("/admin/security").get_data(as_text=True)
    assert "permission refused" in page and "ghost" in page and "sign-out" in page
    only = client.get("/admin/security?kind=login&outcome=failure&user=reader").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"table-warning\">", only)
    assert len(rows) == 1 and "ghost" not in only
    bad = client.get("/admin/security?date_from=2020-02-30")
    assert bad.status_code == 200 and "text-danger" in bad.get_data(as_text=True)
    refused = _events(security.Kind.REFUSED)
    assert [(e.username, e.path, e.outcome) for e in refused] == [("reader", "/admin/security", "refused")]


def test_the_security_log_in_chinese(client, auth):
    auth.login("admin")
    client.post("/language/zh_Hans_CN")
    page = client.get("/admin/security").get_data(as_text=True)
    assert "安全日志" in page


def test_exports_and_tokens_are_logged(client, auth, make_user):
    admin = auth.login("admin")
    assert client.get("/labs/export?format=csv").status_code == 200
    _user, headers = factories.bearer(role="viewer", username="robot")
    client.get("/api/v1/labs", headers=headers)
    assert [(e.user_id, e.detail.endswith(".csv")) for e in _events(security.Kind.EXPORT)] == [
        (admin.id, True)
    ]
    assert [e.username for e in _events(security.Kind.TOKEN_USED)] == ["robot"]


def test_signature_passwords_are_counted_and_throttled(app, make_user):
    user = make_user("quality", username="signer")
    with app.test_request_context("/audits/x", environ_base={"REMOTE_ADDR": "10.1.1.1"}):
        for _ in range(5):
            assert security.verify_password(user, "wrong") is False
        with pytest.raises(security.Throttled) as caught:
            security.verify_password(user, PASSWORD)  # even the right one waits now
        assert caught.value.status == 429 and "password" in caught.value.errors
    with app.test_request_context("/audits/x", environ_base={"REMOTE_ADDR": "10.1.1.2"}):
        assert security.verify_password(user, PASSWORD) is True  # from elsewhere: fine
    outcomes = [e.outcome for e in _events(security.Kind.SIGNATURE)]
    assert outcomes == ["failure"] * 5 + ["throttled"]


BAD = [
    ({"code": "AB\x01C"}, "code"),
    ({"code": "<b>X</b>"}, "code"),
    ({"name": "<script>alert(1)</script>"}, "name"),
    ({"name": "a\x07b"}, "name"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_the_api_refuses_what_the_form_refuses(client, auth, change, field):
    base = {"code": "OK-1", "name": "Lab", "region": "Chengdu", "kind": "third_party_lab"}
    _user, headers = factories.bearer(role="admin", username="robot")
    response = client.post("/api/v1/labs", json={**base, **change}, headers=headers)
    assert response.status_code == 422 and field in response.json["errors"]
    auth.login("admin")
    assert client.post("/labs/new", data={**base, **change}).status_code == 422
