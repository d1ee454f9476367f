"""Granting and withdrawing items, what a lab holds on a date, and the catalogue's rules, through
the scope service: the refusals name the field, other labs' periods are not found, history is written.
"""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.history.models import HistoryEntry
from labtrack.scope import service
from labtrack.scope.models import ScopeEntry, TestItem
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound
from tests import factories as f


@pytest.fixture
def catalogue(app):
    """Two categories; food has lead (3 parameters) and cadmium (2), toys has phthalates (6)."""
    food = f.TestCategoryFactory(code="FOOD", name="食品", name_en="Food")
    toys = f.TestCategoryFactory(code="TOYS", name="玩具", name_en="Toys")
    return {
        "lead": f.TestItemFactory(category=food, code="PB", name="铅", name_en="Lead", parameters=3),
        "cadmium": f.TestItemFactory(category=food, code="CD", name="镉", name_en="Cadmium", parameters=2),
        "phthalates": f.TestItemFactory(
            category=toys, code="PAE", name="邻苯", name_en="Phthalates", parameters=6
        ),
    }


@pytest.fixture
def lab(app):
    return f.LabFactory(code="SC-01")


@pytest.fixture
def admin(app):
    return f.UserFactory(role=Role.ADMIN, username="boss")


# --- grant ------------------------------------------------------------------------------------


def test_a_grant_adds_a_period_from_its_date_and_writes_history(lab, catalogue, admin):
    entry = service.grant(
        lab, {"item_code": "pb", "granted_on": "2010-03-01", "basis": "extension", "note": "扩项"}, admin
    )
    row = service.db.session.scalar(select(ScopeEntry).where(ScopeEntry.id == entry.id))
    assert (row.item.code, row.granted_on, row.withdrawn_on, row.basis, row.note) == (
        "PB",  # matched as codes compare: "pb" is PB
        date(2010, 3, 1),
        None,
        "extension",
        "扩项",
    )
    history = service.db.session.scalars(
        select(HistoryEntry).where(
            HistoryEntry.table_name == "scope_entries", HistoryEntry.record_id == entry.id
        )
    ).all()
    assert [(h.action, h.username, h.comment) for h in history] == [("insert", "boss", "扩项")]


def test_the_basis_defaults_to_an_extension(lab, catalogue, admin):
    entry = service.grant(lab, {"item_code": "PB", "granted_on": "2010-03-01"}, admin)
    assert entry.basis == "extension"


@pytest.mark.parametrize(
    "data, fields",
    [
        ({"granted_on": "2010-03-01"}, {"item_code"}),
        ({"item_code": "NOPE", "granted_on": "2010-03-01"}, {"item_code"}),
        ({"item_code": "PB", "granted_on": ""}, {"granted_on"}),
        ({"item_code": "PB", "granted_on": "2010-02-30"}, {"granted_on"}),
        ({"item_code": "PB", "granted_on": "2010-03-01", "basis": "gift"}, {"basis"}),
    ],
)
def test_a_grant_refuses_bad_fields_by_name(lab, catalogue, admin, data, fields):
    with pytest.raises(InvalidInput) as refused:
        service.grant(lab, data, admin)
    assert set(refused.value.errors) == fields
    assert service.db.session.scalars(select(ScopeEntry)).all() == []


def test_an_unknown_item_code_says_it_is_not_in_the_catalogue(lab, catalogue, admin):
    with pytest.raises(InvalidInput) as refused:
        service.grant(lab, {"item_code": "NOPE", "granted_on": "2010-03-01"}, admin)
    assert refused.value.errors == {"item_code": ["No item with this code in the catalogue."]}


def test_overlapping_periods_of_one_item_are_refused_naming_the_one_held(lab, catalogue, admin):
    f.ScopeEntryFactory(
        lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1), withdrawn_on=date(2010, 1, 1)
    )
    with pytest.raises(InvalidInput) as refused:
        service.grant(lab, {"item_code": "PB", "granted_on": "2009-12-31"}, admin)
    assert refused.value.errors == {"granted_on": ["Overlaps a period already recorded."]}
    assert "SC-01 already holds PB from 2009-01-01 to 2010-01-01" in refused.value.message


def test_a_new_period_may_start_the_day_the_last_one_ended(lab, catalogue, admin):
    """Periods are [granted_on, withdrawn_on): re-granted on the withdrawal day, no overlap."""
    f.ScopeEntryFactory(
        lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1), withdrawn_on=date(2010, 1, 1)
    )
    entry = service.grant(lab, {"item_code": "PB", "granted_on": "2010-01-01"}, admin)
    assert entry.granted_on == date(2010, 1, 1)
    assert service.scope_counts(lab.id, date(2010, 1, 1))["items"] == 1
    assert service.scope_counts(lab.id, date(2009, 12, 31))["items"] == 1


def test_an_open_period_blocks_any_later_grant_of_the_item(lab, catalogue, admin):
    f.ScopeEntryFactory(lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1))
    with pytest.raises(InvalidInput) as refused:
        service.grant(lab, {"item_code": "PB", "granted_on": "2020-01-01"}, admin)
    assert "to now" in refused.value.message


def test_the_same_item_may_be_held_by_two_labs(lab, catalogue, admin):
    other = f.LabFactory(code="SC-02")
    f.ScopeEntryFactory(lab=other, item=catalogue["lead"], granted_on=date(2009, 1, 1))
    service.grant(lab, {"item_code": "PB", "granted_on": "2009-01-01"}, admin)
    assert service.labs_holding(date(2009, 6, 1)) == 2


def test_grant_item_with_an_end_date_records_a_reduction_unless_told(lab, catalogue, admin):
    entry = service.grant_item(lab, catalogue["cadmium"], "2010-01-01", admin, withdrawn_on="2010-06-01")
    assert (entry.withdrawn_on, entry.withdrawal_reason) == (date(2010, 6, 1), "reduction")
    with pytest.raises(InvalidInput) as refused:
        service.grant_item(lab, catalogue["lead"], "2010-01-01", admin, withdrawn_on="2010-01-01")
    assert set(refused.value.errors) == {"withdrawn_on"}


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER])
def test_roles_that_only_read_may_not_grant(lab, catalogue, role):
    reader = f.UserFactory(role=role)
    with pytest.raises(Forbidden):
        service.grant(lab, {"item_code": "PB", "granted_on": "2010-03-01"}, reader)
    assert service.db.session.scalars(select(ScopeEntry)).all() == []


def test_a_lab_manager_may_not_grant_even_to_their_own_lab(lab, catalogue):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab)
    with pytest.raises(Forbidden):
        service.grant(lab, {"item_code": "PB", "granted_on": "2010-03-01"}, manager)


def test_quality_may_grant(lab, catalogue):
    quality = f.UserFactory(role=Role.QUALITY)
    assert service.grant(lab, {"item_code": "PAE", "granted_on": "2011-05-05"}, quality).id


# --- withdraw ---------------------------------------------------------------------------------


def test_a_withdrawal_ends_the_period_with_its_reason_and_note(lab, catalogue, admin):
    entry = f.ScopeEntryFactory(lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1))
    service.withdraw_entry(entry, "2010-07-01", "suspension", admin, note="限期整改")
    service.db.session.expire_all()
    row = service.db.session.get(ScopeEntry, entry.id)
    assert (row.withdrawn_on, row.withdrawal_reason, row.note) == (date(2010, 7, 1), "suspension", "限期整改")
    update = service.db.session.scalars(
        select(HistoryEntry).where(
            HistoryEntry.table_name == "scope_entries",
            HistoryEntry.record_id == entry.id,
            HistoryEntry.action == "update",
        )
    ).one()
    assert update.changes["withdrawn_on"][1] == "2010-07-01"
    assert update.username == "boss"
    # Held the day before, not on the day of the withdrawal.
    assert service.scope_counts(lab.id, date(2010, 6, 30))["items"] == 1
    assert service.scope_counts(lab.id, date(2010, 7, 1))["items"] == 0


def test_a_withdrawal_on_or_before_the_grant_is_refused_naming_the_grant_date(lab, catalogue, admin):
    entry = f.ScopeEntryFactory(lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1))
    with pytest.raises(InvalidInput) as refused:
        service.withdraw_entry(entry, "2009-01-01", "reduction", admin)
    assert refused.value.errors == {
        "withdrawn_on": ["The withdrawal must come after the grant (2009-01-01)."]
    }


def test_a_withdrawal_needs_one_of_the_three_reasons(lab, catalogue, admin):
    entry = f.ScopeEntryFactory(lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1))
    with pytest.raises(InvalidInput) as refused:
        service.withdraw_entry(entry, "2010-01-01", "tired", admin)
    assert refused.value.errors == {"withdrawal_reason": ["Choose reduction, suspension or revocation."]}
    service.db.session.expire_all()
    assert service.db.session.get(ScopeEntry, entry.id).withdrawn_on is None


def test_a_period_already_ended_cannot_be_withdrawn_again(lab, catalogue, admin):
    entry = f.ScopeEntryFactory(
        lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1), withdrawn_on=date(2010, 1, 1)
    )
    with pytest.raises(Conflict) as refused:
        service.withdraw_entry(entry, "2011-01-01", "revocation", admin)
    assert refused.value.message == "This period already ended on 2010-01-01."
    assert refused.value.status == 409


def test_an_inspector_may_not_withdraw(lab, catalogue):
    entry = f.ScopeEntryFactory(lab=lab, item=catalogue["lead"])
    with pytest.raises(Forbidden):
        service.withdraw_entry(entry, "2011-01-01", "revocation", f.UserFactory(role=Role.INSPECTOR))


# --- loading periods --------------------------------------------------------------------------


def test_a_period_of_another_lab_is_not_found_under_this_lab(lab, catalogue, admin):
    other = f.LabFactory(code="SC-02")
    theirs = f.ScopeEntryFactory(lab=other, item=catalogue["lead"])
    with pytest.raises(NotFound):
        service.load_entry(lab, theirs.id, admin)
    assert service.load_entry(other, theirs.id, admin).id == theirs.id


def test_a_lab_manager_finds_only_their_own_labs_periods(lab, catalogue):
    other = f.LabFactory(code="SC-02")
    mine = f.ScopeEntryFactory(lab=lab, item=catalogue["lead"])
    theirs = f.ScopeEntryFactory(lab=other, item=catalogue["lead"])
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab)
    assert service.load_entry(lab, mine.id, manager).id == mine.id
    with pytest.raises(NotFound):
        service.load_entry(other, theirs.id, manager)


def test_item_holders_are_narrowed_for_a_lab_manager(lab, catalogue, admin):
    other = f.LabFactory(code="SC-02")
    f.ScopeEntryFactory(lab=lab, item=catalogue["lead"])
    f.ScopeEntryFactory(lab=other, item=catalogue["lead"])
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab)

    def codes(actor):
        return [
            e.lab.code
            for e in service.db.session.scalars(service.item_holders_query(catalogue["lead"].id, actor))
        ]

    assert codes(admin) == ["SC-01", "SC-02"]
    assert codes(manager) == ["SC-01"]


# --- what a lab holds on a date ---------------------------------------------------------------


@pytest.fixture
def history_of_a_lab(lab, catalogue):
    """Lead 2009-01-01 on; cadmium 2009-06-01 to 2010-06-01; phthalates 2010-03-01 on."""
    f.ScopeEntryFactory(lab=lab, item=catalogue["lead"], granted_on=date(2009, 1, 1))
    f.ScopeEntryFactory(
        lab=lab, item=catalogue["cadmium"], granted_on=date(2009, 6, 1), withdrawn_on=date(2010, 6, 1)
    )
    f.ScopeEntryFactory(lab=lab, item=catalogue["phthalates"], granted_on=date(2010, 3, 1))
    return lab


@pytest.mark.parametrize(
    "on, counts",
    [
        (date(2008, 12, 31), {"categories": 0, "items": 0, "parameters": 0}),
        (date(2009, 1, 1), {"categories": 1, "items": 1, "parameters": 3}),
        (date(2009, 6, 1), {"categories": 1, "items": 2, "parameters": 5}),
        (date(2010, 3, 1), {"categories": 2, "items": 3, "parameters": 11}),
        (date(2010, 5, 31), {"categories": 2, "items": 3, "parameters": 11}),
        (date(2010, 6, 1), {"categories": 2, "items": 2, "parameters": 9}),
    ],
)
def test_scope_counts_on_the_edges_of_periods(history_of_a_lab, on, counts):
    assert service.scope_counts(history_of_a_lab.id, on) == counts


def test_scope_rows_and_category_counts_on_a_date(history_of_a_lab):
    rows = service.scope_rows(history_of_a_lab.id, date(2010, 4, 1))
    assert [(r.category_code, r.item_code, r.parameters) for r in rows] == [
        ("FOOD", "CD", 2),
        ("FOOD", "PB", 3),
        ("TOYS", "PAE", 6),
    ]
    per = service.category_counts(history_of_a_lab.id, date(2010, 4, 1))
    assert [(c.code, c.items, c.parameters) for c in per] == [("FOOD", 2, 5), ("TOYS", 1, 6)]
    assert [c.code for c in service.current_categories(history_of_a_lab.id, date(2009, 12, 1))] == ["FOOD"]


def test_the_timeline_lists_grants_and_withdrawals_newest_first(history_of_a_lab):
    events = service.timeline_events(history_of_a_lab.id)
    assert [(e["on"], e["event"], e["code"]) for e in events] == [
        (date(2010, 6, 1), "withdrawn", "CD"),
        (date(2010, 3, 1), "granted", "PAE"),
        (date(2009, 6, 1), "granted", "CD"),
        (date(2009, 1, 1), "granted", "PB"),
    ]
    assert len(service.timeline_events(history_of_a_lab.id, limit=2)) == 2


def test_the_overview_counts_each_lab_the_actor_sees(history_of_a_lab, catalogue, admin):
    other = f.LabFactory(code="SC-02", region="Mianyang")
    f.ScopeEntryFactory(lab=other, item=catalogue["phthalates"], granted_on=date(2009, 1, 1))
    rows = service.labs_overview(admin, date(2010, 4, 1))
    assert [(r[0], r[3], r[4]) for r in rows] == [("SC-01", 2, 3), ("SC-02", 1, 1)]
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=other)
    assert [r[0] for r in service.labs_overview(manager, date(2010, 4, 1))] == ["SC-02"]


# --- the catalogue ----------------------------------------------------------------------------


def test_a_category_code_taken_as_codes_compare_is_refused(catalogue, admin):
    with pytest.raises(InvalidInput) as refused:
        service.save_category({"code": "ｆｏｏｄ", "name": "又一个"}, admin)
    assert refused.value.errors == {"code": ["Another category already has the code FOOD."]}


def test_an_item_needs_a_known_category(catalogue, admin):
    with pytest.raises(InvalidInput) as refused:
        service.save_item({"code": "HG", "name": "汞", "category_code": "METAL"}, admin)
    assert refused.value.errors == {"category_code": ["Unknown category METAL."]}


def test_a_new_item_needs_code_name_and_category(catalogue, admin):
    with pytest.raises(InvalidInput) as refused:
        service.save_item({}, admin)
    assert set(refused.value.errors) == {"code", "name", "category_code"}


def test_changing_an_item_keeps_the_fields_not_given(catalogue, admin):
    lead = catalogue["lead"]
    service.save_item({"parameters": "4"}, admin, lead)
    service.db.session.expire_all()
    row = service.db.session.get(TestItem, lead.id)
    assert (row.code, row.name, row.parameters, row.method) == ("PB", "铅", 4, "GB 5009.12-2017")


def test_an_item_may_keep_its_own_code_when_changed(catalogue, admin):
    service.save_item({"code": "pb", "name": "铅及其化合物"}, admin, catalogue["lead"])
    assert service.item_by_code("PB").name == "铅及其化合物"


@pytest.mark.parametrize("value", ["-1", "100001", "three"])
def test_parameters_are_a_whole_number_from_zero(catalogue, admin, value):
    with pytest.raises(InvalidInput) as refused:
        service.save_item({"parameters": value}, admin, catalogue["lead"])
    assert set(refused.value.errors) == {"parameters"}


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.VIEWER, Role.LAB_MANAGER])
def test_only_the_bureau_edits_the_catalogue(catalogue, role):
    user = f.UserFactory(role=role)
    with pytest.raises(Forbidden):
        service.save_category({"code": "NEW", "name": "新"}, user)
    with pytest.raises(Forbidden):
        service.save_item({"name": "x"}, user, catalogue["lead"])
    assert service.category_by_code("NEW") is None


def test_catalogue_search_finds_by_name_in_either_language_or_method(catalogue):
    def codes(**kw):
        return [i.code for i in service.db.session.scalars(service.catalogue_query(**kw))]

    assert codes(q="cadmium") == ["CD"]
    assert codes(q="镉") == ["CD"]
    assert codes(q="toys") == ["PAE"]  # the category's English name
    assert codes(q="GB 5009") == ["CD", "PB", "PAE"]
    assert codes(category_code="toys") == ["PAE"]
    assert codes(q="lead", category_code="TOYS") == []


def test_catalogue_filters_refuse_overlong_searches_by_name(app):
    with pytest.raises(InvalidInput) as refused:
        service.parse_catalogue_filters({"q": "x" * 101})
    assert set(refused.value.errors) == {"q"}
    assert service.parse_catalogue_filters({"q": " lead ", "category": ""}) == {
        "q": "lead",
        "category_code": None,
    }


def test_an_unknown_item_or_category_is_not_found(catalogue, admin):
    with pytest.raises(NotFound):
        service.load_item("HG", admin)
    with pytest.raises(NotFound):
        service.load_category("METAL", admin)
    assert service.load_category("FOOD", admin).name == "食品"


def test_categories_with_counts_include_empty_ones(catalogue):
    f.TestCategoryFactory(code="WATER", name="水")
    assert [(c.code, n) for c, n in service.categories_with_counts()] == [
        ("FOOD", 2),
        ("TOYS", 1),
        ("WATER", 0),
    ]
    assert service.category_choices()[0] == ("FOOD", "FOOD 食品")


# --- capability growth: whose and when --------------------------------------------------------


def test_a_lab_manager_always_gets_their_own_lab(lab):
    other = f.LabFactory(code="SC-02")
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=lab)
    assert service.growth_subject(manager, lab_code=other.code) == (lab, None)
    assert service.growth_subject(manager, region="Mianyang") == (lab, None)


def test_a_region_no_lab_is_in_is_refused(lab, admin):
    with pytest.raises(InvalidInput) as refused:
        service.growth_subject(admin, region="Atlantis")
    assert refused.value.errors == {"region": ["No laboratory in region Atlantis."]}
    assert service.growth_subject(admin, region="Chengdu") == (None, "Chengdu")
    assert service.growth_subject(admin) == (None, None)


def test_an_unknown_lab_is_not_found(lab, admin):
    with pytest.raises(NotFound):
        service.growth_subject(admin, lab_code="NOPE")


@freeze_time("2011-04-15")
def test_the_default_period_runs_from_the_end_of_last_year_to_today(app):
    assert service.default_period() == (date(2010, 12, 31), date(2011, 4, 15))
    assert service.default_period(date(2010, 1, 1)) == (date(2009, 12, 31), date(2010, 1, 1))


@freeze_time("2011-04-15")
def test_the_page_replaces_bad_dates_and_says_why(lab, admin):
    request = service.growth_request(admin, {"from": "2011-13-01", "to": "2011-03-01"}, strict=False)
    assert (request.date_from, request.date_to) == (date(2010, 12, 31), date(2011, 3, 1))
    assert len(request.notes) == 1
    request = service.growth_request(admin, {"from": "2011-03-01", "to": "2011-01-01"}, strict=False)
    assert (request.date_from, request.date_to) == (date(2010, 12, 31), date(2011, 4, 15))
    assert request.notes == ["The end date must come after the start date."]


def test_exports_refuse_bad_dates_naming_the_field(lab, admin):
    with pytest.raises(InvalidInput) as refused:
        service.growth_request(admin, {"from": "yesterday", "to": "2011-03-01"}, strict=True)
    assert set(refused.value.errors) == {"from"}
    with pytest.raises(InvalidInput):
        service.growth_request(admin, {"from": "2011-03-01", "to": "2011-03-01"}, strict=True)
    with pytest.raises(InvalidInput) as refused:
        service.growth_request(admin, {"from": "2011-01-01", "to": "2011-03-01", "step": "week"}, strict=True)
    assert set(refused.value.errors) == {"step"}


@freeze_time("2010-12-31")
def test_the_home_card_shows_a_lab_managers_lab_and_everyone_elses_system(history_of_a_lab, catalogue, admin):
    manager = f.UserFactory(role=Role.LAB_MANAGER, lab=history_of_a_lab)
    assert service.scope_card(manager) == {
        "lab": history_of_a_lab,
        "categories": 2,
        "items": 2,
        "parameters": 9,
    }
    card = service.scope_card(admin)
    assert (card["lab"], card["labs"], card["categories"], card["items"], card["parameters"]) == (
        None,
        1,
        2,
        2,
        9,
    )
    # From 2009-12-31 (lead and cadmium: 2 items) to 2010-12-31 (lead and phthalates): one added, one removed.
    assert card["growth"].items_from == 2 and card["growth"].items_to == 2


def test_growth_rows_name_what_was_added_and_removed(history_of_a_lab):
    from labtrack.scope.growth import growth

    result = growth(date(2009, 12, 31), date(2010, 12, 31), lab=history_of_a_lab)
    rows = service.growth_rows(result)
    assert rows[0] == ["", "2009-12-31", "2010-12-31", "change", "percent"]
    changes = rows[rows.index(["change", "kind", "code", "name", "name_en"]) + 1 :]
    assert changes == [
        ["added", "category", "TOYS", "玩具", "Toys"],
        ["added", "item", "PAE", "邻苯", "Phthalates"],
        ["removed", "item", "CD", "镉", "Cadmium"],
    ]
