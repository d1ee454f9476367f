"""Who may perform and sign for each item a lab holds, on the edges of dates: an authorisation
counts on its last day and not after, a suspension counts from its day on, someone who left covers
nothing from the day after their last, and a category authorisation covers its items."""

from datetime import date

import pytest

from labtrack.extensions import db
from labtrack.personnel import authorisations
from labtrack.personnel.models import AuthStatus
from tests.personnel import factories as pf


def covered(world, on: date) -> dict[str, list[str]]:
    """Item code -> names of who may perform it, on a day."""
    rows = authorisations.authorisation_coverage(world.lab_a.id, on)
    return {r["item_code"]: sorted(p["name"] for p in r["performers"]) for r in rows}


def test_an_authorisation_counts_on_its_last_day_only_up_to_it(world):
    pf.AuthorisationFactory(
        person=world.ana, item=world.item, valid_from=date(2010, 1, 1), valid_to=date(2010, 6, 30)
    )
    assert covered(world, date(2009, 12, 31))["PB-CER"] == []
    assert covered(world, date(2010, 1, 1))["PB-CER"] == ["王芳"]
    assert covered(world, date(2010, 6, 30))["PB-CER"] == ["王芳"]
    assert covered(world, date(2010, 7, 1))["PB-CER"] == []


def test_a_suspension_counts_from_its_day(world):
    pf.AuthorisationFactory(
        person=world.ana, item=world.item, status=AuthStatus.SUSPENDED, status_on=date(2010, 5, 1)
    )
    assert covered(world, date(2010, 4, 30))["PB-CER"] == ["王芳"]
    assert covered(world, date(2010, 5, 1))["PB-CER"] == []


def test_someone_who_left_covers_nothing_after_their_last_day(world):
    pf.AuthorisationFactory(person=world.sig, item=world.item)
    world.sig.employed_to = date(2010, 3, 31)
    db.session.commit()
    assert covered(world, date(2010, 3, 31))["PB-CER"] == ["李强"]
    assert covered(world, date(2010, 4, 1))["PB-CER"] == []


def test_a_category_authorisation_covers_every_item_of_it_once(world):
    pf.AuthorisationFactory(person=world.ana, item=None, category=world.category)
    pf.AuthorisationFactory(person=world.ana, item=world.item)  # and the item itself: still one person
    assert covered(world, date(2010, 6, 1)) == {"CD-CER": ["王芳"], "PB-CER": ["王芳"]}


def test_signatories_are_listed_apart_and_do_not_cover(world):
    pf.AuthorisationFactory(person=world.sig, item=world.item, activity="sign")
    [row] = [
        r
        for r in authorisations.authorisation_coverage(world.lab_a.id, date(2010, 6, 1))
        if r["item_code"] == "PB-CER"
    ]
    assert ([p["name"] for p in row["signatories"]], row["performers"], row["covered"]) == (
        ["李强"],
        [],
        False,
    )


@pytest.mark.parametrize("on, expected", [(date(2010, 6, 1), (2, 1)), (date(2008, 6, 1), (0, 0))])
def test_the_summary_counts_items_held_and_covered(world, on, expected):
    pf.AuthorisationFactory(person=world.ana, item=world.item2, valid_from=date(2008, 1, 1))
    summary = authorisations.coverage_summary(world.lab_a.id, on)
    assert (summary["items"], summary["covered"]) == expected
    if expected[0]:
        assert [g["item_code"] for g in summary["gaps"]] == ["PB-CER"]


def test_the_summary_follows_a_change_made_after_it_was_read(world):
    first = authorisations.coverage_summary(world.lab_a.id, date(2010, 6, 1))
    assert first["covered"] == 0
    pf.AuthorisationFactory(person=world.ana, item=world.item)
    assert authorisations.coverage_summary(world.lab_a.id, date(2010, 6, 1))["covered"] == 1
