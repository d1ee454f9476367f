"""Fixtures: the app on SQLite or PostgreSQL, users of every role, signed-in clients."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import text

from config import TestingConfig
from labtrack import create_app
from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs.models import Lab
from tests import factories
from tests.pg import TempPostgres

PASSWORD = factories.PASSWORD  # every test user's password

# No per-example deadline: the machine is shared and timing is not what these properties test.
settings.register_profile("labtrack", deadline=None)
settings.load_profile("labtrack")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("LABTRACK_TEST_DB", "sqlite"),
        choices=["sqlite", "postgresql"],
        help="database the suite runs on",
    )


# Lines a test module wants printed at the end of the run (the API contract test's counts).
SUMMARY_LINES = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    for line in config.stash.get(SUMMARY_LINES, []):
        terminalreporter.write_line(line)


def require_or_skip(env: str, reason: str) -> None:
    """Skip with a reason, or fail when the environment says the thing is required."""
    if os.environ.get(env) == "1":
        pytest.fail(f"{reason} ({env}=1 makes this required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TempPostgres]:
    """A PostgreSQL server of our own for the session (skipped if not installed)."""
    try:
        server = TempPostgres()
        server.start()
    except (FileNotFoundError, OSError) as exc:
        require_or_skip("LABTRACK_REQUIRE_PG", f"PostgreSQL not available: {exc}")
    except Exception as exc:  # initdb / pg_ctl failed
        require_or_skip("LABTRACK_REQUIRE_PG", f"PostgreSQL could not start: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest) -> str:
    """sqlite:// by default; a fresh PostgreSQL database with --db=postgresql."""
    if request.config.getoption("--db") == "postgresql":
        server = request.getfixturevalue("postgres_server")
        return server.create_database("labtrack_test")
    return "sqlite://"


@contextmanager
def fresh_app(database_url: str, tmp_path, **settings) -> Iterator[Flask]:
    """An application with empty tables (and settings on top of TestingConfig), emptied afterwards."""
    config = type(
        "Config",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": str(tmp_path / "uploads"), **settings},
    )
    app = create_app(config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        if database_url.startswith("postgresql"):
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path) -> Iterator[Flask]:
    """A fresh application with empty tables for every test."""
    with fresh_app(database_url, tmp_path) as application:
        yield application


@pytest.fixture
def make_lab() -> Callable[..., Lab]:
    """Create a lab (code, name, region, kind may be given): tests.factories.LabFactory with this
    fixture's codes LAB-001, LAB-002, ... and names "Laboratory 1", ..."""
    counter = iter(range(1, 10_000))

    def make(code: str | None = None, **fields) -> Lab:
        n = next(counter)
        fields.setdefault("name", f"Laboratory {n}")
        fields.setdefault("name_en", None)
        return factories.LabFactory(code=code or f"LAB-{n:03d}", **fields)

    return make


@pytest.fixture
def make_user(make_lab) -> Callable[..., User]:
    """Create a user of a role; lab managers get a lab of their own unless one is given."""

    def make(
        role: str | Role = Role.ADMIN, username: str | None = None, lab: Lab | None = None, **fields
    ) -> User:
        role = Role(role)
        if role == Role.LAB_MANAGER and lab is None:
            lab = make_lab()
        fields.setdefault("full_name", "")
        fields.setdefault("email", None)
        username = username or f"{role.value}-{lab.code if lab else 'x'}"
        return factories.UserFactory(username=username, role=role, lab=lab, **fields)

    return make


class Auth:
    """Signs a test client in and out."""

    def __init__(self, client: FlaskClient, make_user: Callable[..., User]):
        self.client, self.make_user = client, make_user

    def login(self, user_or_role: User | str | Role = Role.ADMIN, **kw) -> User:
        user = user_or_role if isinstance(user_or_role, User) else self.make_user(user_or_role, **kw)
        response = self.client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return user

    def logout(self) -> None:
        self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient, make_user) -> Auth:
    """auth.login(role) signs the test client in as a new user of that role."""
    return Auth(client, make_user)


@pytest.fixture
def api_token(make_user) -> Callable[..., tuple[User, dict]]:
    """A user of a role and the Authorization header of a new token of theirs."""

    def make(role: str | Role = Role.ADMIN, **kw) -> tuple[User, dict]:
        user = kw.pop("user", None) or make_user(role, **kw)
        return factories.bearer(user)

    return make


# --- End-to-end: a live server on a SQLite file, and headless Chromium driven by Playwright ---

SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "screenshots")
CHROMIUM = "/usr/bin/chromium"


class LiveServer:
    """The app served on a free loopback port by a background thread."""

    def __init__(self, app: Flask, url: str):
        self.app, self.url = app, url

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    """A real HTTP server (CSRF on) on a fresh SQLite file; use live_server.app to add data."""
    import threading

    from werkzeug.serving import make_server

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'live.db'}"
        UPLOAD_FOLDER = str(tmp_path / "uploads")
        WTF_CSRF_ENABLED = True
        SERVER_NAME = None

    app = create_app(Config)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, started by Playwright (skipped when not installed)."""
    if not os.path.exists(CHROMIUM):
        require_or_skip("LABTRACK_REQUIRE_BROWSER", f"Chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh browser tab (English, desktop size); `shot(page, name)` saves a screenshot."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def shot(tab, name: str) -> str:
    """Save a full-page screenshot under screenshots/ and return its path."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, f"{name}.png")
    tab.screenshot(path=path, full_page=True)
    return path


def browser_login(tab, live: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form."""
    tab.goto(live("/login"))
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.click("#submit")
    tab.wait_for_load_state("networkidle")
