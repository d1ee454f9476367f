"""Demo scope: a bilingual catalogue, SC-TC growing from 63/469 to 93/706 during 2010, varied other
labs, and extensions granted this year (dated from the day the demo is loaded); each period's history
row is dated on the day it was granted."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from labtrack.extensions import db
from labtrack.history.tracking import record_bulk, set_time
from labtrack.labs.models import Lab
from labtrack.models_base import today, utcnow
from labtrack.scope.models import ScopeEntry, TestCategory, TestItem

SEED = 20101111
CATALOGUE_DAY = date(2010, 1, 4)  # the catalogue and the scope held then entered the system
ITEMS_PER_CATEGORY = 8

# (Chinese, English, standard templates: {n} a part number, {y} a year)
DOMAINS = [
    ("食品", "Food", ["GB 5009.{n}-{y}", "GB 4789.{n}-{y}"]),
    ("食品添加剂", "Food additives", ["GB 1886.{n}-{y}", "GB 5009.{n}-{y}"]),
    ("乳及乳制品", "Milk and dairy products", ["GB 5413.{n}-{y}", "GB 5009.{n}-{y}"]),
    ("肉及肉制品", "Meat and meat products", ["GB/T 9695.{n}-{y}", "GB 5009.{n}-{y}"]),
    ("水产品", "Aquatic products", ["SC/T 30{n}-{y}", "GB 5009.{n}-{y}"]),
    ("粮油及制品", "Cereals, oils and their products", ["GB/T 5009.{n}-{y}", "GB/T 5510-{y}"]),
    ("饮料及饮用水", "Beverages and drinking water", ["GB/T 5750.{n}-{y}", "GB 8538-{y}"]),
    ("酒类", "Alcoholic beverages", ["GB/T 10345-{y}", "GB 5009.{n}-{y}"]),
    ("茶叶", "Tea", ["GB/T 8303-{y}", "GB/T 23204-{y}"]),
    ("农产品农药残留", "Pesticide residues in agricultural products", ["GB 23200.{n}-{y}", "NY/T 761-{y}"]),
    ("兽药残留", "Veterinary drug residues", ["GB/T 21317-{y}", "GB 31650-{y}"]),
    ("饲料", "Feed", ["GB/T 13079-{y}", "GB/T 6435-{y}"]),
    ("纺织品", "Textiles", ["GB/T 2912.{n}-{y}", "GB/T 7573-{y}", "GB/T 3920-{y}"]),
    ("服装", "Garments", ["GB 18401-{y}", "GB/T 2660-{y}"]),
    ("鞋类", "Footwear", ["GB/T 3903.{n}-{y}", "QB/T 2673-{y}"]),
    ("皮革及毛皮", "Leather and fur", ["GB/T 19941-{y}", "GB/T 17593.{n}-{y}"]),
    ("玩具", "Toys", ["GB 6675.{n}-{y}", "GB/T 22048-{y}"]),
    ("儿童用品", "Children's products", ["GB 14746-{y}", "GB 28007-{y}"]),
    ("家用电器", "Household electrical appliances", ["GB 4706.{n}-{y}", "GB 4343.{n}-{y}"]),
    ("照明电器", "Lighting equipment", ["GB 7000.{n}-{y}", "GB 17743-{y}"]),
    ("信息技术设备", "Information technology equipment", ["GB 4943.{n}-{y}", "GB/T 9254-{y}"]),
    ("电线电缆", "Wires and cables", ["GB/T 5023.{n}-{y}", "GB/T 3048.{n}-{y}"]),
    ("低压电器", "Low-voltage apparatus", ["GB/T 14048.{n}-{y}", "GB 10963.{n}-{y}"]),
    ("陶瓷", "Ceramics", ["GB 4806.{n}-{y}", "GB/T 3532-{y}"]),
    ("玻璃制品", "Glassware", ["GB 4806.{n}-{y}", "GB/T 6582-{y}"]),
    ("食品接触材料", "Food-contact materials", ["GB 31604.{n}-{y}", "GB 4806.{n}-{y}"]),
    ("塑料制品", "Plastic products", ["GB/T 1040.{n}-{y}", "GB/T 1033.{n}-{y}"]),
    ("橡胶制品", "Rubber products", ["GB/T 528-{y}", "GB/T 531.{n}-{y}"]),
    ("化妆品", "Cosmetics", ["GB/T 7917.{n}-{y}", "GB 7916-{y}"]),
    ("洗涤用品", "Detergents", ["GB/T 13173-{y}", "GB 9985-{y}"]),
    ("化工产品", "Chemical products", ["GB/T 6283-{y}", "GB/T 6678-{y}"]),
    ("危险化学品", "Dangerous chemicals", ["GB 30000.{n}-{y}", "GB/T 21612-{y}"]),
    ("涂料", "Paints and coatings", ["GB 18582-{y}", "GB/T 1728-{y}"]),
    ("建筑材料", "Building materials", ["GB/T 17671-{y}", "GB 6566-{y}"]),
    ("木制品及家具", "Wood products and furniture", ["GB 18580-{y}", "GB/T 3324-{y}"]),
    ("纸及纸制品", "Paper and paper products", ["GB/T 451.{n}-{y}", "GB/T 12914-{y}"]),
    ("金属材料", "Metallic materials", ["GB/T 228.{n}-{y}", "GB/T 223.{n}-{y}"]),
    ("机械产品", "Mechanical products", ["GB/T 1184-{y}", "GB/T 10095.{n}-{y}"]),
    ("汽车零部件", "Automotive parts", ["GB 11566-{y}", "GB/T 30512-{y}"]),
    ("特种设备", "Special equipment", ["TSG 21-{y}", "GB/T 150.{n}-{y}"]),
]
FACETS = [
    (
        "理化检验",
        "physico-chemical testing",
        [
            ("铅", "Lead", 1),
            ("镉", "Cadmium", 1),
            ("总砷", "Total arsenic", 2),
            ("总汞", "Total mercury", 2),
            ("水分", "Moisture", 1),
            ("灰分", "Ash", 1),
            ("邻苯二甲酸酯", "Phthalates", 6),
            ("多环芳烃", "Polycyclic aromatic hydrocarbons", 16),
            ("甲醛", "Formaldehyde", 1),
            ("pH值", "pH value", 1),
            ("可迁移元素", "Migratable elements", 8),
            ("有机锡", "Organotin compounds", 9),
        ],
    ),
    (
        "微生物与卫生",
        "microbiology and hygiene",
        [
            ("菌落总数", "Aerobic plate count", 1),
            ("大肠菌群", "Coliforms", 2),
            ("沙门氏菌", "Salmonella", 1),
            ("金黄色葡萄球菌", "Staphylococcus aureus", 1),
            ("霉菌和酵母", "Moulds and yeasts", 2),
            ("单核细胞增生李斯特氏菌", "Listeria monocytogenes", 1),
            ("致病性大肠杆菌", "Pathogenic E. coli", 3),
            ("副溶血性弧菌", "Vibrio parahaemolyticus", 1),
            ("商业无菌", "Commercial sterility", 4),
            ("志贺氏菌", "Shigella", 1),
        ],
    ),
    (
        "安全与性能",
        "safety and performance",
        [
            ("标志和说明", "Marking and instructions", 3),
            ("机械物理性能", "Mechanical and physical properties", 12),
            ("燃烧性能", "Flammability", 4),
            ("耐热和耐燃", "Resistance to heat and fire", 5),
            ("电气强度", "Electric strength", 2),
            ("泄漏电流", "Leakage current", 2),
            ("耐久性", "Endurance", 6),
            ("色牢度", "Colour fastness", 7),
            ("尺寸稳定性", "Dimensional stability", 3),
            ("电磁兼容", "Electromagnetic compatibility", 11),
            ("拉伸性能", "Tensile properties", 4),
            ("结构检查", "Construction", 8),
        ],
    ),
]


def _standard(rng: random.Random, templates: list[str]) -> str:
    template = rng.choice(templates)
    return template.format(
        n=rng.randint(1, 30), y=rng.choice([2003, 2005, 2006, 2008, 2009, 2010, 2016, 2017])
    )


def build_catalogue(rng: random.Random) -> tuple[list[dict], list[dict]]:
    """120 bilingual categories (domain x facet) with 8 items each, methods and parameters."""
    categories, items = [], []
    for d, (domain_zh, domain_en, templates) in enumerate(DOMAINS):
        for f, (facet_zh, facet_en, analytes) in enumerate(FACETS):
            code = f"C{d + 1:02d}{f + 1}"
            categories.append(
                {"code": code, "name": f"{domain_zh}（{facet_zh}）", "name_en": f"{domain_en} ({facet_en})"}
            )
            for n, (zh, en, params) in enumerate(rng.sample(analytes, ITEMS_PER_CATEGORY)):
                methods = sorted({_standard(rng, templates) for _ in range(rng.choice([1, 1, 2]))})
                items.append(
                    {
                        "code": f"{code}-{n + 1:02d}",
                        "name": f"{domain_zh}{zh}",
                        "name_en": f"{en} ({domain_en.lower()})",
                        "category": code,
                        "method": "; ".join(methods),
                        "parameters": params + rng.randint(0, 3),
                    }
                )
    return categories, items


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


EXTENSION_DAYS_2010 = [
    date(2010, 3, 18),
    date(2010, 5, 12),
    date(2010, 6, 25),
    date(2010, 8, 30),
    date(2010, 9, 28),
    date(2010, 10, 26),
]


def _technical_centre(rng, lab_id: int, by_category: dict[str, list[dict]], order: list[str]) -> list[dict]:
    """SC-TC: 63 categories and 469 items on 2009-12-31; 93 and 706 on 2010-11-11."""
    rows: list[dict] = []
    old, new = order[:63], order[63:93]
    held: list[dict] = []
    spare: list[dict] = []
    for index, code in enumerate(old):
        take = 8 if index < 28 else 7  # 28 x 8 + 35 x 7 = 469
        held += by_category[code][:take]
        spare += by_category[code][take:]
    for item in held:
        rows.append(
            {
                "lab_id": lab_id,
                "item": item,
                "granted_on": _day(rng, date(2005, 3, 1), date(2009, 11, 30)),
                "basis": "initial" if rng.random() < 0.6 else "extension",
            }
        )
    rows.sort(key=lambda r: r["granted_on"])
    first = rows[0]["granted_on"]
    for r in rows:
        r["basis"] = "initial" if r["granted_on"] == first else r["basis"]
    # Six withdrawals during 2010, from categories keeping their other items.
    eight = [r for r in rows if r["item"]["category"] in old[:28]]
    for r, (when, reason) in zip(
        rng.sample(eight, 6),
        [
            (date(2010, 2, 8), "reduction"),
            (date(2010, 4, 2), "suspension"),
            (date(2010, 5, 20), "reduction"),
            (date(2010, 7, 9), "revocation"),
            (date(2010, 9, 3), "reduction"),
            (date(2010, 10, 15), "suspension"),
        ],
        strict=True,
    ):
        r["withdrawn_on"], r["withdrawal_reason"] = when, reason
    # One item suspended and re-granted after re-assessment (held on both dates).
    kept = [r for r in rows if "withdrawn_on" not in r]
    resumed = rng.choice(kept)
    resumed["withdrawn_on"], resumed["withdrawal_reason"] = date(2010, 4, 15), "suspension"
    rows.append(
        {"lab_id": lab_id, "item": resumed["item"], "granted_on": date(2010, 4, 15), "basis": "reassessment"}
    )
    # 243 extensions over 2010: 30 new categories x 7 items and 33 more items in the old ones.
    additions = [i for code in new for i in by_category[code][:7]] + spare[:33]
    rng.shuffle(additions)
    for n, item in enumerate(additions):
        rows.append(
            {"lab_id": lab_id, "item": item, "granted_on": EXTENSION_DAYS_2010[n % 6], "basis": "extension"}
        )
    # Later life: a few more extensions in 2011 and a reduction in 2012.
    for item in spare[33:45]:
        rows.append({"lab_id": lab_id, "item": item, "granted_on": date(2011, 6, 16), "basis": "extension"})
    late = rng.choice([r for r in rows if r["granted_on"] < date(2010, 1, 1) and "withdrawn_on" not in r])
    late["withdrawn_on"], late["withdrawal_reason"] = date(2012, 3, 1), "reduction"
    return rows


def _this_year(rng, labs: dict[str, Lab], rows: list[dict], items: list[dict]) -> list[dict]:
    """Extensions granted this year, dated back from today: SC-TC and a handful of other labs."""
    now = today()
    first = date(now.year, 1, 1)
    held: dict[int, set[int]] = {}
    for r in rows:
        if r.get("withdrawn_on") is None:
            held.setdefault(r["lab_id"], set()).add(r["item"]["id"])
    # Whatever a lab held and gave up may come back too, but only from the day it ended.
    ended = {(r["lab_id"], r["item"]["id"]): r["withdrawn_on"] for r in rows if r.get("withdrawn_on")}
    chosen = [c for c in ("SC-TC", "SC-PQI", "SC-RL-YB", "SC-MTI-DY", "SC-FIB-NC", "SC-3P-CDA") if c in labs]
    # The technical centre opens two fields no lab covers yet: the system's capability grows too.
    held_anywhere = {i for ids in held.values() for i in ids}
    covered = {i["category"] for i in items if i["id"] in held_anywhere}
    new_fields = [i for i in items if i["category"] not in covered]
    fresh = [
        i
        for code in sorted({i["category"] for i in new_fields})[:2]
        for i in [i for i in new_fields if i["category"] == code][:3]
    ]
    added = []
    for n, code in enumerate(chosen):
        lab_id = labs[code].id
        pool = [i for i in items if i["id"] not in held.get(lab_id, set())]
        granted = max(first, now - timedelta(days=[40, 95, 12, 150, 63, 5][n % 6]))
        picks = (
            fresh
            if code == "SC-TC" and len(fresh) == 6
            else rng.sample(pool, min(len(pool), 6 if code == "SC-TC" else 3))
        )
        for item in picks:
            if ended.get((lab_id, item["id"]), date.min) > granted:
                continue
            added.append({"lab_id": lab_id, "item": item, "granted_on": granted, "basis": "extension"})
    return added


def _other_lab(
    rng, lab_id: int, by_category, common: list[str], reserved_pool: list[dict], adds: int
) -> list[dict]:
    """A lab with a few categories of a few items each, some 2010 extensions and a withdrawal or two."""
    rows = []
    start = _day(rng, date(2004, 6, 1), date(2008, 12, 31))
    for code in rng.sample(common, rng.randint(2, 9)):
        for item in rng.sample(by_category[code], rng.randint(3, 8)):
            granted = start if rng.random() < 0.7 else _day(rng, start, date(2009, 10, 31))
            rows.append(
                {
                    "lab_id": lab_id,
                    "item": item,
                    "granted_on": granted,
                    "basis": "initial" if granted == start else "extension",
                }
            )
    for _ in range(adds):
        if reserved_pool:
            rows.append(
                {
                    "lab_id": lab_id,
                    "item": reserved_pool.pop(),
                    "basis": "extension",
                    "granted_on": _day(rng, date(2010, 2, 1), date(2010, 10, 31)),
                }
            )
    for r in rng.sample(rows, rng.choice([0, 0, 1, 2])):
        if r["granted_on"] < date(2010, 1, 1):
            r["withdrawn_on"] = _day(rng, date(2010, 1, 15), date(2011, 12, 31))
            r["withdrawal_reason"] = rng.choice(["reduction", "reduction", "suspension", "revocation"])
    return rows


def load(labs: dict[str, Lab]) -> str:
    """Write the catalogue and every lab's scope (does nothing if the catalogue is there)."""
    if db.session.scalar(select(func.count()).select_from(TestCategory)):
        return "scope already loaded"
    rng = random.Random(SEED)
    categories, items = build_catalogue(rng)
    now = utcnow()
    session = db.session
    cat_ids = _insert(TestCategory, [{**c, "created_at": now} for c in categories])
    # The catalogue as it was taken into the system at the start of the campaign.
    set_time(session, datetime.combine(CATALOGUE_DAY, time(9, 0)))
    record_bulk(
        session,
        "test_categories",
        [
            (i, "insert", {k: [None, v] for k, v in c.items()})
            for i, c in zip(cat_ids, categories, strict=True)
        ],
        "demo data",
    )
    code_to_cat = {c["code"]: i for c, i in zip(categories, cat_ids, strict=True)}
    item_rows = [
        {
            "code": i["code"],
            "name": i["name"],
            "name_en": i["name_en"],
            "method": i["method"],
            "parameters": i["parameters"],
            "category_id": code_to_cat[i["category"]],
            "created_at": now,
        }
        for i in items
    ]
    item_ids = _insert(TestItem, item_rows)
    record_bulk(
        session,
        "test_items",
        [
            (i, "insert", {k: [None, v] for k, v in r.items() if k != "created_at"})
            for i, r in zip(item_ids, item_rows, strict=True)
        ],
        "demo data",
    )
    for item, item_id in zip(items, item_ids, strict=True):
        item["id"] = item_id
    by_category: dict[str, list[dict]] = {}
    for item in items:
        by_category.setdefault(item["category"], []).append(item)
    order = [c["code"] for c in categories]
    rng.shuffle(order)
    common, reserved = order[:93], order[93:]  # SC-TC's 93 fields; the rest only others add, in 2010
    reserved_pool = [i for code in reserved for i in by_category[code] if i["parameters"] >= 4]
    rng.shuffle(reserved_pool)
    rows: list[dict] = []
    if "SC-TC" in labs:
        rows += _technical_centre(rng, labs["SC-TC"].id, by_category, order)
    others = sorted(code for code in labs if code != "SC-TC")
    for n, code in enumerate(others):
        adds = 2 if n < 20 else (1 if rng.random() < 0.3 else 0)
        rows += _other_lab(rng, labs[code].id, by_category, common, reserved_pool, adds)
    rows += _this_year(rng, labs, rows, items)
    entries = [
        {
            "lab_id": r["lab_id"],
            "item_id": r["item"]["id"],
            "granted_on": r["granted_on"],
            "withdrawn_on": r.get("withdrawn_on"),
            "basis": r["basis"],
            "withdrawal_reason": r.get("withdrawal_reason"),
            "created_at": now,
        }
        for r in rows
    ]
    entry_ids = _insert(ScopeEntry, entries)
    # Each period recorded on the day it was granted (one bulk write per day).
    by_day: dict[date, list] = {}
    for i, e in zip(entry_ids, entries, strict=True):
        changes = {
            k: [None, v.isoformat() if isinstance(v, date) else v]
            for k, v in e.items()
            if v is not None and k != "created_at"
        }
        by_day.setdefault(e["granted_on"], []).append((i, "insert", changes))
    try:
        for day in sorted(by_day):
            set_time(session, datetime.combine(max(day, CATALOGUE_DAY), time(11, 0)))
            record_bulk(session, "scope_entries", by_day[day], "demo data")
    finally:
        set_time(session, None)
    return f"{len(categories)} categories, {len(items)} items, {len(entries)} lab-item periods"


def _insert(model, rows: list[dict]) -> list[int]:
    table = model.__table__
    result = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [r[0] for r in result]
