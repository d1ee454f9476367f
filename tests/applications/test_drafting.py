"""Drafting an application (DESIGN "Qualification applications": the items asked for are rows in the
scope import's columns): references, titles, editing a draft or a returned application and
nothing else, the file upload (all or nothing, errors by row and column), a renewal's held items,
removing items and deleting drafts, and the list's filters."""

from datetime import date

import pytest
from sqlalchemy import func, select

from labtrack.applications import service, steps
from labtrack.applications.models import Application, ApplicationItem
from labtrack.extensions import db
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f
from tests.applications.conftest import NEW_ITEMS

HEADER = "lab_code,category_code,category_name,item_code,item_name,method,parameters,granted_on,withdrawn_on"


def _draft(world, kind="extension", items=NEW_ITEMS, **more):
    return service.create({"kind": kind, "items": items, **more}, world.users["manager"])


def _csv(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _item_count():
    return db.session.scalar(select(func.count()).select_from(ApplicationItem))


# --- references and titles -------------------------------------------------------------------


def test_references_count_up_within_the_year_and_titles_default_to_lab_and_kind(world):
    first = _draft(world)
    second = _draft(world, items=[{"item_code": "F-3"}], title="  扩项申请（第二批）  ")
    assert (first.reference, second.reference) == ("QA-2010-001", "QA-2010-002")
    assert first.title == "SC-A · Extension" and second.title == "扩项申请（第二批）"
    third = service.create(
        {"kind": "initial", "lab_code": "new-1", "items": [{"item_code": "F-2"}]},
        world.users["admin"],
        on=date(2011, 1, 4),
    )
    assert third.reference == "QA-2011-001" and third.lab.code == "NEW-1"
    assert third.created_by_id == world.users["admin"].id


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "upgrade"}, "kind"),
        ({}, "kind"),
        ({"kind": "extension", "title": "x" * 201}, "title"),
        ({"kind": "extension", "items": "F-2"}, "items"),
    ],
)
def test_a_draft_that_cannot_be_saved_names_the_field(world, data, field):
    with pytest.raises(InvalidInput) as answer:
        service.create(data, world.users["manager"])
    assert field in answer.value.errors
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_an_administrator_names_the_lab_and_an_unknown_one_is_refused(world):
    with pytest.raises(InvalidInput) as answer:
        service.create({"kind": "extension", "items": []}, world.users["admin"])
    assert "lab_code" in answer.value.errors
    with pytest.raises(InvalidInput) as answer:
        service.create({"kind": "extension", "lab_code": "NOPE-9", "items": []}, world.users["admin"])
    assert answer.value.errors["lab_code"] == ["No such laboratory."]


@pytest.mark.parametrize("who", ["quality", "i-1", "viewer"])
def test_the_bureaus_staff_other_than_administrators_do_not_apply(world, who):
    with pytest.raises(Forbidden):
        service.create({"kind": "extension", "lab_code": "SC-A", "items": []}, world.users[who])


# --- editing ---------------------------------------------------------------------------------


def test_the_title_and_note_of_a_draft_change_with_the_version_read(world):
    application = _draft(world)
    manager = world.users["manager"]
    version = application.version
    service.update(
        application, {"title": "扩项：食品接触材料", "note": "附仪器清单"}, manager, version=version
    )
    assert (application.title, application.note) == ("扩项：食品接触材料", "附仪器清单")
    with pytest.raises(Conflict) as answer:
        service.update(application, {"title": "stale"}, manager, version=version)
    assert answer.value.errors == {"version": ["The application has changed since you read it."]}
    with pytest.raises(InvalidInput) as answer:
        service.update(application, {"title": "x"}, manager, version="v2")
    assert "version" in answer.value.errors
    with pytest.raises(InvalidInput) as answer:
        service.update(application, {"title": "   "}, manager)
    assert "title" in answer.value.errors
    db.session.expire_all()
    assert application.title == "扩项：食品接触材料"


def test_a_submitted_application_cannot_change_but_a_returned_one_can(world):
    application = _draft(world)
    manager, q = world.users["manager"], world.users["quality"]
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 1))
    with pytest.raises(Conflict) as answer:
        service.update(application, {"title": "x"}, manager)
    assert answer.value.message == "The items of an application that is submitted cannot change."
    with pytest.raises(Conflict):
        service.add_item(application, {"item_code": "F-3"}, manager)
    with pytest.raises(Conflict):
        service.remove_item(application, application.items[0].id, manager)
    steps.transition(application, "returned", {"reasons": "缺少方法验证报告"}, q, on=date(2010, 9, 2))
    service.add_item(application, {"item_code": "F-3"}, manager)
    service.remove_item(application, application.items[0].id, manager)
    assert [i.item_code for i in application.items] == ["T-1", "W-1", "F-3"]


def test_the_division_does_not_edit_a_labs_application_and_another_lab_does_not_see_it(world):
    application = _draft(world)
    with pytest.raises(Forbidden) as answer:
        service.update(application, {"title": "x"}, world.users["quality"])
    assert answer.value.message == "Only the laboratory changes its application."
    with pytest.raises(NotFound):
        service.update(application, {"title": "x"}, world.users["other-manager"])
    with pytest.raises(NotFound):
        service.add_item(application, {"item_code": "F-3"}, world.users["other-manager"])
    with pytest.raises(NotFound):
        service.get(world.users["other-manager"], application.id)
    assert service.get(world.users["viewer"], application.id) is application


def test_an_item_of_another_application_is_not_removed(world):
    mine = _draft(world)
    other = _draft(world, items=[{"item_code": "F-3"}])
    with pytest.raises(NotFound):
        service.remove_item(mine, other.items[0].id, world.users["manager"])
    assert [i.item_code for i in other.items] == ["F-3"]


def test_an_item_entered_with_another_category_or_twice_is_named(world):
    application = _draft(world, items=[{"item_code": "F-2"}])
    manager = world.users["manager"]
    with pytest.raises(InvalidInput) as answer:
        service.add_item(application, {"item_code": "F-3", "category_code": "TEX"}, manager)
    assert answer.value.errors == {"category_code": ["Item F-3 belongs to category FOOD."]}
    with pytest.raises(InvalidInput) as answer:
        service.add_item(application, {"item_code": "f-2"}, manager)
    assert answer.value.errors == {"item_code": ["Item f-2 is already in this application."]}
    item = service.add_item(application, {"item_code": "F-3", "method": "GB 31604.34-2016"}, manager)
    assert (item.category_code, item.item_name, item.method) == ("FOOD", "砷的溶出量", "GB 31604.34-2016")


# --- the upload ------------------------------------------------------------------------------


def test_an_uploaded_file_adds_every_row_or_none_naming_rows_as_a_spreadsheet_does(world):
    application = _draft(world, items=[])
    manager = world.users["manager"]
    bad = _csv(
        "SC-A,FOOD,,F-2,,,,,",
        "SC-A,FOOD,,F-1,,,,,",  # held since 2008
        "SC-B,FOOD,,F-3,,,,,",  # another lab
        "SC-A,WATER,,W-1,浑浊度,GB/T 5750.4-2006,1,,",  # a new category without its name
        "SC-A,FOOD,,F-2,,,,,",  # twice
    )
    with pytest.raises(InvalidInput) as answer:
        service.upload_items(application, bad, manager)
    assert answer.value.message == "Nothing was added: 4 rows have errors."
    assert answer.value.errors["file"] == [
        "Row 3, item_code: SC-A already holds F-1 (since 2008-03-01).",
        "Row 4, lab_code: This application is for SC-A, not SC-B.",
        "Row 5, category_name: Category WATER is new: give its name.",
        "Row 6, item_code: Item F-2 is asked for twice (row 2).",
    ]
    assert _item_count() == 0
    good = _csv("SC-A,FOOD,,F-2,,,,,", ",WATER,生活饮用水,W-1,浑浊度,GB/T 5750.4-2006,1,,")
    added = service.upload_items(application, good, manager)
    assert [(i.position, i.item_code, i.category_name) for i in added] == [
        (1, "F-2", "食品接触材料"),
        (2, "W-1", "生活饮用水"),
    ]


def test_a_file_with_only_its_header_or_the_wrong_columns_is_refused(world):
    application = _draft(world, items=[])
    with pytest.raises(InvalidInput) as answer:
        service.upload_items(application, _csv(), world.users["manager"])
    assert answer.value.errors == {"file": ["The file has a header but no rows."]}
    with pytest.raises(InvalidInput) as answer:
        service.upload_items(application, b"code,name\nF-2,x\n", world.users["manager"])
    assert answer.value.errors["file"]
    assert _item_count() == 0


def test_the_upload_template_lists_the_items_so_far(world):
    application = _draft(world, items=[{"item_code": "F-2"}])
    item = world.items["F-2"]  # method and parameters come from the catalogue
    assert service.upload_template_rows(application) == [
        ["SC-A", "FOOD", "食品接触材料", "F-2", "镉的溶出量", item.method, item.parameters, "", ""]
    ]


# --- held items: renewals, changes, reductions -----------------------------------------------


def test_a_renewal_starts_from_every_item_held_today(world):
    lab = world.labs["SC-B"]
    f.ScopeEntryFactory(lab=lab, item=world.items["T-1"], granted_on=date(2009, 6, 1))
    f.ScopeEntryFactory(
        lab=lab, item=world.items["F-2"], granted_on=date(2001, 1, 1), withdrawn_on=date(2005, 1, 1)
    )
    f.ScopeEntryFactory(lab=lab, item=world.items["F-3"], granted_on=date(2010, 12, 1))  # not yet
    application = service.create({"kind": "renewal", "lab_code": "SC-B", "items": []}, world.users["admin"])
    assert service.add_held_items(application, world.users["admin"]) == 2
    assert [i.item_code for i in application.items] == ["F-1", "T-1"]
    assert service.add_held_items(application, world.users["admin"]) == 0


def test_new_item_kinds_do_not_start_from_the_held_items(world):
    application = _draft(world, items=[])
    with pytest.raises(Conflict):
        service.add_held_items(application, world.users["manager"])


@pytest.mark.parametrize("kind", ["change", "reduction"])
def test_a_change_or_reduction_names_only_items_held(world, kind):
    with pytest.raises(InvalidInput) as answer:
        _draft(world, kind=kind, items=[{"item_code": "F-2"}])
    (message,) = answer.value.errors["items"]["0"]["item_code"]
    assert message.startswith("SC-A does not hold F-2")
    with pytest.raises(InvalidInput):
        _draft(world, kind=kind, items=[{"item_code": "NEW-9", "category_code": "FOOD", "item_name": "新"}])


# --- deleting --------------------------------------------------------------------------------


def test_a_returned_application_is_not_deleted_and_another_lab_cannot_delete(world):
    application = _draft(world)
    manager = world.users["manager"]
    with pytest.raises(NotFound):
        service.delete(application, world.users["other-manager"])
    steps.transition(application, "submitted", {}, manager, on=date(2010, 9, 1))
    steps.transition(
        application, "returned", {"reasons": "缺页"}, world.users["quality"], on=date(2010, 9, 2)
    )
    with pytest.raises(Conflict):
        service.delete(application, manager)
    assert db.session.get(Application, application.id) is not None


def test_deleting_a_draft_deletes_its_items(world):
    application = _draft(world)
    service.delete(application, world.users["manager"])
    assert _item_count() == 0


# --- the list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, field",
    [
        ({"status": "pending"}, "status"),
        ({"kind": "upgrade"}, "kind"),
        ({"overdue": "maybe"}, "overdue"),
        ({"q": "x" * 500}, "q"),
        ({"lab": "a\nb"}, "lab"),
    ],
)
def test_bad_filters_are_named(args, field, app):
    with pytest.raises(InvalidInput) as answer:
        service.parse_filters(args)
    assert list(answer.value.errors) == [field]


def _refs(actor, **filters):
    return [a.reference for a in db.session.scalars(service.applications_query(actor, **filters))]


def test_the_list_filters_by_stage_kind_lab_region_text_and_overdue_clocks(world):
    manager, admin, q = world.users["manager"], world.users["admin"], world.users["quality"]
    draft = _draft(world)  # QA-2010-001, a draft of SC-A
    submitted = _draft(world, items=[{"item_code": "F-3"}])  # QA-2010-002
    steps.transition(submitted, "submitted", {}, manager, on=date(2010, 9, 1))
    renewal = service.create(
        {"kind": "renewal", "lab_code": "SC-B", "items": [{"item_code": "F-1"}], "title": "复查换证"}, admin
    )  # QA-2010-003
    steps.transition(renewal, "submitted", {}, admin, on=date(2010, 8, 16))
    steps.transition(renewal, "accepted", {}, q, on=date(2010, 8, 17))
    viewer = world.users["viewer"]
    assert sorted(_refs(viewer)) == ["QA-2010-001", "QA-2010-002", "QA-2010-003"]
    assert sorted(_refs(viewer, status="open")) == ["QA-2010-002", "QA-2010-003"]
    assert sorted(_refs(viewer, status="waiting")) == ["QA-2010-002", "QA-2010-003"]
    assert _refs(viewer, status="draft") == [draft.reference]
    assert _refs(viewer, kind="renewal") == ["QA-2010-003"]
    assert _refs(viewer, lab="SC-B") == _refs(viewer, region="Mianyang") == ["QA-2010-003"]
    assert _refs(viewer, q="复查") == _refs(viewer, q="qa-2010-003") == ["QA-2010-003"]
    assert sorted(_refs(viewer, q="实验室 A")) == ["QA-2010-001", "QA-2010-002"]
    # The acceptance clock of QA-2010-002 started Wed 1 Sep: 5 working days, due Wed 8 Sep.
    assert _refs(viewer, overdue=True, on=date(2010, 9, 8)) == []
    assert _refs(viewer, overdue=True, on=date(2010, 9, 9)) == ["QA-2010-002"]
    # A lab manager's list is their lab's only, whatever the filter says.
    assert sorted(_refs(manager)) == ["QA-2010-001", "QA-2010-002"]
    assert _refs(manager, lab="SC-B") == []
    assert _refs(world.users["other-manager"]) == ["QA-2010-003"]


def test_item_counts_per_application_come_from_one_query(world):
    application = _draft(world)
    empty = _draft(world, items=[])
    counts = service.item_counts([application.id, empty.id])
    assert counts == {application.id: {"items": 3, "granted": 0, "refused": 0}}
    assert service.item_counts([]) == {}


def test_a_labs_page_lists_its_latest_applications_first(world):
    older = _draft(world)
    newer = _draft(world, items=[{"item_code": "F-3"}])
    assert [a.id for a in service.lab_applications(world.labs["SC-A"].id)] == [newer.id, older.id]
    assert [a.id for a in service.lab_applications(world.labs["SC-A"].id, limit=1)] == [newer.id]
    assert service.lab_applications(world.labs["SC-B"].id) == []
