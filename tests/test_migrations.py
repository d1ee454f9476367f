"""Upgrading an empty database to head gives exactly the models' schema, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from config import TestingConfig
from labtrack import create_app
from labtrack.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _app_for(url: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _upgrade_and_compare(url: str) -> None:
    app = _app_for(url)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert _differences(url) == []


def test_sqlite_upgrade_to_head_matches_models(tmp_path):
    _upgrade_and_compare(f"sqlite:///{tmp_path / 'm.db'}")


def test_postgresql_upgrade_to_head_matches_models(postgres_server):
    _upgrade_and_compare(postgres_server.create_database("labtrack_migrations"))


def test_downgrade_to_base_and_up_again(tmp_path):
    from flask_migrate import downgrade

    url = f"sqlite:///{tmp_path / 'd.db'}"
    app = _app_for(url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
    assert _differences(url) == []


def test_flask_db_upgrade_command_on_postgresql(postgres_server):
    """The production path of the README: `flask --app wsgi db upgrade` with a PostgreSQL URL."""
    url = postgres_server.create_database("labtrack_cli")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "x" * 32, "LABTRACK_CONFIG": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    try:
        assert "labs" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert _differences(url) == []


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without(name):
    env = {**os.environ, "DATABASE_URL": "sqlite://", "SECRET_KEY": "k" * 32, "LABTRACK_CONFIG": "production"}
    env.pop(name)
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert name in result.stderr
