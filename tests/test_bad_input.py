"""No request ever produces a 500: malformed data posted to every write route, as two roles."""

import io

import pytest
from sqlalchemy import select

from labtrack.auth.models import User
from labtrack.extensions import db
from tests import routes

JUNK = {
    "": "",
    "long": "x" * 5000,
    "date": "2010-13-45",
    "number": "not-a-number",
    "negative": "-1",
    "markup": "<script>alert(1)</script>",
}
FIELDS = [
    "code",
    "name",
    "name_en",
    "region",
    "kind",
    "status",
    "title",
    "measurand",
    "unit",
    "item_code",
    "category_code",
    "lab_code",
    "lab",
    "username",
    "password",
    "confirm",
    "email",
    "role",
    "comment",
    "reason",
    "to",
    "version",
    "value",
    "expanded_uncertainty",
    "coverage_factor",
    "method",
    "x_pt",
    "u_x_pt",
    "sigma_pt",
    "granted_on",
    "withdrawn_on",
    "issued_on",
    "expires_on",
    "due_on",
    "start_on",
    "end_on",
    "severity",
    "area",
    "clause",
    "description",
    "root_cause",
    "correction",
    "corrective_action",
    "owner",
    "target_date",
    "evidence",
    "effectiveness",
    "token",
    "on",
    "from",
    "to_date",
    "scheme",
    "certificate_no",
    "parameters",
    "basis",
    "participants",
    "assigned_value_method",
    "sigma_pt_method",
]


def _payloads():
    for label, value in JUNK.items():
        yield f"form-{label}", {"data": {f: value for f in FIELDS}}
    yield "json-object", {"json": {f: ["junk", {"x": 1}] for f in FIELDS}}
    yield "json-list", {"json": [1, "two", None, {"lab_code": 5, "value": "abc"}]}
    yield "json-broken", {"data": b"{not json", "content_type": "application/json"}
    yield (
        "file",
        {
            "data": {"file": (io.BytesIO(b"\x00\x01\x02junk" * 100), "../../etc/passwd.csv"), "confirm": "1"},
            "content_type": "multipart/form-data",
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "manager-SC-TC", "inspector"])
def test_malformed_posts_never_answer_500(app, client, role):
    from labtrack.demo import DEMO_PASSWORD, load_demo

    load_demo()
    pool = routes.candidates()
    user = db.session.scalar(select(User).where(User.username == role))
    failures = []
    checked = 0
    for rule in routes.rules(app, {"POST", "PUT", "PATCH", "DELETE"}):
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if rule.endpoint in ("auth.logout", "auth.login", "auth.set_language"):
            continue
        for url in routes.urls(rule, pool, limit=4):
            for method in sorted(methods):
                for label, kwargs in _payloads():
                    client.post("/login", data={"username": user.username, "password": DEMO_PASSWORD})
                    try:
                        response = client.open(url, method=method, **kwargs)
                        status = response.status_code
                    except Exception as exc:  # propagated under TESTING: a 500 in production
                        db.session.rollback()
                        status = f"{type(exc).__name__}: {exc}"[:300]
                    checked += 1
                    if not isinstance(status, int) or status >= 500:
                        failures.append((method, url, label, status))
    assert checked > 50
    assert failures == []


JUNK_ARGUMENTS = ["page", "per_page", "year", "on", "from", "to", "lab", "lab_id", "region", "kind", "status"]
JUNK_ARGUMENTS += ["grade", "q", "item", "category", "job", "unread", "due_within", "level", "format", "sort"]
JUNK_VALUES = {
    "superscript digit": "\u00b2",  # "²".isdigit() is true, int("²") raises
    "huge": "9" * 30,
    "negative": "-34359738368",
    "long": "x" * 3000,
    "date": "2010-13-45",
}


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "manager-SC-TC"])
def test_nonsense_query_arguments_never_answer_500(app, client, role):
    """Every page and API list read with nonsense in its filters and page numbers: a page or a
    refusal, never a server error (SQLite takes any number; the bounds matter for PostgreSQL)."""
    from labtrack.demo import DEMO_PASSWORD, load_demo

    load_demo()
    pool = routes.candidates()
    client.post("/login", data={"username": role, "password": DEMO_PASSWORD})
    failures, checked = [], 0
    for rule in routes.rules(app, {"GET"}):
        if rule.endpoint in ("auth.logout", "static", "vendor.asset"):
            continue
        for url in routes.urls(rule, pool, limit=1):
            for label, value in JUNK_VALUES.items():
                query = "&".join(f"{name}={value}" for name in JUNK_ARGUMENTS)
                try:
                    status = client.get(f"{url}?{query}").status_code
                except Exception as exc:  # propagated under TESTING: a 500 in production
                    db.session.rollback()
                    status = f"{type(exc).__name__}: {exc}"[:300]
                checked += 1
                if not isinstance(status, int) or status >= 500:
                    failures.append((url, label, status))
    assert checked > 200
    assert failures == [], "\n".join(map(str, failures))
