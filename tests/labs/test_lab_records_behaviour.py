"""A lab's own records through the labs service: certificates (expiry after issue, numbers unique
in any case across labs, another lab's not found), contacts (kept by the bureau and the lab's own
manager), closing a lab once, codes unique as they compare, and the lab's history as each reader
may read it (deleted certificates included, the bureau's notes hidden from the lab's manager)."""

from datetime import date

import pytest

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.labs import service
from labtrack.labs.models import LabStatus, Qualification
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f

CERT = {
    "scheme": "CMA",
    "certificate_no": "2010-510001",
    "issued_on": "2010-03-01",
    "expires_on": "2016-02-28",
}


@pytest.fixture
def lab(app):
    return f.LabFactory(code="SC-01", name="实验室一", notes="Bureau note: watch the lead results.")


@pytest.fixture
def admin(app):
    return f.UserFactory(role=Role.ADMIN, username="bureau")


# --- certificates -----------------------------------------------------------------------------


def test_a_certificate_is_valid_unless_told_and_expires_after_issue(lab, admin):
    q = service.add_qualification(lab, CERT, admin)
    assert (q.status, q.issued_on, q.expires_on) == ("valid", date(2010, 3, 1), date(2016, 2, 28))
    with pytest.raises(InvalidInput) as refused:
        service.add_qualification(lab, {**CERT, "certificate_no": "X-2", "expires_on": "2010-03-01"}, admin)
    assert refused.value.errors == {"expires_on": ["The certificate must expire after it was issued."]}


def test_a_certificate_number_is_recorded_once_in_any_case_and_any_lab(lab, admin):
    service.add_qualification(lab, {**CERT, "certificate_no": "CNAS-L0001", "scheme": "CNAS"}, admin)
    other = f.LabFactory(code="SC-02")
    with pytest.raises(InvalidInput) as refused:
        service.add_qualification(other, {**CERT, "certificate_no": "cnas-l0001", "scheme": "CNAS"}, admin)
    assert refused.value.errors == {"certificate_no": ["Certificate cnas-l0001 is already recorded."]}


def test_a_renewal_may_keep_its_own_number(lab, admin):
    q = service.add_qualification(lab, CERT, admin)
    service.update_qualification(q, {**CERT, "expires_on": "2022-02-28"}, admin)
    db.session.expire_all()
    assert db.session.get(Qualification, q.id).expires_on == date(2022, 2, 28)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"scheme": "ISO"}, "scheme"),
        ({"status": "lost"}, "status"),
        ({"issued_on": "2010-02-30"}, "issued_on"),
    ],
)
def test_bad_certificate_fields_are_named(lab, admin, change, field):
    with pytest.raises(InvalidInput) as refused:
        service.add_qualification(lab, {**CERT, **change}, admin)
    assert field in refused.value.errors


def test_another_labs_certificate_is_not_found_under_this_lab(lab, admin):
    other = f.LabFactory(code="SC-02")
    theirs = f.QualificationFactory(lab=other)
    with pytest.raises(NotFound):
        service.load_qualification(lab, theirs.id, admin)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER, Role.LAB_MANAGER])
def test_only_the_bureau_records_certificates(lab, role):
    actor = f.UserFactory(role=role, lab=lab if role == Role.LAB_MANAGER else None)
    with pytest.raises(Forbidden):
        service.add_qualification(lab, CERT, actor)


# --- contacts ---------------------------------------------------------------------------------


def test_a_lab_manager_keeps_their_own_labs_contacts_only(lab):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab)
    contact = service.add_contact(
        lab, {"name": "王芳", "position": "质量负责人", "phone": "028-8888-0000"}, manager
    )
    service.update_contact(contact, {"name": "王芳", "email": "wf@lab.example.cn"}, manager)
    assert (contact.name, contact.email) == ("王芳", "wf@lab.example.cn")
    other = f.LabFactory(code="SC-02")
    with pytest.raises(Forbidden):
        service.add_contact(other, {"name": "李强"}, manager)


@pytest.mark.parametrize("change, field", [({"email": "not-mail"}, "email"), ({"name": ""}, "name")])
def test_bad_contact_fields_are_named(lab, admin, change, field):
    with pytest.raises(InvalidInput) as refused:
        service.add_contact(lab, {"name": "王芳", **change}, admin)
    assert field in refused.value.errors


def test_another_labs_contact_is_not_found_under_this_lab(lab, admin):
    theirs = f.LabContactFactory(lab=f.LabFactory(code="SC-02"))
    with pytest.raises(NotFound):
        service.load_contact(lab, theirs.id, admin)


# --- the lab itself ---------------------------------------------------------------------------


def test_a_code_taken_in_another_width_is_refused_naming_the_lab(lab, admin):
    with pytest.raises(InvalidInput) as refused:
        service.create_lab(
            {"code": "ＳＣ-０１", "name": "重复", "region": "Chengdu", "kind": "regional_lab"}, admin
        )
    assert refused.value.errors == {"code": ["Another laboratory already has the code SC-01."]}


def test_a_new_lab_is_active_and_an_update_keeps_what_is_not_given(admin):
    made = service.create_lab(
        {"code": "NEW-1", "name": "新实验室", "region": "Mianyang", "kind": "regional_lab"}, admin
    )
    assert (made.status, made.is_model_lab) == ("active", False)
    service.update_lab(made, {"name_en": "New Laboratory"}, admin)
    db.session.expire_all()
    assert (made.name, made.name_en, made.region) == ("新实验室", "New Laboratory", "Mianyang")


def test_a_lab_is_closed_once_and_may_reopen(lab, admin):
    service.deactivate_lab(lab, admin)
    assert lab.status == LabStatus.CLOSED
    with pytest.raises(Conflict, match="closed already"):
        service.deactivate_lab(lab, admin)
    service.update_lab(lab, {"status": "active"}, admin)
    assert lab.status == LabStatus.ACTIVE


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER])
def test_readers_may_not_register_or_change_labs(lab, role):
    reader = f.UserFactory(role=role)
    with pytest.raises(Forbidden):
        service.create_lab({"code": "X-1", "name": "x", "region": "Chengdu", "kind": "regional_lab"}, reader)
    with pytest.raises(Forbidden):
        service.update_lab(lab, {"name": "changed"}, reader)


# --- the history as each reader reads it ------------------------------------------------------


def test_the_history_keeps_a_deleted_certificate_and_hides_notes_from_the_labs_manager(lab, admin):
    q = service.add_qualification(lab, CERT, admin)
    service.remove_qualification(q, admin)
    service.update_lab(lab, {"notes": "Second note."}, admin)
    service.update_lab(lab, {"name": "实验室一（更名）", "notes": "Third note."}, admin)
    bureau = service.lab_history(lab, admin)
    assert [(e.table_name, e.action) for e in bureau][:4] == [
        ("labs", "update"),
        ("labs", "update"),
        ("qualifications", "delete"),
        ("qualifications", "insert"),
    ]
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab)
    seen = service.lab_history(lab, manager)
    lab_rows = [e for e in seen if e.table_name == "labs"]
    assert all("notes" not in e.changes for e in lab_rows)
    assert len(lab_rows) == len([e for e in bureau if e.table_name == "labs"]) - 1  # the notes-only change
    assert lab_rows[0].changes == {"name": ["实验室一", "实验室一（更名）"]}
    assert service.lab_history(lab, f.UserFactory(role=Role.LAB_MANAGER)) == []  # another lab's manager
