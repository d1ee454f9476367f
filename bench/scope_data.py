"""Generator of a national-scale scope data set with plain sqlite3 executemany (fast).

Full scale: 10,000 labs in 30 regions, 150 categories, 5,000 items, about 3 million lab-item
periods over 15 years (2010-2024), some withdrawn and re-granted. `small` is 1/20 of the labs.
Lab 1 (code BL00001) holds 1,500 items today, for the scope-page figure.
"""

import random
import sqlite3
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


def generate(path: str, scale: str = "small", seed: int = 7) -> dict:
    """Fill an empty labtrack SQLite database (schema already created) with the data set."""
    rng = random.Random(seed)
    n_labs = SCALES[scale]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    now = "2025-01-01 00:00:00"
    conn.executemany(
        "INSERT INTO labs (id, code, name, region, kind, status, is_model_lab, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'regional_lab', 'active', 0, ?, ?)",
        ((i, f"BL{i:05d}", f"Bench lab {i}", f"Region {i % REGIONS:02d}", now, now) for i in range(1, n_labs + 1)),
    )
    conn.executemany(
        "INSERT INTO test_categories (id, code, name, name_en, created_at) VALUES (?, ?, ?, ?, ?)",
        ((c, f"K{c:03d}", f"检测大类 {c}", f"Category {c}", now) for c in range(1, CATEGORIES + 1)),
    )
    conn.executemany(
        "INSERT INTO test_items (id, code, name, category_id, method, parameters, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((i, f"T{i:05d}", f"检测项目 {i}", (i - 1) % CATEGORIES + 1, f"GB/T {10000 + i}-2010", rng.randint(1, 12), now)
         for i in range(1, ITEMS + 1)),
    )
    rows = 0

    def entries():
        nonlocal rows
        for lab in range(1, n_labs + 1):
            if lab == 1:  # the 1,500-item lab: holds every item it was granted
                periods = ((1, item, _iso(rng.randint(START, END - 30)), None) for item in range(1, 1501))
            else:
                periods = periods_for_lab(rng, lab, max(20, int(rng.gauss(PERIODS_PER_LAB * 0.9, 90))))
            for lab_id, item, g, w in periods:
                rows += 1
                yield lab_id, item, g, w, "extension", "reduction" if w else None, now

    conn.executemany(
        "INSERT INTO scope_entries (lab_id, item_id, granted_on, withdrawn_on, basis, withdrawal_reason, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        entries(),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return {"labs": n_labs, "items": ITEMS, "categories": CATEGORIES, "periods": rows,
            "seconds": round(time.perf_counter() - started, 1)}
