"""factory_boy factories of the proficiency provider's models (homogeneity and stability studies)."""

import factory

from labtrack.proficiency.models import HomogeneityStudy, StabilityStudy
from tests.factories import BaseFactory, RoundFactory


class HomogeneityStudyFactory(BaseFactory):
    """A passed study of 10 items in duplicate (every item mean 10.05: s_s = 0) against sigma_pt 0.5."""

    class Meta:
        model = HomogeneityStudy

    round = factory.SubFactory(RoundFactory)
    replicates = factory.LazyFunction(lambda: [[10.0, 10.1]] * 10)
    sigma_pt = 0.5
    g = 10
    m = 2
    mean = 10.05
    s_x = 0.0
    s_w = 0.0707107
    s_s = 0.0
    criterion = 0.15
    expanded_criterion = 0.2146
    passed = True
    passed_expanded = True


class StabilityStudyFactory(BaseFactory):
    """A passed study: means 10.0 before and 10.05 after against 0.3 sigma_pt = 0.15."""

    class Meta:
        model = StabilityStudy

    round = factory.SubFactory(RoundFactory)
    before = factory.LazyFunction(lambda: [10.0, 10.0])
    after = factory.LazyFunction(lambda: [10.0, 10.1])
    sigma_pt = 0.5
    mean_before = 10.0
    mean_after = 10.05
    difference = 0.05
    criterion = 0.15
    u_difference = 0.05
    expanded_criterion = 0.25
    passed = True
    passed_expanded = True
