"""factory_boy factories of the planning area's models (risk gradings, plans, draws, sanctions)."""

from datetime import date, datetime

import factory

from labtrack.auth.permissions import Role
from labtrack.planning.models import (
    Draw,
    DrawnLab,
    InspectorProfile,
    Plan,
    PlanInspector,
    RiskGrading,
    Sanction,
    SanctionFinding,
    SanctionItem,
    Stratum,
    Swap,
    TeamMember,
)
from labtrack.planning.values import PlanStatus, SanctionKind
from tests.factories import (
    AuditFactory,
    BaseFactory,
    FindingFactory,
    LabFactory,
    TestItemFactory,
    UserFactory,
)


class RiskGradingFactory(BaseFactory):
    """A lab's current grading: B with 3 points (never inspected)."""

    class Meta:
        model = RiskGrading

    lab = factory.SubFactory(LabFactory)
    grade = "B"
    score = 3
    inputs = factory.LazyFunction(
        lambda: {
            "months_since_inspection": None,
            "points": {"months_since_inspection": 3},
            "as_of": "2010-12-31",
        }
    )
    weights_version = "2026.1"
    as_of = date(2010, 12, 31)
    current = True


class InspectorProfileFactory(BaseFactory):
    """Where an inspector belongs: Chengdu."""

    class Meta:
        model = InspectorProfile

    user = factory.SubFactory(UserFactory, role=Role.INSPECTOR)
    region = "Chengdu"


class PlanFactory(BaseFactory):
    """A draft flight-check plan for 2010 with a team size of 2."""

    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"PL-{n:03d}")
    title = factory.Sequence(lambda n: f"Plan {n}")
    year = 2010
    audit_kind = "flight_check"
    status = PlanStatus.DRAFT
    team_size = 2
    starts_on = date(2010, 1, 1)
    ends_on = date(2010, 12, 31)


class StratumFactory(BaseFactory):
    """A stratum of every lab with a quota of 1."""

    class Meta:
        model = Stratum

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    quota = 1


class PlanInspectorFactory(BaseFactory):
    """An inspector in a plan's pool."""

    class Meta:
        model = PlanInspector

    plan = factory.SubFactory(PlanFactory)
    user = factory.SubFactory(UserFactory, role=Role.INSPECTOR)


class DrawFactory(BaseFactory):
    """A recorded draw (its inputs and result as the draw writes them, empty)."""

    class Meta:
        model = Draw

    plan = factory.SubFactory(PlanFactory, status=PlanStatus.DRAWN)
    seed = "seed"
    algorithm = "labtrack-draw-1"
    drawn_on = date(2010, 5, 1)
    inputs = factory.LazyFunction(dict)
    result = factory.LazyFunction(dict)
    digest = "0" * 64


class DrawnLabFactory(BaseFactory):
    """A lab a draw picked, with its planned audit."""

    class Meta:
        model = DrawnLab

    draw = factory.SubFactory(DrawFactory)
    lab = factory.SubFactory(LabFactory)
    stratum_position = 1
    rank = factory.Sequence(lambda n: n + 1)
    key = "f" * 64
    audit = factory.SubFactory(AuditFactory, lab=factory.SelfAttribute("..lab"))


class TeamMemberFactory(BaseFactory):
    """The leader of a drawn lab's team."""

    class Meta:
        model = TeamMember

    drawn_lab = factory.SubFactory(DrawnLabFactory)
    user = factory.SubFactory(UserFactory, role=Role.INSPECTOR)
    position = 1


class SwapFactory(BaseFactory):
    """An inspector swapped on a drawn team."""

    class Meta:
        model = Swap

    drawn_lab = factory.SubFactory(DrawnLabFactory)
    out_user = factory.SubFactory(UserFactory, role=Role.INSPECTOR)
    in_user = factory.SubFactory(UserFactory, role=Role.INSPECTOR)
    reason = "illness"
    swapped_at = datetime(2010, 5, 2, 9, 0)


class SanctionFactory(BaseFactory):
    """A deadline rectification in force from 2010-06-01 (deadline 2010-09-01)."""

    class Meta:
        model = Sanction

    reference = factory.Sequence(lambda n: f"SN-2010-{n + 1:03d}")
    lab = factory.SubFactory(LabFactory)
    kind = SanctionKind.DEADLINE_RECTIFICATION
    basis = "Order No. 86"
    starts_on = date(2010, 6, 1)
    ends_on = date(2010, 9, 1)


class SanctionItemFactory(BaseFactory):
    """An item a sanction suspends."""

    class Meta:
        model = SanctionItem

    sanction = factory.SubFactory(SanctionFactory)
    item = factory.SubFactory(TestItemFactory)


class SanctionFindingFactory(BaseFactory):
    """A finding behind a sanction (of its lab)."""

    class Meta:
        model = SanctionFinding

    sanction = factory.SubFactory(SanctionFactory)
    finding = factory.SubFactory(FindingFactory, audit__lab=factory.SelfAttribute("...sanction.lab"))
