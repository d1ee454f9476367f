"""Imports of people, attendance lists and exam results: CSV and XLSX, all or nothing, every error
by row number (the header is row 1) and column, dry runs that write nothing."""

import io
from datetime import date

from freezegun import freeze_time
from openpyxl import Workbook
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.personnel import exams, importers
from labtrack.personnel.models import Attendance, ExamResult, Person
from tests.personnel import factories as pf
from tests.personnel.conftest import login

PEOPLE = "lab_code,staff_no,name,posts,title,employed_from,employed_to,phone,email\n"


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count(model=Person) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_people_are_added_and_updated(world):
    data = csv(
        PEOPLE + "LAB-A,A100,孙丽,analyst;sampler,工程师,2009-03-01,,,\n"
        "LAB-A,a001,王芳,授权签字人,高级工程师,2005-03-01,,13900000000,wf@lab.cn\n"
    )
    report = importers.import_people(world.manager_a, data)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 0)
    db.session.expire_all()
    assert db.session.get(Person, world.ana.id).post_codes == ["authorised_signatory"]
    again = importers.import_people(world.manager_a, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_one_bad_row_imports_nothing_and_every_error_is_listed(world):
    before = count()
    data = csv(
        PEOPLE + "LAB-A,A100,孙丽,analyst,,2009-03-01,,,\n"
        "LAB-A,A101,,analyst,,2009-03-01,,,\n"  # row 3: no name
        "LAB-A,A102,钱七,pilot,,2009-03-01,2008-01-01,,\n"  # row 4: unknown post, leaves before joining
        "LAB-X,A103,吴八,analyst,,2009-03-01,,,\n"  # row 5: unknown lab
        "LAB-A,A100,孙丽,analyst,,2009-03-01,,,\n"  # row 6: same staff number as row 2
    )
    report = importers.import_people(world.quality, data)
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "name"), (4, "posts"), (4, "employed_to"), (5, "lab_code"), (6, "staff_no")}
    assert count() == before


def test_a_lab_manager_imports_only_their_own_people(world):
    report = importers.import_people(
        world.manager_a, csv(PEOPLE + "LAB-B,B100,某人,analyst,,2009-03-01,,,\n")
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "lab_code")]
    assert "No such laboratory." in report.errors[0].message  # another lab is not revealed


def test_xlsx_and_dry_run(world):
    data = xlsx(
        [
            PEOPLE.strip().split(","),
            ["LAB-A", "A200", "许多", "analyst", None, date(2008, 5, 1), None, None, None],
        ]
    )
    report = importers.import_people(world.quality, data, dry_run=True)
    assert report.ok and report.created == 1 and "nothing written" in report.summary()
    assert count() == 4
    assert importers.import_people(world.quality, data).created == 1
    assert count() == 5


def test_a_wrong_header_or_an_empty_file(world):
    assert importers.import_people(world.quality, csv("lab,staff\nLAB-A,A1\n")).errors[0].row == 1
    assert "no data rows" in importers.import_people(world.quality, csv(PEOPLE)).errors[0].message
    assert importers.import_people(world.quality, b"%PDF-1.4 nope").errors


ATTENDANCE = "lab_code,staff_no,name,hours\n"


def test_an_attendance_list(world):
    session = pf.TrainingSessionFactory(hours=6)
    pf.AttendanceFactory(session=session, person=world.ana)
    report = importers.import_attendance(
        world.quality, session, csv(ATTENDANCE + "LAB-A,A001,王芳,\nLAB-A,A002,李强,3\nLAB-B,B001,,\n")
    )
    assert report.ok and (report.created, report.unchanged) == (2, 1)
    assert {(a.person_id, a.hours) for a in db.session.scalars(select(Attendance))} == {
        (world.ana.id, None),
        (world.sig.id, 3.0),
        (world.bob.id, None),
    }


def test_attendance_rows_that_are_wrong(world):
    session = pf.TrainingSessionFactory(organiser="lab", organiser_lab=world.lab_a, hours=2)
    rows = (
        ATTENDANCE + "LAB-A,A001,李强,\n"  # row 2: the name is not A001's
        "LAB-B,B001,,\n"  # row 3: of another lab, at lab A's own session
        "LAB-A,A002,,9\n"  # row 4: more hours than the session
        "LAB-A,A777,,\n"  # row 5: nobody
        "LAB-A,A003,,\nLAB-A,A003,,\n"  # row 7: twice
    )
    report = importers.import_attendance(world.quality, session, csv(rows))
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "name"),
        (3, "staff_no"),
        (4, "hours"),
        (5, "staff_no"),
        (7, "staff_no"),
    }
    assert count(Attendance) == 0


RESULTS = "lab_code,staff_no,name,status,score\n"


@freeze_time("2010-06-01")
def test_exam_results_from_a_file(world):
    exam = exams.create_exam(
        world.quality, {"title": "考核", "kind": "theory", "held_on": "2010-05-22", "posts": ["analyst"]}
    )
    bad = csv(
        RESULTS
        + "LAB-A,A001,王芳,sat,101\nLAB-A,A003,赵敏,sat,80\nLAB-A,A002,李强,absent,40\nLAB-B,B001,陈刚,maybe,\n"
    )
    report = importers.import_results(world.quality, exam, bad)
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "score"),
        (3, "staff_no"),
        (4, "score"),
        (5, "status"),
    }
    assert "not required to sit" in [e.message for e in report.errors if e.row == 3][0]
    assert {r.status for r in db.session.scalars(select(ExamResult))} == {"pending"}
    good = csv(RESULTS + "LAB-A,A001,王芳,sat,88\nLAB-A,A002,李强,缺考,\nLAB-B,B001,陈刚,sat,59\n")
    assert importers.import_results(world.quality, exam, good, dry_run=True).created == 3
    assert {r.status for r in db.session.scalars(select(ExamResult))} == {"pending"}
    report = importers.import_results(world.quality, exam, good)
    assert report.ok and report.created == 3
    assert sorted((r.status, r.score) for r in db.session.scalars(select(ExamResult))) == [
        ("absent", None),
        ("sat", 59.0),
        ("sat", 88.0),
    ]


def test_the_import_page_lists_the_rows_refused(world, client):
    login(client, world.manager_a)
    data = {"file": (io.BytesIO(csv(PEOPLE + "LAB-A,A101,,analyst,,2009-03-01,,,\n")), "people.csv")}
    response = client.post("/personnel/import", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="import-errors"' in page and "<td>3</td>" not in page
    assert "<td>2</td><td>name</td>" in page
    data = {"file": (io.BytesIO(csv(PEOPLE + "LAB-A,A101,钱七,analyst,,2009-03-01,,,\n")), "people.csv")}
    response = client.post("/personnel/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "Imported: 1 added" in response.get_data(as_text=True)
