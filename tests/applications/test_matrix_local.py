"""The permission matrix, for the applications area's own pages and API reads only (the shared
matrix stops at the first area that raises): 403 exactly where the role lacks the permission, a real
page where it has it, the lab manager's own records opened and another lab's answered 404."""

import pytest
from sqlalchemy import select

from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, role_can
from labtrack.extensions import db
from tests import routes

ROLES = ["admin", "quality", "inspector", "viewer", "manager-SC-TC"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """One demo database for every role (a file the function-scoped apps share)."""
    from config import TestingConfig
    from labtrack import create_app
    from labtrack.demo import load_demo

    path = tmp_path_factory.mktemp("apps-matrix") / "demo.db"

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.remove()
        db.engine.dispose()
    return Config


@pytest.mark.slow
@pytest.mark.parametrize("username", ROLES)
def test_applications_endpoints_for_every_role(demo_db, username):
    from labtrack import create_app
    from labtrack.demo import DEMO_PASSWORD

    app = create_app(demo_db)
    with app.app_context():
        client = app.test_client()
        user = db.session.scalar(select(User).where(User.username == username))
        client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        pool = routes.candidates(user)
        problems, checked = [], 0
        for rule in routes.rules(app, {"GET"}):
            if not (rule.endpoint.startswith("applications") or rule.rule.startswith("/api/v1/applications")):
                continue
            checked += 1
            perm = app.view_functions[rule.endpoint].permission
            allowed = perm is Perm.PUBLIC or role_can(user.role, perm)
            statuses = {}
            for url in routes.urls(rule, pool):
                response = client.get(url)
                statuses[url] = response.status_code
                response.close()
            for url, status in statuses.items():
                if status >= 500 or (allowed and status == 403) or (not allowed and status != 403):
                    problems.append((rule.endpoint, url, status))
            if (
                allowed
                and rule.arguments
                and routes.real(pool, rule)
                and not {200, 303} & set(statuses.values())
            ):
                problems.append((rule.endpoint, "no record opened", statuses))
        assert problems == [] and checked >= 9  # list, new, page, items, lookup, calendar, report, API x2
        db.session.remove()
        db.engine.dispose()
