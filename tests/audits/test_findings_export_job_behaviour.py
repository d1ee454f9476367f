"""The findings list exported as a background job: the file holds what the list shows the person
who asked (a lab manager: their own lab's findings only), its filters apply, the count is known in
advance, and the rows come in chunks without losing any."""

from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.audits import tasks
from labtrack.auth.permissions import Role
from tests import factories as f


@pytest.fixture
def findings(app):
    """CD-1: an open major finding (due 2010-06-09) and a closed one; MY-1: an open minor one."""
    cd1, my1 = f.LabFactory(code="CD-1", region="Chengdu"), f.LabFactory(code="MY-1", region="Mianyang")
    return {
        "cd_open": f.FindingFactory(audit__lab=cd1, description="CD open"),
        "cd_closed": f.FindingFactory(audit__lab=cd1, closed=True, description="CD closed"),
        "my_open": f.FindingFactory(audit__lab=my1, severity="minor", description="MY open"),
        "cd1": cd1,
    }


def export(actor, filters=None, overdue=None):
    table = tasks.findings_table(actor, {"filters": filters or {}, "overdue": overdue})
    rows = [dict(zip(table.header, row, strict=True)) for row in table.rows]
    return table, rows


def test_the_bureau_exports_every_finding_with_the_count_known(findings):
    table, rows = export(f.UserFactory(role=Role.QUALITY))
    assert table.total == 3 and len(rows) == 3
    assert table.basename.startswith("findings-")
    assert {row["description"] for row in rows} == {"CD open", "CD closed", "MY open"}


def test_a_lab_manager_exports_their_own_labs_findings_only(findings):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=findings["cd1"])
    table, rows = export(manager)
    assert table.total == 2
    assert {row["description"] for row in rows} == {"CD open", "CD closed"}
    table, rows = export(manager, {"lab": "MY-1"})  # asking for another lab gives nothing
    assert (table.total, rows) == (0, [])


@freeze_time("2010-07-01")
def test_the_lists_filters_apply(findings):
    quality = f.UserFactory(role=Role.QUALITY)
    assert {r["description"] for r in export(quality, {"status": "active"})[1]} == {"CD open", "MY open"}
    assert {r["description"] for r in export(quality, {"severity": "minor"})[1]} == {"MY open"}
    assert {r["description"] for r in export(quality, {"region": "Chengdu"})[1]} == {"CD open", "CD closed"}
    # CD-1's major finding was due 2010-06-09; MY-1's minor one is due 60 days after 05-10, on 07-09.
    overdue_table, overdue_rows = export(quality, overdue=True)
    assert overdue_table.total == 1 and [r["description"] for r in overdue_rows] == ["CD open"]


def test_rows_come_in_chunks_and_none_is_lost(findings, monkeypatch):
    monkeypatch.setattr(tasks, "CHUNK", 2)
    lab = findings["cd1"]
    for n in range(3):
        f.FindingFactory(audit__lab=lab, description=f"extra {n}", raised_on=date(2010, 5, 11 + n))
    table, rows = export(f.UserFactory(role=Role.ADMIN))
    assert table.total == len(rows) == 6
    assert len({row["description"] for row in rows}) == 6
