"""Imports refused as a whole, as a lab or the bureau meets them: each refused row by its number
(the header is row 1) and column, nothing written; who may import what (a lab manager's own
people at the province's sessions, nobody's results but the bureau's); results not before the
exam's day nor on a contest itself; the results template a lab fills in; a person imported joins
the lists of the exams to come; the summary in both languages."""

import io
from datetime import date

import pytest
from flask_babel import force_locale
from freezegun import freeze_time
from openpyxl import Workbook
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.personnel import exams, importers
from labtrack.personnel.models import Attendance, ExamResult, Person
from labtrack.services import Forbidden, InvalidInput
from tests.personnel import factories as pf

PEOPLE = "lab_code,staff_no,name,posts,title,employed_from,employed_to,phone,email\n"
ATTENDANCE = "lab_code,staff_no,name,hours\n"
RESULTS = "lab_code,staff_no,name,status,score\n"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(report) -> set[tuple[int, str | None]]:
    return {(e.row, e.column) for e in report.errors}


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- people ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, column",
    [
        ("LAB-A,A 1,孙丽,analyst,,2009-03-01,,,", "staff_no"),  # a space in a staff number
        ("LAB-A,A100,孙丽,analyst,,2009-13-01,,,", "employed_from"),
        ("LAB-A,A100,孙丽,analyst,,2009-03-01,,,not-an-address", "email"),
        (",A100,孙丽,analyst,,2009-03-01,,,", "lab_code"),
    ],
)
def test_each_bad_person_row_is_named_and_nothing_is_written(world, row, column):
    before = count(Person)
    report = importers.import_people(world.quality, (PEOPLE + row + "\n").encode())
    assert refused(report) == {(2, column)}
    assert count(Person) == before


def test_a_staff_number_matches_whatever_its_width_or_case(world):
    """ａ００１ typed with a Chinese input method is full width and lower case: it is A001."""
    data = (PEOPLE + "LAB-A,ａ００１,王芳,analyst;sampler,,2005-03-01,,,\n").encode()
    report = importers.import_people(world.manager_a, data)
    assert (report.created, report.updated) == (0, 1)
    db.session.expire_all()
    assert sorted(db.session.get(Person, world.ana.id).post_codes) == ["analyst", "sampler"]


def test_a_viewer_imports_nobody(world):
    report = importers.import_people(
        world.viewer, (PEOPLE + "LAB-A,A100,孙丽,analyst,,2009-03-01,,,\n").encode()
    )
    assert refused(report) == {(2, "lab_code")}
    assert "may not keep the people" in report.errors[0].message


@freeze_time("2010-06-01")
def test_an_imported_analyst_joins_the_list_of_an_exam_to_come(world):
    exam = exams.create_exam(
        world.quality, {"title": "考核", "kind": "theory", "held_on": "2010-06-20", "posts": ["analyst"]}
    )
    importers.import_people(world.manager_a, (PEOPLE + "LAB-A,A100,孙丽,analyst,,2009-03-01,,,\n").encode())
    listed = {
        r.person.staff_no for r in db.session.scalars(select(ExamResult).where(ExamResult.exam_id == exam.id))
    }
    assert listed == {"A001", "A002", "B001", "A100"}


def test_a_file_over_the_size_limit_is_refused_on_row_1(world, app):
    app.config["MAX_IMPORT_BYTES"] = 64
    data = (PEOPLE + "LAB-A,A100,孙丽,analyst,,2009-03-01,,,\n" * 3).encode()
    report = importers.import_people(world.quality, data)
    assert [e.row for e in report.errors] == [1] and "larger than" in report.errors[0].message


def test_refusing_lists_every_row_in_the_error(world):
    report = importers.import_people(
        world.quality,
        (PEOPLE + "LAB-A,A100,,analyst,,2009-03-01,,,\nLAB-Q,A101,某,analyst,,2009-03-01,,,\n").encode(),
    )
    with pytest.raises(InvalidInput) as error:
        report.refuse()
    assert "2 problem(s), nothing written" in error.value.message
    assert [(r["row"], r["column"]) for r in error.value.errors["rows"]] == [(2, "name"), (3, "lab_code")]


def test_the_summary_in_both_languages(world):
    report = importers.ImportReport(created=2, updated=1, unchanged=4)
    assert report.summary() == "Imported: 2 added, 1 updated, 4 unchanged."
    with force_locale("zh_Hans_CN"):
        chinese = report.summary()
    assert chinese != report.summary() and "2" in chinese and "4" in chinese
    dry = importers.ImportReport(created=3, dry_run=True)
    assert dry.summary().startswith("Dry run: 3 to add")


# --- attendance ------------------------------------------------------------------------------


def test_a_lab_manager_imports_their_own_people_at_a_provincial_session(world):
    session = pf.TrainingSessionFactory(hours=8)
    data = (ATTENDANCE + "LAB-A,A001,王芳,\nLAB-A,A002,,4\nLAB-B,B001,陈刚,\n").encode()
    report = importers.import_attendance(world.manager_a, session, data)
    assert refused(report) == {(4, "lab_code")}  # lab B is not theirs to see
    assert count(Attendance) == 0
    report = importers.import_attendance(
        world.manager_a, session, (ATTENDANCE + "LAB-A,A001,王芳,\nLAB-A,A002,,4\n").encode()
    )
    assert report.ok and report.created == 2
    assert {(a.person_id, a.hours) for a in db.session.scalars(select(Attendance))} == {
        (world.ana.id, None),
        (world.sig.id, 4.0),
    }


def test_no_attendance_at_another_labs_own_session(world):
    session = pf.TrainingSessionFactory(organiser="lab", organiser_lab=world.lab_a)
    with pytest.raises(Forbidden):
        importers.import_attendance(world.manager_b, session, (ATTENDANCE + "LAB-B,B001,,\n").encode())
    with pytest.raises(Forbidden):
        importers.import_attendance(world.viewer, session, (ATTENDANCE + "LAB-A,A001,,\n").encode())


def test_an_attendance_row_without_a_staff_number_or_with_a_leaver(world):
    """孙丽 left on 2010-02-28, before the session of 2010-03-15."""
    pf.PersonFactory(lab=world.lab_a, staff_no="A050", name="孙丽", employed_to=date(2010, 2, 28))
    session = pf.TrainingSessionFactory(starts_on=date(2010, 3, 15))
    report = importers.import_attendance(
        world.quality, session, (ATTENDANCE + "LAB-A,,王芳,\nLAB-A,A050,,\n").encode()
    )
    assert refused(report) == {(2, "staff_no"), (3, "staff_no")}
    assert "did not work at the laboratory" in [e.message for e in report.errors if e.row == 3][0]


def test_an_attendance_dry_run_from_xlsx_writes_nothing(world):
    session = pf.TrainingSessionFactory(hours=6)
    data = xlsx(
        [ATTENDANCE.strip().split(","), ["LAB-A", "A001", "王芳", 2.5], ["LAB-B", "B001", None, None]]
    )
    report = importers.import_attendance(world.quality, session, data, dry_run=True)
    assert report.ok and report.created == 2 and count(Attendance) == 0
    assert importers.import_attendance(world.quality, session, data).created == 2
    assert sorted(a.hours or 0 for a in db.session.scalars(select(Attendance))) == [0, 2.5]


# --- exam results ----------------------------------------------------------------------------


@pytest.fixture
def exam(world):
    """A theory exam of the analysts on 2010-05-22: 王芳, 李强 (lab A), 陈刚 (lab B), all pending."""
    exam = pf.ExamFactory(held_on=date(2010, 5, 22))
    for person in (world.ana, world.sig, world.bob):
        pf.ExamResultFactory(exam=exam, person=person)
    return exam


@freeze_time("2010-05-21")
def test_results_are_not_imported_before_the_exams_day(world, exam):
    report = importers.import_results(world.quality, exam, (RESULTS + "LAB-A,A001,,sat,80\n").encode())
    assert [(e.row, e.column) for e in report.errors] == [(1, None)]
    assert "2010-05-22" in report.errors[0].message
    assert {r.status for r in db.session.scalars(select(ExamResult))} == {"pending"}


@freeze_time("2010-06-01")
def test_a_contest_takes_no_results_file_itself(world):
    contest = pf.ExamFactory(kind="skills_contest", held_on=date(2010, 5, 22))
    report = importers.import_results(world.quality, contest, (RESULTS + "LAB-A,A001,,sat,80\n").encode())
    assert [e.row for e in report.errors] == [1] and "each of its parts" in report.errors[0].message


@freeze_time("2010-06-01")
@pytest.mark.parametrize("role", ["manager_a", "inspector", "viewer"])
def test_only_the_province_imports_results(world, exam, role):
    with pytest.raises(Forbidden):
        importers.import_results(world.user(role), exam, (RESULTS + "LAB-A,A001,,sat,80\n").encode())


@freeze_time("2010-06-01")
def test_the_results_template_is_a_labs_own_list_and_imports_back(world, exam):
    pf.ExamResultFactory(exam=pf.ExamFactory(), person=world.head)  # another exam: not on this list
    db.session.execute(
        ExamResult.__table__.update()
        .where(ExamResult.person_id == world.ana.id)
        .values(status="sat", score=91.0)
    )
    db.session.commit()
    assert sorted(importers.results_template_rows(world.manager_a, exam)) == [
        ["LAB-A", "A001", "王芳", "sat", 91.0],
        ["LAB-A", "A002", "李强", "", None],
    ]
    rows = importers.results_template_rows(world.quality, exam)
    assert sorted(r[1] for r in rows) == ["A001", "A002", "B001"]
    filled = RESULTS + "".join(
        f"{lab},{no},{name},{status or 'absent'},{'' if score is None else score}\n"
        for lab, no, name, status, score in rows
    )
    report = importers.import_results(world.quality, exam, filled.encode())
    assert report.ok and (report.created, report.unchanged) == (2, 1)
    assert sorted(
        r.status for r in db.session.scalars(select(ExamResult).where(ExamResult.exam_id == exam.id))
    ) == [
        "absent",
        "absent",
        "sat",
    ]


@freeze_time("2010-06-01")
def test_a_changed_result_counts_as_updated(world, exam):
    importers.import_results(world.quality, exam, (RESULTS + "LAB-A,A001,,sat,55\n").encode())
    report = importers.import_results(
        world.quality, exam, (RESULTS + "LAB-A,A001,,sat,65\nLAB-A,A002,,absent,\n").encode()
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    db.session.expire_all()
    assert db.session.scalar(select(ExamResult.score).where(ExamResult.person_id == world.ana.id)) == 65.0
