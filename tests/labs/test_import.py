"""`import-labs`: CSV or XLSX, every row error with its row and column, all or nothing."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.history.models import HistoryEntry
from labtrack.labs.importer import import_labs
from labtrack.labs.models import Lab, LabKind, LabStatus

GOOD = (
    "code,name,region,kind\n"
    "SC-TC,四川出入境检验检疫局检验检疫技术中心,Chengdu,technical_centre\n"
    "ZG-PQI,自贡市产品质量监督检验所,Zigong,Product quality inspection institute\n"
    "LS-MTI,乐山市计量测试所,Leshan,计量测试所\n"
)


def _write(tmp_path, text: str, name: str = "labs.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def _xlsx(tmp_path, rows) -> str:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "labs.xlsx"
    workbook.save(path)
    return str(path)


def _labs() -> dict[str, tuple]:
    return {lab.code: (lab.name, lab.region, lab.kind) for lab in db.session.scalars(select(Lab))}


def test_cli_imports_csv(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", _write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "Imported: 3 created, 0 updated, 0 unchanged." in result.output
    labs = _labs()
    assert labs["ZG-PQI"] == ("自贡市产品质量监督检验所", "Zigong", LabKind.PRODUCT_QUALITY)
    assert labs["LS-MTI"][2] == LabKind.METROLOGY
    assert db.session.scalar(select(Lab.status).where(Lab.code == "SC-TC")) == LabStatus.ACTIVE
    # One history row per lab, marked as an import.
    entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.table_name == "labs")).all()
    assert len(entries) == 3 and {e.comment for e in entries} == {"import-labs"}


def test_cli_imports_xlsx(app, tmp_path):
    path = _xlsx(
        tmp_path,
        [
            ["code", "name", "region", "kind"],
            ["SC-TC", "技术中心", "Chengdu", "Technical centre"],
            [None, None, None, None],
            ["SC-FIB", "纤维检验局", "Chengdu", "fibre_inspection_institute"],
        ],
    )
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", path])
    assert result.exit_code == 0, result.output
    assert set(_labs()) == {"SC-TC", "SC-FIB"}


def test_existing_codes_are_updated_not_duplicated(app, tmp_path, make_lab):
    make_lab(
        "sc-tc",
        name="Old name",
        region="Zigong",
        kind=LabKind.REGIONAL_LAB,
        status=LabStatus.SUSPENDED,
        is_model_lab=True,
    )
    make_lab("ZG-PQI", name="自贡市产品质量监督检验所", region="Zigong", kind=LabKind.PRODUCT_QUALITY)
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", _write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 created, 1 updated, 1 unchanged." in result.output
    tc = db.session.scalar(select(Lab).where(Lab.code == "sc-tc"))
    assert (tc.name, tc.region, tc.kind) == (
        "四川出入境检验检疫局检验检疫技术中心",
        "Chengdu",
        LabKind.TECHNICAL_CENTRE,
    )
    assert tc.status == LabStatus.SUSPENDED and tc.is_model_lab  # not columns of the file: left alone
    assert db.session.scalar(select(func.count()).select_from(Lab)) == 3
    update = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "update"))
    assert update.changes["region"] == ["Zigong", "Chengdu"]


def test_dry_run_reports_and_writes_nothing(app, tmp_path, make_lab):
    make_lab("SC-TC", name="Old", kind=LabKind.TECHNICAL_CENTRE)
    result = app.test_cli_runner().invoke(
        args=["labtrack", "import-labs", "--dry-run", _write(tmp_path, GOOD)]
    )
    assert result.exit_code == 0, result.output
    assert "Dry run: 2 to create, 1 to update, 0 unchanged; nothing written." in result.output
    assert _labs() == {"SC-TC": ("Old", "Chengdu", LabKind.TECHNICAL_CENTRE)}


BAD = (
    "code,name,region,kind\n"
    "SC-TC,技术中心,Chengdu,technical_centre\n"
    "bad code,Lab,Chengdu,regional_lab\n"
    ",,Zigong,\n"
    "SC-X,Lab X,Zigong,castle\n"
    "sc-tc,Again,Chengdu,regional_lab\n"
    f"SC-Y,{'n' * 201},Zigong,regional_lab\n"
)


def test_every_row_error_on_stderr_and_nothing_written(app, tmp_path, make_lab):
    make_lab("KEEP")
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", _write(tmp_path, BAD)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:-1] == [
        "row 3, column code: Use letters and digits, with - _ . / between them (no spaces or other characters).",
        "row 4, column code: This field is required.",
        "row 4, column name: This field is required.",
        "row 4, column kind: This field is required.",
        "row 5, column kind: Unknown kind castle; use one of: technical_centre, regional_lab, "
        "product_quality_institute, metrology_institute, fibre_inspection_institute, "
        "special_equipment_institute, enterprise_lab, third_party_lab.",
        "row 6, column code: Code sc-tc already appears in row 2.",
        "row 7, column name: At most 200 characters.",
    ]
    assert lines[-1] == "7 error(s); nothing imported."
    assert result.stdout == ""
    assert set(_labs()) == {"KEEP"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "row 1: The file is empty."),
        ("code,name,region\nA,B,C\n", "row 1: The header must be exactly: code,name,region,kind"),
        ("name,code,region,kind\n", "row 1: The header must be exactly"),
        ("code,name,region,kind\n", "row 2: The file has no data rows."),
    ],
)
def test_bad_files(app, tmp_path, content, message):
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", _write(tmp_path, content)])
    assert result.exit_code == 1
    assert result.stderr.startswith(message)


def test_binary_and_formula_files_are_refused(app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", str(path)])
    assert result.exit_code == 1 and "neither CSV nor XLSX" in result.stderr
    xlsx = _xlsx(tmp_path, [["code", "name", "region", "kind"], ["A", "=1+1", "Chengdu", "regional_lab"]])
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", xlsx])
    assert result.exit_code == 1
    assert "row 2, column name: Formulas are not accepted" in result.stderr
    assert _labs() == {}


def test_missing_file_is_exit_1(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["labtrack", "import-labs", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "No such file" in result.stderr


def test_service_reads_a_stream_and_records_the_actor(app, make_user):
    actor = make_user("admin")
    with app.test_request_context():
        report = import_labs(io.BytesIO(("\ufeff" + GOOD).encode()), actor=actor)
    assert report.ok and len(report.created) == 3
    users = set(db.session.scalars(select(HistoryEntry.user_id).where(HistoryEntry.table_name == "labs")))
    assert users == {actor.id}
