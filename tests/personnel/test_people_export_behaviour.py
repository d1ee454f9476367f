"""The people export is the import's format exactly: exported and imported again it changes
nothing, a lab manager exports their own people, formula-like text is defused."""

import io

from openpyxl import load_workbook

from labtrack.personnel import importers
from tests.personnel import factories as pf
from tests.personnel.conftest import login


def test_an_export_imported_again_changes_nothing(world, client):
    login(client, world.quality)
    response = client.get("/personnel/?format=csv&status=all")
    assert response.status_code == 200
    report = importers.import_people(world.quality, response.data)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)


def test_the_export_has_the_import_columns_in_order(world, client):
    login(client, world.quality)
    header = client.get("/personnel/?format=csv").get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.split(",") == importers.PEOPLE_HEADER


def test_posts_are_joined_as_the_import_reads_them(world, client):
    login(client, world.quality)
    lines = client.get("/personnel/?format=csv").get_data(as_text=True).splitlines()
    signatory = next(line for line in lines if ",A002," in line)
    assert "authorised_signatory;analyst" in signatory or "analyst;authorised_signatory" in signatory


def test_a_lab_manager_exports_their_own_people(world, client):
    login(client, world.manager_b)
    lines = client.get("/personnel/?format=csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["B001"]


def test_text_that_looks_like_a_formula_is_defused(world, client):
    pf.PersonFactory(lab=world.lab_a, staff_no="A900", name="公式", title='=HYPERLINK("http://x")')
    login(client, world.quality)
    csv = client.get("/personnel/?format=csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv
    book = load_workbook(io.BytesIO(client.get("/personnel/?format=xlsx").data))
    values = [c.value for row in book.active.iter_rows(min_row=2) for c in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_an_unknown_format_is_refused(world, client):
    login(client, world.quality)
    assert client.get("/personnel/?format=pdf").status_code == 400
