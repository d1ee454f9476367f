"""Demo laboratories and accounts: the 47 qualified institutions of a 21-prefecture province."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from labtrack.auth.demo import load_accounts  # noqa: F401 (other areas' demos add accounts with it)
from labtrack.extensions import db
from labtrack.history.tracking import set_time
from labtrack.labs.models import Lab, LabContact, LabKind, LabStatus, Qualification, Scheme
from labtrack.labs.regions import Region
from labtrack.models_base import today

# Sichuan's 21 prefecture-level divisions (English name, Chinese name, telephone area code).
PREFECTURES = [
    ("Chengdu", "成都", "028"),
    ("Zigong", "自贡", "0813"),
    ("Panzhihua", "攀枝花", "0812"),
    ("Luzhou", "泸州", "0830"),
    ("Deyang", "德阳", "0838"),
    ("Mianyang", "绵阳", "0816"),
    ("Guangyuan", "广元", "0839"),
    ("Suining", "遂宁", "0825"),
    ("Neijiang", "内江", "0832"),
    ("Leshan", "乐山", "0833"),
    ("Nanchong", "南充", "0817"),
    ("Meishan", "眉山", "028"),
    ("Yibin", "宜宾", "0831"),
    ("Guang'an", "广安", "0826"),
    ("Dazhou", "达州", "0818"),
    ("Ya'an", "雅安", "0835"),
    ("Bazhong", "巴中", "0827"),
    ("Ziyang", "资阳", "028"),
    ("Aba", "阿坝", "0837"),
    ("Ganzi", "甘孜", "0836"),
    ("Liangshan", "凉山", "0834"),
]
_ZH = {en: zh for en, zh, _ in PREFECTURES}
_AREA_CODE = {en: code for en, _, code in PREFECTURES}
# Autonomous prefectures are 州, the others 市.
_SUFFIX = {"Aba": "州", "Ganzi": "州", "Liangshan": "州"}

K = LabKind
# (code, kind, region, Chinese name, English name); names of prefecture institutes are built below.
_FIXED = [
    (
        "SC-TC",
        K.TECHNICAL_CENTRE,
        "Chengdu",
        "四川出入境检验检疫局检验检疫技术中心",
        "Technical Centre of Sichuan Entry-Exit Inspection and Quarantine Bureau",
    ),
    (
        "SC-PQI",
        K.PRODUCT_QUALITY,
        "Chengdu",
        "四川省产品质量监督检验检测院",
        "Sichuan Product Quality Supervision and Inspection Institute",
    ),
    ("SC-MTI", K.METROLOGY, "Chengdu", "四川省计量测试研究院", "Sichuan Institute of Metrology and Testing"),
    ("SC-FIB", K.FIBRE, "Chengdu", "四川省纤维检验局", "Sichuan Fibre Inspection Bureau"),
    (
        "SC-SEI",
        K.SPECIAL_EQUIPMENT,
        "Chengdu",
        "四川省特种设备检验研究院",
        "Sichuan Special Equipment Inspection and Research Institute",
    ),
]
_REGIONAL = ["Panzhihua", "Yibin", "Luzhou", "Mianyang", "Leshan", "Deyang"]
_PRODUCT_QUALITY = [
    "Zigong",
    "Suining",
    "Neijiang",
    "Nanchong",
    "Meishan",
    "Guang'an",
    "Dazhou",
    "Ya'an",
    "Bazhong",
    "Ziyang",
    "Aba",
    "Ganzi",
    "Liangshan",
    "Guangyuan",
]
_METROLOGY = ["Deyang", "Mianyang", "Luzhou", "Nanchong", "Leshan", "Yibin", "Zigong"]
_FIBRE = ["Nanchong", "Suining", "Dazhou"]
_SPECIAL_EQUIPMENT = ["Panzhihua", "Dazhou", "Nanchong", "Liangshan"]
_ENTERPRISE = [
    ("SC-ENT-YBL", "Yibin", "宜宾酒业集团质量检测中心", "Yibin Liquor Group Quality Testing Centre"),
    (
        "SC-ENT-DYM",
        "Deyang",
        "德阳重型机械有限公司理化检测中心",
        "Deyang Heavy Machinery Co. Physical and Chemical Testing Centre",
    ),
    (
        "SC-ENT-PZS",
        "Panzhihua",
        "攀枝花钢钒有限公司检测中心",
        "Panzhihua Steel and Vanadium Co. Testing Centre",
    ),
    ("SC-ENT-CDF", "Chengdu", "成都天府食品有限公司检验室", "Chengdu Tianfu Foods Co. Inspection Laboratory"),
]
_THIRD_PARTY = [
    ("SC-3P-CDA", "Chengdu", "成都华测检测技术有限公司", "Chengdu Huace Testing Technology Co."),
    (
        "SC-3P-CDB",
        "Chengdu",
        "成都蓉城检验认证有限公司",
        "Chengdu Rongcheng Inspection and Certification Co.",
    ),
    ("SC-3P-MY", "Mianyang", "绵阳科信检测有限公司", "Mianyang Kexin Testing Co."),
    ("SC-3P-MS", "Meishan", "眉山东坡检测技术有限公司", "Meishan Dongpo Testing Technology Co."),
]
# The 4 "model laboratories" (精品实验室) of the field notes: built by 4 expert groups with the
# Suining and Nanchong bureaus as pilots, one each for quality inspection, metrology, fibre
# inspection and special equipment.
MODEL_LABS = {"SC-PQI-SN", "SC-MTI-NC", "SC-FIB-SN", "SC-SEI-NC"}
PILOTS = ("Suining", "Nanchong")
# Certificates expiring soon (days from today) and the one that has expired; the rest run for years.
EXPIRING_SOON = {"SC-RL-LZ": 21, "SC-PQI-DZ": 45, "SC-MTI-LS": 60, "SC-3P-MY": 85}
EXPIRED = "SC-3P-MS"  # expired 20 days ago; the lab is suspended until it renews
SUSPENDED = {EXPIRED}
REGISTERED_ON = date(2010, 1, 4)  # the register as the bureau took it over at the campaign's start

_ABBREV = {
    "Chengdu": "CD",
    "Zigong": "ZG",
    "Panzhihua": "PZH",
    "Luzhou": "LZ",
    "Deyang": "DY",
    "Mianyang": "MY",
    "Guangyuan": "GY",
    "Suining": "SN",
    "Neijiang": "NJ",
    "Leshan": "LS",
    "Nanchong": "NC",
    "Meishan": "MS",
    "Yibin": "YB",
    "Guang'an": "GA",
    "Dazhou": "DZ",
    "Ya'an": "YA",
    "Bazhong": "BZ",
    "Ziyang": "ZY",
    "Aba": "AB",
    "Ganzi": "GZ",
    "Liangshan": "LSZ",
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
]
_POSITIONS = [("主任", "Director"), ("质量负责人", "Quality manager"), ("技术负责人", "Technical manager")]


def _place(region: str) -> str:
    return _ZH[region] + _SUFFIX.get(region, "市")


def lab_specs() -> list[tuple[str, LabKind, str, str, str]]:
    """The 47 institutions as (code, kind, region, name, English name), in a fixed order."""
    specs = list(_FIXED[:1])
    for region in _REGIONAL:
        specs.append(
            (
                f"SC-RL-{_ABBREV[region]}",
                K.REGIONAL_LAB,
                region,
                f"{_ZH[region]}出入境检验检疫局综合技术中心",
                f"{region} Entry-Exit Inspection and Quarantine Regional Laboratory",
            )
        )
    specs.append(_FIXED[1])
    for region in _PRODUCT_QUALITY:
        specs.append(
            (
                f"SC-PQI-{_ABBREV[region]}",
                K.PRODUCT_QUALITY,
                region,
                f"{_place(region)}产品质量监督检验所",
                f"{region} Product Quality Supervision and Inspection Institute",
            )
        )
    specs.append(_FIXED[2])
    for region in _METROLOGY:
        specs.append(
            (
                f"SC-MTI-{_ABBREV[region]}",
                K.METROLOGY,
                region,
                f"{_place(region)}计量测试所",
                f"{region} Institute of Metrology and Testing",
            )
        )
    specs.append(_FIXED[3])
    for region in _FIBRE:
        specs.append(
            (
                f"SC-FIB-{_ABBREV[region]}",
                K.FIBRE,
                region,
                f"{_place(region)}纤维检验所",
                f"{region} Fibre Inspection Institute",
            )
        )
    specs.append(_FIXED[4])
    for region in _SPECIAL_EQUIPMENT:
        specs.append(
            (
                f"SC-SEI-{_ABBREV[region]}",
                K.SPECIAL_EQUIPMENT,
                region,
                f"{_place(region)}特种设备监督检验所",
                f"{region} Special Equipment Supervision and Inspection Institute",
            )
        )
    specs += [(c, K.ENTERPRISE, r, n, e) for c, r, n, e in _ENTERPRISE]
    specs += [(c, K.THIRD_PARTY, r, n, e) for c, r, n, e in _THIRD_PARTY]
    return specs


def _contacts(rng: random.Random, code: str, region: str) -> list[LabContact]:
    contacts = []
    area = _AREA_CODE[region]
    digits = 8 if area == "028" else 7  # Chengdu numbers have eight digits
    for index in range(1 + rng.randrange(2)):
        position, position_en = _POSITIONS[index]
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
        contacts.append(
            LabContact(
                name=name,
                position=f"{position} / {position_en}",
                phone=f"{area}-{rng.randrange(2 * 10 ** (digits - 1), 9 * 10 ** (digits - 1))}",
                email=f"{code.lower()}.{index + 1}@labs.example.cn",
            )
        )
    return contacts


def _certificates(rng: random.Random, number: int, code: str, kind: LabKind) -> list[Qualification]:
    """A CMA certificate for every lab; CNAS accreditation for most public institutes."""
    now = today()
    if code == EXPIRED:
        cma_expiry = now - timedelta(days=20)
    elif code in EXPIRING_SOON:
        cma_expiry = now + timedelta(days=EXPIRING_SOON[code])
    else:
        cma_expiry = now + timedelta(days=120 + rng.randrange(1000))
    cma_issued = cma_expiry - timedelta(days=3 * 365 + 1)
    certs = [
        Qualification(
            scheme=Scheme.CMA,
            certificate_no=f"{cma_issued.year}51{number:04d}{rng.randrange(10, 99)}",
            issued_on=cma_issued,
            expires_on=cma_expiry,
        )
    ]
    if kind not in (K.ENTERPRISE,) and (kind != K.PRODUCT_QUALITY or number % 3 == 0):
        cnas_expiry = now + timedelta(days=150 + rng.randrange(900))
        certs.append(
            Qualification(
                scheme=Scheme.CNAS,
                certificate_no=f"CNAS L{1200 + number * 7}",
                issued_on=cnas_expiry - timedelta(days=6 * 365 + 1),
                expires_on=cnas_expiry,
            )
        )
    return certs


def load_regions() -> None:
    """The 21 prefectures as reference data in both languages (those missing)."""
    existing = set(db.session.scalars(select(Region.name)))
    for en, _zh, _code in PREFECTURES:
        if en not in existing:
            db.session.add(Region(name=en, name_zh=_place(en)))


def load_labs() -> dict[str, Lab]:
    """Create the demo labs that are missing (with contacts and certificates); all 47 by code."""
    load_regions()
    existing = {lab.code: lab for lab in db.session.scalars(select(Lab))}
    result: dict[str, Lab] = {}
    certificates: list[tuple[Lab, Qualification]] = []
    for number, (code, kind, region, name, name_en) in enumerate(lab_specs(), start=1):
        # One generator per lab: a lab's data do not depend on which others already exist.
        rng = random.Random(f"labtrack-demo-{code}")
        lab = existing.get(code)
        if lab is None:
            contacts = _contacts(rng, code, region)
            lab = Lab(
                code=code,
                name=name,
                name_en=name_en,
                region=region,
                kind=kind,
                status=LabStatus.SUSPENDED if code in SUSPENDED else LabStatus.ACTIVE,
                is_model_lab=code in MODEL_LABS,
                address=f"四川省{_place(region)}",
                contacts=contacts,
            )
            db.session.add(lab)
            certificates += [(lab, q) for q in _certificates(rng, number, code, kind)]
        result[code] = lab
    db.session.flush()
    # Each certificate enters the history on the day it was issued (the labs were registered at
    # the start of the campaign; certificates renewed since came later).
    registered = db.session.info.get("history_at")
    for lab, certificate in sorted(certificates, key=lambda pair: pair[1].issued_on):
        set_time(db.session, datetime.combine(max(certificate.issued_on, REGISTERED_ON), time(10, 0)))
        lab.qualifications.append(certificate)
        db.session.flush()
    set_time(db.session, registered)
    return result
