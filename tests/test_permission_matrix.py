"""Role x endpoint over every page and API read, on the demo data: 403 exactly where the role lacks
the endpoint's permission, a real page where it has it, 404 (never 403) for another lab's records."""

import pytest
from sqlalchemy import select

from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, role_can
from labtrack.extensions import db
from tests import routes

# Pages a role reaches by its permission where the area's policy then shows it nothing of any record:
# a lab manager may read published plans but never a draw's recorded inputs (the population's risk
# weights); tests/planning covers that refusal.
POLICY_ONLY = {("manager-SC-TC", "planning.plan_draw_record")}

ROLES = ["admin", "quality", "inspector", "viewer", "manager-SC-TC"]


@pytest.fixture
def demo(app):
    from labtrack.demo import load_demo

    load_demo()
    return app


def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()  # file downloads hold the file open until the response is closed
    return response.status_code


@pytest.mark.slow
@pytest.mark.parametrize("username", ROLES)
def test_every_read_endpoint_for_every_role(demo, client, username):
    from labtrack.demo import DEMO_PASSWORD

    user = db.session.scalar(select(User).where(User.username == username))
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    pool = routes.candidates(user)
    problems = []
    for rule in routes.rules(demo, {"GET"}):
        perm = demo.view_functions[rule.endpoint].permission
        statuses = {url: _status(client, url) for url in routes.urls(rule, pool)}
        allowed = perm is Perm.PUBLIC or role_can(user.role, perm)
        for url, status in statuses.items():
            if status >= 500 or (allowed and status == 403) or (not allowed and status != 403):
                problems.append((rule.endpoint, url, status, "allowed" if allowed else "refused"))
        # A role that may use a one-argument page finds at least one record it opens (lab managers:
        # when the records are their own lab's, which the candidates put first).
        if (
            allowed
            and len(rule.arguments) <= 1
            and routes.real(pool, rule)
            and (username, rule.endpoint) not in POLICY_ONLY
            and not {200, 303} & set(statuses.values())
            and rule.endpoint != "auth.login"
        ):
            problems.append((rule.endpoint, sorted(statuses.items()), "no record opened"))
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.slow
def test_a_lab_manager_gets_404_for_every_other_labs_record(demo, client):
    """Everything keyed by another lab (its page, scope, history, findings, audits) is not found."""
    from labtrack.audits.models import Audit, Finding
    from labtrack.demo import DEMO_PASSWORD
    from labtrack.labs.models import Lab

    client.post("/login", data={"username": "manager-SC-TC", "password": DEMO_PASSWORD})
    other = db.session.scalar(select(Lab).where(Lab.code != "SC-TC").order_by(Lab.id))
    finding = db.session.scalar(select(Finding).where(Finding.lab_id == other.id).limit(1))
    audit = db.session.scalar(select(Audit).where(Audit.lab_id == other.id).limit(1))
    paths = [
        f"/labs/{other.code}",
        f"/scope/labs/{other.code}",
        f"/scope/labs/{other.code}/timeline",
        f"/rounds/labs/{other.code}",
        f"/api/v1/labs/{other.code}",
        f"/api/v1/labs/{other.code}/scope",
        f"/api/v1/labs/{other.code}/growth?from=2009-12-31&to=2010-11-11",
        f"/audits/findings/{finding.id}",
        f"/api/v1/findings/{finding.id}",
        f"/audits/{audit.id}",
        f"/api/v1/audits/{audit.id}",
    ]
    assert {p: client.get(p).status_code for p in paths} == {p: 404 for p in paths}
    own = db.session.scalar(select(Finding).join(Lab).where(Lab.code == "SC-TC").limit(1))
    assert client.get(f"/audits/findings/{own.id}").status_code == 200
