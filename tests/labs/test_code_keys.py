"""Codes are unique as `parsing.code_key` compares them, by a stored, unique `code_key` column:
written by the model (ORM and Core inserts alike), enforced by the database, keyed by migration
0005 for the rows that were there before."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select

from config import TestingConfig
from labtrack import create_app
from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind
from labtrack.scope.models import TestCategory, TestItem
from labtrack.services import Conflict, transaction


def test_the_model_keeps_the_key_of_its_code(app):
    lab = Lab(code="ÉX-1", name="n", region="r", kind=LabKind.REGIONAL_LAB)
    db.session.add(lab)
    db.session.commit()
    assert lab.code_key == "éx-1"
    lab.code = "ＳＣ-TC"
    db.session.commit()
    assert db.session.scalar(select(Lab.code_key)) == "sc-tc"
    # Inserts that bypass the ORM (imports, the demo) get it from the column default.
    table = TestCategory.__table__
    db.session.execute(insert(table), [{"code": "ÄB", "name": "x"}, {"code": "cd", "name": "y"}])
    assert sorted(db.session.scalars(select(table.c.code_key))) == ["cd", "äb"]


@pytest.mark.parametrize("model", [Lab, TestCategory, TestItem])
def test_the_database_refuses_a_second_row_of_the_same_code(app, model):
    """Even when a check is skipped (two saves at once), the unique key answers 409, not 500."""

    def make(code):
        fields = {"code": code, "name": "n"}
        if model is Lab:
            fields.update(region="r", kind=LabKind.REGIONAL_LAB)
        if model is TestItem:
            fields["category"] = TestCategory(code=f"C-{code}", name="c")
        return model(**fields)

    with transaction():
        db.session.add(make("éx-1"))
    with pytest.raises(Conflict), transaction():
        db.session.add(make("ÉX-1"))
    assert db.session.scalar(select(sa.func.count()).select_from(model)) == 1


def _migrated_app(url: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


def _upgrade_with_rows(url: str, codes: list[str]) -> list[tuple[str, str]]:
    app = _migrated_app(url)
    with app.app_context():
        upgrade(revision="0004")
        labs = sa.table(
            "labs",
            sa.column("code"),
            sa.column("name"),
            sa.column("region"),
            sa.column("kind"),
            sa.column("status"),
            sa.column("is_model_lab"),
            sa.column("created_at"),
            sa.column("updated_at"),
        )
        now = sa.func.current_timestamp()
        with db.engine.begin() as conn:
            for code in codes:
                conn.execute(
                    labs.insert().values(
                        code=code,
                        name="n",
                        region="r",
                        kind="regional_lab",
                        status="active",
                        is_model_lab=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
        try:
            upgrade(revision="0005")
            with db.engine.connect() as conn:
                return sorted(conn.execute(sa.text("SELECT code, code_key FROM labs")).all())
        finally:
            db.engine.dispose()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migration_0005_keys_existing_codes_and_refuses_twins(tmp_path, request, capfd, engine):
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'keys.db'}"
        twin_url = f"sqlite:///{tmp_path / 'twins.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database("labtrack_code_keys")
        twin_url = server.create_database("labtrack_code_twins")
    assert _upgrade_with_rows(url, ["SC-TC", "Éx-1"]) == [("SC-TC", "sc-tc"), ("Éx-1", "éx-1")]
    app = _migrated_app(url)
    with app.app_context():
        downgrade(revision="0004")  # and back: the column goes, the codes stay
        with db.engine.connect() as conn:
            assert "code_key" not in {c["name"] for c in sa.inspect(conn).get_columns("labs")}
        db.engine.dispose()
    with pytest.raises(SystemExit):  # flask-migrate's answer to a failed revision: exit status 1
        _upgrade_with_rows(twin_url, ["ÉX-1", "éx-1"])
    assert (
        "labs: codes 'ÉX-1' and 'éx-1' are the same code; rename one, then upgrade" in capfd.readouterr().err
    )


@pytest.mark.parametrize(
    "path",
    [
        "/labs/a%00b",
        "/labs/a%00b/edit",
        "/scope/labs/a%00b",
        "/scope/items/a%00b",
        "/scope/growth?lab=a%00b",
        "/scope/export.csv?lab=a%00b",
        "/api/v1/labs/a%00b",
        "/api/v1/labs/a%00b/scope",
        "/api/v1/labs/a%00b/growth",
        "/api/v1/catalogue/items/a%00b",
        "/api/v1/reports/campaign?region=a%00b",
        "/labs/" + "x" * 5000,
    ],
)
def test_codes_no_database_can_compare_are_not_found(client, auth, path):
    """A NUL or an endless code in a URL is no lab (PostgreSQL refuses NUL in a query: not a 500)."""
    auth.login("admin")
    assert client.get(path).status_code in (404, 422), path


def test_a_username_with_a_nul_signs_nobody_in(client, make_user):
    make_user("viewer", username="reader")
    response = client.post("/login", data={"username": "read\x00er", "password": "x"})
    assert response.status_code == 200 and "Invalid username or password." in response.get_data(as_text=True)
