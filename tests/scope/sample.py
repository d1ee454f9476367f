"""A small scope file shared by the scope tests: two labs, two categories, three items."""

from labtrack.scope.importer import HEADER

ROWS = [
    "L1,C01,食品,I001,铅,GB 5009.12-2017,3,2009-01-05,",
    "L1,C01,食品,I002,镉,GB 5009.15-2014,2,2009-01-05,2010-06-01",
    "L1,C02,纺织品,I003,甲醛,GB/T 2912.1-2009,1,2010-03-01,",
    "L2,C01,食品,I001,铅,GB 5009.12-2017,3,2010-02-01,",
]


def body(*rows: str) -> bytes:
    """A CSV file with the import header and these rows."""
    return ("\n".join([",".join(HEADER), *rows]) + "\n").encode()
