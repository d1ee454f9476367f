"""Generator of a national-scale scope data set, loaded in bulk (sqlite3 executemany / PostgreSQL COPY).

Full scale: 10,000 labs in 30 regions, 150 categories, 5,000 items, about 3 million lab-item
periods over 15 years (2010-2024), some withdrawn and re-granted. `small` is 1/20 of the labs.
Lab 1 (code BL00001) holds 1,500 items today, for the scope-page figure.
"""

import random
import time
from datetime import date

SCALES = {"full": 10_000, "small": 500, "tiny": 60}
CATEGORIES, ITEMS, REGIONS = 150, 5_000, 30
START, END = date(2010, 1, 1).toordinal(), date(2024, 12, 31).toordinal()
PERIODS_PER_LAB = 300


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def periods_for_lab(rng: random.Random, lab_id: int, n_items: int):
    """(lab, item, granted, withdrawn) tuples of one lab: grants spread over 15 years, some ended."""
    first = rng.randint(START, START + 3 * 365)
    for item in rng.sample(range(1, ITEMS + 1), n_items):
        g = first if rng.random() < 0.4 else rng.randint(first, END - 30)
        if rng.random() < 0.12:
            w = rng.randint(g + 30, min(g + 2000, END + 400))
            yield lab_id, item, _iso(g), _iso(w)
            if rng.random() < 0.3 and w < END - 60:  # re-granted the day it ended, or later
                yield lab_id, item, _iso(w + rng.choice([0, 0, 90])), None
        else:
            yield lab_id, item, _iso(g), None


# Codes carry `code_key` (the code as compared for uniqueness: plain ASCII codes case-folded).
LAB_COLUMNS = (
    "id",
    "code",
    "code_key",
    "name",
    "region",
    "kind",
    "status",
    "is_model_lab",
    "created_at",
    "updated_at",
)
CATEGORY_COLUMNS = ("id", "code", "code_key", "name", "name_en", "created_at")
ITEM_COLUMNS = ("id", "code", "code_key", "name", "category_id", "method", "parameters", "created_at")
ENTRY_COLUMNS = (
    "lab_id",
    "item_id",
    "granted_on",
    "withdrawn_on",
    "basis",
    "withdrawal_reason",
    "created_at",
)


def tables(scale: str = "small", seed: int = 7):
    """(table, columns, rows) in load order; each `rows` is a generator, to be consumed in turn."""
    rng = random.Random(seed)
    n_labs = SCALES[scale]
    now = "2025-01-01 00:00:00"
    yield (
        "labs",
        LAB_COLUMNS,
        (
            (
                i,
                f"BL{i:05d}",
                f"bl{i:05d}",
                f"Bench lab {i}",
                f"Region {i % REGIONS:02d}",
                "regional_lab",
                "active",
                0,
                now,
                now,
            )
            for i in range(1, n_labs + 1)
        ),
    )
    yield (
        "test_categories",
        CATEGORY_COLUMNS,
        (
            (c, f"K{c:03d}", f"k{c:03d}", f"检测大类 {c}", f"Category {c}", now)
            for c in range(1, CATEGORIES + 1)
        ),
    )
    yield (
        "test_items",
        ITEM_COLUMNS,
        (
            (
                i,
                f"T{i:05d}",
                f"t{i:05d}",
                f"检测项目 {i}",
                (i - 1) % CATEGORIES + 1,
                f"GB/T {10000 + i}-2010",
                rng.randint(1, 12),
                now,
            )
            for i in range(1, ITEMS + 1)
        ),
    )

    def entries():
        for lab in range(1, n_labs + 1):
            if lab == 1:  # the 1,500-item lab: holds every item it was granted
                periods = ((1, item, _iso(rng.randint(START, END - 30)), None) for item in range(1, 1501))
            else:
                periods = periods_for_lab(rng, lab, max(20, int(rng.gauss(PERIODS_PER_LAB * 0.9, 90))))
            for lab_id, item, g, w in periods:
                yield lab_id, item, g, w, "extension", "reduction" if w else None, now

    yield "scope_entries", ENTRY_COLUMNS, entries()


def generate(url: str, scale: str = "small", seed: int = 7, backend=None) -> dict:
    """Fill an empty labtrack database (schema already created) with the data set, in bulk.

    SQLite: executemany; PostgreSQL: COPY FROM STDIN (see bench._backend). Same rows either way.
    """
    if backend is None:
        from bench._backend import SQLiteBackend

        backend = SQLiteBackend(None)
    if "://" not in url:
        url = f"sqlite:///{url}"
    conn = backend.connect(url)
    backend.speed_up(conn)
    started = time.perf_counter()
    periods = 0
    names = []
    for table, columns, rows in tables(scale, seed):
        if table == "scope_entries":

            def counted(rows=rows):
                nonlocal periods
                for row in rows:
                    periods += 1
                    yield row

            rows = counted()
        backend.load(conn, table, columns, rows)
        names.append(table)
    backend.after_load(conn, names)
    conn.close()
    return {
        "labs": SCALES[scale],
        "items": ITEMS,
        "categories": CATEGORIES,
        "periods": periods,
        "seconds": round(time.perf_counter() - started, 1),
    }
