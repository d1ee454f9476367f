"""`flask labtrack import-people` and `flask labtrack training-report`."""

import json
from datetime import date

from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.personnel.models import Person
from tests.personnel import factories as pf

HEADER = "lab_code,staff_no,name,posts,title,employed_from,employed_to,phone,email\n"


def test_import_people_from_the_command_line(world, app, tmp_path):
    good = tmp_path / "people.csv"
    good.write_text(HEADER + "LAB-A,A500,孙丽,analyst,,2009-03-01,,,\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["labtrack", "import-people", str(good), "--dry-run"])
    assert result.exit_code == 0 and "Dry run: 1 to add" in result.output
    result = runner.invoke(args=["labtrack", "import-people", str(good)])
    assert result.exit_code == 0 and db.session.scalar(select(func.count()).select_from(Person)) == 5
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "LAB-A,A501,,analyst,,2009-03-01,,,\n", encoding="utf-8")
    result = runner.invoke(args=["labtrack", "import-people", str(bad)])
    assert result.exit_code == 1 and "row 2, column name" in result.output


def test_training_report_from_the_command_line(world, app):
    session = pf.TrainingSessionFactory(starts_on=date(2010, 3, 1), hours=4, external_attendees=2)
    pf.AttendanceFactory(session=session, person=world.ana)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["labtrack", "training-report", "--from", "2010-01-01", "--to", "2010-12-31"])
    body = json.loads(result.output)
    assert (body["sessions"], body["attendances"], body["hours"]) == (1, 3, 12.0)
    csv = runner.invoke(
        args=["labtrack", "training-report", "--from", "2010-01-01", "--to", "2010-12-31", "--format", "csv"]
    )
    assert "training,total,attendances,3" in csv.output
    assert (
        runner.invoke(
            args=["labtrack", "training-report", "--from", "2010-12-31", "--to", "2010-01-01"]
        ).exit_code
        == 2
    )
