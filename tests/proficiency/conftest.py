"""Fixtures of the proficiency tests: a round with invited labs, ready to take results."""

from collections.abc import Callable

import pytest

from labtrack.auth.permissions import Role
from labtrack.proficiency import service
from labtrack.proficiency.models import Round


@pytest.fixture
def staff(app, make_user):
    """A quality-department user (manages rounds)."""
    return make_user(Role.QUALITY, username="quality-1")


@pytest.fixture
def labs(app, make_lab):
    """Five labs, A01..A05."""
    return [make_lab(f"A{n:02d}") for n in range(1, 6)]


@pytest.fixture
def make_round(staff) -> Callable[..., Round]:
    """A round on the given labs (reference value 10, sigma_pt 0.5 unless told otherwise)."""
    counter = iter(range(1, 1000))

    def make(labs, status: str = "planned", **fields) -> Round:
        data = {
            "code": fields.pop("code", f"R-{next(counter):03d}"),
            "title": "Lead in ceramic tableware",
            "kind": "blind_sample",
            "measurand": "Pb",
            "unit": "mg/L",
            "assigned_value_method": "reference",
            "x_pt": 10.0,
            "u_x_pt": 0.1,
            "sigma_pt_method": "fixed",
            "sigma_pt": 0.5,
            "participants": [lab.code for lab in labs],
        }
        data.update(fields)
        rnd = service.create_round(data, staff)
        if status != "planned":
            service.transition(rnd, "open", staff)
        return rnd

    return make
