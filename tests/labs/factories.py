"""factory_boy factories of the labs area's reference data (regions in both languages)."""

import factory

from labtrack.labs.regions import Region
from tests.factories import BaseFactory


class RegionFactory(BaseFactory):
    """A region with its Chinese name."""

    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Region {n}")
    name_zh = factory.Sequence(lambda n: f"地区{n}")
