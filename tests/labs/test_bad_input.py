"""Malformed data posted to every POST route of labs, admin and accounts never answers 500."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.auth.models import ApiToken
from labtrack.extensions import db
from labtrack.labs.models import LabContact, Qualification

FIELDS = [
    "code",
    "name",
    "name_en",
    "region",
    "kind",
    "status",
    "is_model_lab",
    "address",
    "notes",
    "scheme",
    "certificate_no",
    "issued_on",
    "expires_on",
    "position",
    "phone",
    "email",
    "username",
    "full_name",
    "role",
    "lab_code",
    "active",
    "password",
    "confirm",
    "current",
    "locale",
]
JUNK = [
    "",
    "x" * 20000,
    "2010-02-30",
    "-1",
    "0",
    "nan",
    "<b>é</b>",
    "' OR 1=1 --",
    "\x00",
    "a@",
    "@b.c",
    "\u202e",
    "１２３",
]


def _payloads():
    yield {}
    for value in JUNK:
        yield {f: value for f in FIELDS}
    yield {f: [value for value in JUNK[:3]] for f in FIELDS}  # repeated keys


@pytest.fixture
def routes(make_lab, make_user, api_token):
    lab = make_lab("SC-TC")
    q = Qualification(
        lab=lab, scheme="CMA", certificate_no="C-1", issued_on=date(2010, 1, 1), expires_on=date(2013, 1, 1)
    )
    c = LabContact(lab=lab, name="王伟")
    db.session.add_all([q, c])
    db.session.commit()
    user, _ = api_token("viewer")
    token = db.session.scalar(select(ApiToken))
    return [
        "/labs/new",
        "/labs/SC-TC/edit",
        "/labs/SC-TC/deactivate",
        "/labs/SC-TC/qualifications/new",
        f"/labs/SC-TC/qualifications/{q.id}/edit",
        "/labs/SC-TC/contacts/new",
        f"/labs/SC-TC/contacts/{c.id}/edit",
        "/admin/users/new",
        f"/admin/users/{user.id}/edit",
        f"/admin/users/{user.id}/password",
        f"/admin/users/{user.id}/active",
        f"/admin/users/{user.id}/tokens",
        f"/admin/users/{user.id}/tokens/{token.id}/revoke",
        "/account",
        "/login",
        "/labs/NOPE/edit",
        "/labs/SC-TC/qualifications/99999/edit",
        "/admin/users/99999/edit",
        f"/labs/SC-TC/contacts/{c.id}/delete",
        f"/labs/SC-TC/qualifications/{q.id}/delete",
    ]


def test_malformed_posts_never_answer_500(client, auth, routes):
    admin = auth.login("admin", username="boss")
    failures = []
    for path in routes:
        for payload in _payloads():
            try:
                status = client.post(path, data=payload).status_code
            except Exception as exc:  # propagated under TESTING: a 500 in production
                db.session.rollback()
                status = f"{type(exc).__name__}: {exc}"[:200]
            if not isinstance(status, int) or status >= 500:
                failures.append((path, str(payload)[:60], status))
        if path.endswith("/active"):
            auth.login(admin)  # stay signed in whatever the junk did
    assert failures == []
    # Valid JSON bodies and wrong content types on the form routes are handled too.
    for path in routes[:15]:
        assert client.post(path, json={f: ["x", {"y": 1}] for f in FIELDS}).status_code < 500
        assert client.post(path, json=[1, "two", None]).status_code < 500
        assert client.post(path, data=b"\xff\xfe", content_type="application/octet-stream").status_code < 500
