"""Demo comparisons: the 2010 blind-sample and measurement-value comparisons that reached all 47
institutions within the campaign year, the 2011 rounds and a CNAS proficiency test of the technical
centre (their findings all rectified and closed), and the present, dated from the day the demo is
loaded: a round published this year whose findings are being rectified, a round open now, one
closing in three days and one planned. History rows are dated on the story's days."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from labtrack.audits import workflow
from labtrack.audits.models import Finding
from labtrack.audits.rectification import apply_step
from labtrack.audits.service import due_date
from labtrack.auth.models import User
from labtrack.auth.policy import is_lab_manager
from labtrack.extensions import db
from labtrack.history.tracking import set_comment, set_time
from labtrack.labs.models import Lab, LabKind
from labtrack.models_base import today
from labtrack.proficiency import dispatch, evaluation, policy, qualitative, results, service, studies
from labtrack.proficiency.models import Evaluation, Result, Round, RoundFinding
from labtrack.scope.models import TestItem

SEED = 20100617
K = LabKind


def _item(name_en: str) -> str | None:
    return db.session.scalar(select(TestItem.code).where(TestItem.name_en == name_en))


def _values(rng, codes, truth, spread, planted=None, decimals=3, sigma_pt=None):
    """Realistic results: each lab near the truth (|dev| <= 1.8 spread) unless planted at k * sigma_pt."""
    planted = planted or {}
    out = {}
    for code in codes:
        if code in planted:
            dev = planted[code] * (sigma_pt or spread) * (1 + rng.uniform(-0.03, 0.03))
        else:
            dev = max(-1.8, min(1.8, rng.gauss(0, 0.7))) * spread
        out[code] = round(truth + dev, decimals)
    return out


def _when(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0))


def _at(day: date, hour: int = 10) -> None:
    """Date the history rows written from here on (the story's day, not the load time)."""
    set_time(db.session, _when(day, hour))


def _run(spec, labs, actor, rng, stop_at="published"):
    """Create, open, fill, close, evaluate and publish one round through the services, dated as given."""
    opens = spec["round"]["opens_on"]
    _at(min(opens - timedelta(days=21), today() - timedelta(days=1)))
    rnd = service.create_round({**spec["round"], "participants": spec["participants"]}, actor, rng=rng)
    if stop_at == "planned":
        return rnd
    _provider(rnd, spec, actor, opens)
    _at(opens, 8)
    service.transition(rnd, "open", actor)
    given = "answer" if spec.get("design") else "value"
    rows = [{"lab_code": code, given: value, **spec.get("extra", {}).get(code, {}),
             "method": spec.get("method")} for code, value in spec["values"].items()]  # fmt: skip
    last = min(rnd.closes_on, today() - timedelta(days=1))
    _at(last, 18)
    results.submit_results(rnd, rows, actor)
    stamps = {
        labs[code].id: _when(min(opens + timedelta(days=7 + i % 20), last), 9 + i % 8)
        for i, code in enumerate(spec["values"])
    }
    db.session.execute(
        update(Result).execution_options(synchronize_session=False),
        [{"id": rid, "submitted_at": stamps[lab_id]} for rid, lab_id in db.session.execute(
            select(Result.id, Result.lab_id).where(Result.round_id == rnd.id))],
    )  # fmt: skip
    if stop_at == "open":
        db.session.commit()
        return rnd
    closes = rnd.closes_on
    _at(closes + timedelta(days=1), 9)
    service.transition(rnd, "closed", actor)
    _at(closes + timedelta(days=10))
    evaluation.evaluate_round(rnd, actor)
    ev = db.session.scalar(select(Evaluation).where(Evaluation.round_id == rnd.id))
    ev.evaluated_at = _when(closes + timedelta(days=10))
    _at(closes + timedelta(days=21), 15)
    evaluation.publish_round(rnd, actor)
    rnd.published_at = _when(closes + timedelta(days=21), 15)
    raised_on = closes + timedelta(days=21)
    for finding in db.session.scalars(
        select(Finding)
        .join(RoundFinding, RoundFinding.finding_id == Finding.id)
        .where(RoundFinding.round_id == rnd.id)
    ):
        finding.raised_on = raised_on
        finding.due_on = due_date(finding.severity, raised_on)
    db.session.commit()
    return rnd


def _provider(rnd: Round, spec: dict, actor, opens: date) -> None:
    """What the provider does before a round opens: its answers, the items' studies, their dispatch."""
    _at(opens - timedelta(days=14), 11)
    if spec.get("design"):
        qualitative.set_design(rnd, spec["design"], actor)
    if spec.get("homogeneity"):
        replicates, sigma_pt = spec["homogeneity"]
        studies.record_homogeneity(rnd, replicates, actor, sigma_pt=sigma_pt)
    if spec.get("stability"):
        before, after, sigma_pt = spec["stability"]
        studies.record_stability(rnd, before, after, actor, sigma_pt=sigma_pt)
    if spec.get("homogeneity") or spec.get("design"):
        _at(opens - timedelta(days=5), 9)
        dispatch.record_dispatch(rnd, None, opens - timedelta(days=5), actor)
        for i, p in enumerate(rnd.participants):
            _at(opens - timedelta(days=3 - i % 3), 10)
            dispatch.record_receipt(rnd, p.lab.code, {"received_on": opens - timedelta(days=3 - i % 3),
                                                      "condition": "good"}, actor)  # fmt: skip


# Item offsets in sigma units for the demo's homogeneity studies (SD about 0.93): fixed, so that the
# failing study fails whatever the random within-item noise.
_OFFSETS = (-1.5, -1.0, -0.6, -0.3, 0.0, 0.2, 0.5, 0.8, 1.1, 1.4)


def _replicates(rng, level: float, between: float, within: float, decimals: int) -> list[list[float]]:
    """Ten items in duplicate: level + offset x between + noise."""
    return [[round(level + z * between + rng.gauss(0, within), decimals) for _ in range(2)] for z in _OFFSETS]


PLAN = {
    "root_cause": "校准曲线使用了过期的储备标准溶液，且未做第二来源核查。\n"
    "Calibration curve prepared from an expired stock standard; no second-source check.",
    "root_cause_method": "five_whys",
    "correction": "用新配制的标准溶液复测留样，结果在允许范围内。\n"
    "Re-tested the retained blind sample with fresh standards; result within limits.",
    "occurs_elsewhere": "核查了全部ICP-OES和AAS方法：另有两条曲线使用了同一储备液。\n"
    "Checked every ICP-OES and AAS method: two other curves used the same stock.",
    "corrective_action": "所有校准标准实行第二来源核查；建立带有效期提醒的标准物质台账。\n"
    "Second-source verification of every calibration standard; stock register with expiry alarm.",
    "action_owner": "技术负责人 / Technical manager",
}
EVIDENCE = "修订的作业指导书、标准物质台账和复测报告已归档。\nRevised SOP, standards register and re-test report attached to the lab file."
REVIEW = "复查：后续两次比对结果满意，措施有效。\nFollow-up: the next two comparisons were satisfactory; the action was effective."
ROUTE = ["submit_plan", "accept_plan", "submit_evidence", "close"]


def _walk(finding, names, actor_by_lab, quality, days) -> None:
    """Take a round finding through `names`, a step every `days` days, each dated in the history."""
    steps = {step.name: step for step in workflow.TRANSITIONS}
    on = finding.raised_on
    for name in names:
        on = on + timedelta(days=days)
        values = {**PLAN, "action_target_on": finding.raised_on + timedelta(days=25)}
        if name == "submit_evidence":
            values["evidence_text"] = EVIDENCE
        if name == "close":
            values["effectiveness_review"] = REVIEW
        if name == "accept_plan":
            values["comment"] = "整改计划可行。\nThe plan is adequate."
        who = quality if name in ("accept_plan", "close") else actor_by_lab.get(finding.lab_id, quality)
        at = _when(on, 16)
        set_time(db.session, at)
        set_comment(db.session, values.get("comment"))
        apply_step(finding, steps[name], values, who, on, at)
        db.session.flush()


def _rectify(actor_by_lab, quality, rounds, goals=None):
    """Rectify the findings of `rounds`: to closed (the campaign's), or to the states in `goals`."""
    findings = db.session.scalars(
        select(Finding)
        .join(RoundFinding, RoundFinding.finding_id == Finding.id)
        .where(RoundFinding.round_id.in_([r.id for r in rounds]))
        .order_by(Finding.id)
    ).all()
    for n, finding in enumerate(findings):
        if goals is None:
            _walk(finding, ROUTE, actor_by_lab, quality, 9)
        else:
            goal = goals[n % len(goals)]
            _walk(finding, ROUTE[: ROUTE.index(goal) + 1] if goal in ROUTE else [], actor_by_lab, quality, 8)
    db.session.commit()


def load(labs: dict[str, Lab]) -> str:
    """Load the demo rounds (does nothing if they are there); labs keyed by code."""
    if db.session.scalar(select(func.count()).select_from(Round)):
        return "proficiency already loaded"
    return _load(labs)


def _load(labs: dict[str, Lab]) -> str:
    rng = random.Random(SEED)
    actor = db.session.scalar(select(User).where(User.username == "quality")) or next(
        (u for u in db.session.scalars(select(User).order_by(User.id)) if policy.may_manage(u)), None
    )
    by_kind: dict[str, list[str]] = {}
    for code in sorted(labs):
        by_kind.setdefault(labs[code].kind, []).append(code)
    tc = ["SC-TC"] if "SC-TC" in labs else []
    regional = by_kind.get(K.REGIONAL_LAB, [])
    pqi = by_kind.get(K.PRODUCT_QUALITY, [])
    metrology = by_kind.get(K.METROLOGY, [])
    fibre = by_kind.get(K.FIBRE, [])
    special = by_kind.get(K.SPECIAL_EQUIPMENT, [])
    enterprise = by_kind.get(K.ENTERPRISE, [])
    third = by_kind.get(K.THIRD_PARTY, [])

    ceramics = tc + regional + pqi + third
    # Planted outcomes: a third-party lab fails, a product-quality institute is questionable twice.
    fail_lab = third[-1] if third else None
    twice = pqi[-1] if pqi else None
    once = regional[0] if regional else None
    micro = tc + regional + [c for c in enterprise if c.endswith(("CDF", "YBL"))] + third[:1]
    textiles = tc + fibre + pqi[:3] + third[:2]
    covered = set(ceramics) | set(textiles) | set(micro) | {c for c in metrology if c != "SC-MTI"}
    electrical = tc + special + [c for c in enterprise if c not in micro] + pqi[:4]
    electrical += [c for c in sorted(labs) if c not in covered and c not in electrical]

    lead = _item("Lead (ceramics)")
    specs = [
        {
            "round": {
                "code": "BS-2010-01",
                "title": "盲样比对：陶瓷餐具铅溶出量 (Lead released from ceramic tableware)",
                "kind": "blind_sample",
                "organiser": "四川省质量技术监督局 认评处",
                "item_code": lead,
                "measurand": "Pb, 4 % acetic acid, 24 h",
                "unit": "mg/L",
                "opens_on": date(2010, 5, 10),
                "closes_on": date(2010, 6, 18),
                "assigned_value_method": "reference",
                "x_pt": 1.85,
                "u_x_pt": 0.02,
                "sigma_pt_method": "fixed",
                "sigma_pt": 0.185,
                "notes": "Formulated blind sample; sigma_pt = 10 % of x_pt (fitness for purpose).",
            },
            "participants": ceramics,
            "method": "GB/T 3534-2002 (FAAS)",
            "values": _values(rng, ceramics, 1.85, 0.185, {fail_lab: 3.7, twice: 2.45}, 3),
        },
        {
            "round": {
                "code": "BS-2010-02",
                "title": "盲样比对：纺织品甲醛含量 (Formaldehyde in textiles)",
                "kind": "blind_sample",
                "organiser": "四川省质量技术监督局 认评处",
                "item_code": _item("Formaldehyde (textiles)"),
                "measurand": "Free and hydrolysed formaldehyde",
                "unit": "mg/kg",
                "opens_on": date(2010, 7, 5),
                "closes_on": date(2010, 8, 13),
                "assigned_value_method": "consensus",
                "sigma_pt_method": "fixed",
                "sigma_pt": 11.7,
                "notes": "Consensus value (Algorithm A); sigma_pt = 15 % of the expected level.",
            },
            "participants": textiles,
            "method": "GB/T 2912.1-2009",
            "values": _values(rng, textiles, 78.0, 7.0, {fibre[-1]: 3.6} if fibre else {}, 1, 11.7),
        },
        {
            "round": {
                "code": "BS-2010-03",
                "title": "盲样比对：乳粉菌落总数 (Aerobic plate count in milk powder)",
                "kind": "blind_sample",
                "organiser": "四川省质量技术监督局 认评处",
                "item_code": _item("Aerobic plate count (food)"),
                "measurand": "Aerobic plate count",
                "unit": "log10 CFU/g",
                "opens_on": date(2010, 9, 6),
                "closes_on": date(2010, 10, 15),
                "assigned_value_method": "consensus",
                "sigma_pt_method": "robust_sd",
                "notes": "Fewer than 12 results: the consensus value is flagged as unreliable.",
            },
            "participants": micro,
            "method": "GB 4789.2-2010",
            "values": _values(rng, micro, 4.32, 0.12, {once: 2.6} if once else {}, 2),
        },
        {
            "round": {
                "code": "MC-2010-01",
                "title": "量值比对：1 kg 砝码质量 (Mass of a 1 kg stainless-steel weight)",
                "kind": "measurement_comparison",
                "organiser": "四川省计量测试研究院 (reference laboratory)",
                "measurand": "Conventional mass deviation from 1 kg",
                "unit": "mg",
                "opens_on": date(2010, 4, 12),
                "closes_on": date(2010, 6, 30),
                "assigned_value_method": "reference_lab",
                "x_pt": 0.52,
                "u_x_pt": 0.08,
                "score_basis": "en",
                "notes": "Circulated artefact, reference value of the provincial metrology institute (U = 0.16 mg, k = 2).",
            },
            "participants": [c for c in metrology if c != "SC-MTI"] + tc + special[:1],
            "method": "JJG 99-2006, E2 comparator",
            "values": None,
        },
        {
            "round": {
                "code": "BS-2011-01",
                "title": "盲样比对：陶瓷餐具铅溶出量（第二轮）(Lead released from ceramic tableware, round 2)",
                "kind": "blind_sample",
                "organiser": "四川省质量技术监督局 认评处",
                "item_code": lead,
                "measurand": "Pb, 4 % acetic acid, 24 h",
                "unit": "mg/L",
                "opens_on": date(2011, 3, 7),
                "closes_on": date(2011, 4, 15),
                "assigned_value_method": "reference",
                "x_pt": 0.92,
                "u_x_pt": 0.012,
                "sigma_pt_method": "fixed",
                "sigma_pt": 0.092,
            },
            "participants": ceramics,
            "method": "GB/T 3534-2002 (FAAS)",
            "values": _values(
                rng, ceramics, 0.92, 0.092, {twice: -2.55, third[0]: 3.3} if third else {twice: -2.55}, 3
            ),
        },
        {
            "round": {
                "code": "BS-2010-04",
                "title": "盲样比对：家用电器泄漏电流 (Leakage current of household appliances)",
                "kind": "blind_sample",
                "organiser": "四川省质量技术监督局 认评处",
                "item_code": _item("Leakage current (household electrical appliances)"),
                "measurand": "Leakage current at 1.06 × rated voltage",
                "unit": "mA",
                "opens_on": date(2010, 10, 11),
                "closes_on": date(2010, 11, 19),
                "assigned_value_method": "consensus",
                "sigma_pt_method": "fixed",
                "sigma_pt": 0.024,
            },
            "participants": electrical,
            "method": "GB 4706.1-2005 clause 13",
            "values": _values(rng, electrical, 0.238, 0.012, {electrical[-1]: -3.8}, 3, 0.024),
        },
        {
            "round": {
                "code": "CNAS-T0476",
                "title": "CNAS 能力验证：大米中总砷 (CNAS T0476 Total arsenic in rice)",
                "kind": "proficiency_test",
                "organiser": "CNAS",
                "item_code": _item("Total arsenic (food)"),
                "measurand": "Total arsenic",
                "unit": "mg/kg",
                "opens_on": date(2011, 9, 1),
                "closes_on": date(2011, 10, 20),
                "assigned_value_method": "reference",
                "x_pt": 0.218,
                "u_x_pt": 0.004,
                "sigma_pt_method": "fixed",
                "sigma_pt": 0.024,
                "notes": "External PT: assigned value and sigma_pt as reported by CNAS (robust mean of 132 participants).",
            },
            "participants": tc,
            "method": "GB/T 5009.11-2003 (HG-AFS)",
            "values": {"SC-TC": 0.226} if tc else {},
        },
    ]
    # The items' homogeneity studies (their own random numbers: the results above stay as they were);
    # the formaldehyde items fail (s_s about 5.5 mg/kg > 0.3 x 11.7) and the round runs with sigma_pt widened.
    hrng = random.Random(SEED + 15)
    specs[0]["homogeneity"] = (_replicates(hrng, 1.85, 0.006, 0.010, 3), None)
    specs[0]["stability"] = ([1.852, 1.848, 1.851], [1.846, 1.853, 1.849], None)
    specs[1]["homogeneity"] = (_replicates(hrng, 78.0, 6.0, 1.2, 1), None)
    specs[2]["homogeneity"] = (_replicates(hrng, 4.32, 0.02, 0.04, 2), 0.25)
    specs[5]["homogeneity"] = (_replicates(hrng, 0.238, 0.0015, 0.002, 4), None)
    # A qualitative microbiology round on the same shipment: Salmonella detected / not detected.
    if micro:
        answers = {code: "detected" for code in micro}
        answers[micro[-1]] = "not_detected"  # a false negative: a finding when published
        specs.append({
            "round": {
                "code": "BS-2010-05",
                "title": "盲样比对：乳粉中沙门氏菌 (Salmonella in milk powder, detected / not detected)",
                "kind": "blind_sample", "organiser": "四川省质量技术监督局 认评处",
                "item_code": _item("Salmonella (food)"), "measurand": "Salmonella in 25 g", "unit": "",
                "opens_on": date(2010, 9, 6), "closes_on": date(2010, 10, 15),
                "assigned_value_method": "reference", "sigma_pt_method": "fixed",
                "notes": "Qualitative: spiked with S. Enteritidis at about 10 CFU / 25 g.",
            },
            "participants": micro, "method": "GB 4789.4-2010",
            "design": {"result_type": "qualitative", "assigned_answer": "detected"},
            "values": answers,
        })  # fmt: skip
    # A split-level round: two related lead items (levels A and B) per lab, read on a Youden plot (its
    # own random numbers, so the rounds above keep theirs); one lab high on both levels (systematic
    # error), one high on A and low on B (random error). Each level is scored on its own.
    split_labs = list(specs[0]["participants"])
    if len(split_labs) >= 5:
        yrng = random.Random(SEED + 16)
        split_values, split_extra = {}, {}
        for i, code in enumerate(split_labs):
            bias = yrng.gauss(0, 0.05)
            level_a, level_b = 1.20 + bias + yrng.gauss(0, 0.02), 1.50 + 1.25 * bias + yrng.gauss(0, 0.025)
            if i == 1:
                level_a, level_b = level_a + 0.35, level_b + 0.44
            elif i == 3:
                level_a, level_b = level_a + 0.25, level_b - 0.30
            split_values[code], split_extra[code] = round(level_a, 3), {"value_b": round(level_b, 3)}
        specs.append({
            "round": {
                "code": "BS-2010-06",
                "title": "盲样比对：陶瓷餐具铅溶出量，双水平 (Lead released from ceramic tableware, split levels A and B)",
                "kind": "blind_sample", "organiser": "四川省质量技术监督局 认评处",
                "item_code": lead, "measurand": "Pb, 4 % acetic acid, 24 h", "unit": "mg/L",
                "opens_on": date(2010, 10, 11), "closes_on": date(2010, 11, 12),
                "assigned_value_method": "reference", "x_pt": 1.20, "u_x_pt": 0.015,
                "sigma_pt_method": "fixed", "sigma_pt": 0.12, "split_level": True,
                "x_pt_b": 1.50, "u_x_pt_b": 0.018, "sigma_pt_b": 0.15,
                "notes": "Split-level pair: level A about 1.20 mg/L, level B about 1.50 mg/L; each level scored "
                "against its own assigned value.",
            },
            "participants": split_labs, "method": "GB/T 3534-2002",
            "values": split_values, "extra": split_extra,
        })  # fmt: skip
    # The measurement-value comparison: deviations with expanded uncertainties (k = 2).
    mc = specs[3]
    mc_values, mc_extra = {}, {}
    for i, code in enumerate(mc["participants"]):
        U = round(rng.choice([0.15, 0.2, 0.25, 0.3, 0.4]), 2)
        dev = 0.52 + (0.62 if i == 1 else max(-0.8, min(0.8, rng.gauss(0, 0.4))) * U)
        mc_values[code] = round(dev, 3)
        mc_extra[code] = {"expanded_uncertainty": U, "coverage_factor": 2}
    mc["values"], mc["extra"] = mc_values, mc_extra

    made = []
    for spec in specs:
        if spec["participants"]:
            made.append(_run(spec, labs, actor, rng))
    history = list(made)
    managers = {u.lab_id: u for u in db.session.scalars(select(User).order_by(User.id)) if is_lab_manager(u)}
    _rectify(managers, actor, history)
    made += _present(labs, actor, rng, managers, tc, regional, pqi, textiles, micro, metrology)
    set_time(db.session, None)
    findings = db.session.scalar(select(func.count()).select_from(RoundFinding))
    result_count = db.session.scalar(select(func.count()).select_from(Result))
    return f"{len(made)} rounds, {result_count} results, {findings} findings raised from rounds"


def _present(labs, actor, rng, managers, tc, regional, pqi, textiles, micro, metrology) -> list[Round]:
    """This year's rounds, dated from today: one published (its findings being rectified), one open,
    one closing in three days, one planned."""
    now = today()
    y = now.year
    start = max(now - timedelta(days=110), date(2011, 1, 1))  # never back into the 2010 campaign
    lead = _item("Lead (food)")
    published_labs = tc + regional + pqi[:6]
    bad = published_labs[-1:] + published_labs[1:2]
    published = {
        "round": {"code": f"BS-{y}-07", "title": "盲样比对：食品中铅 (Lead in food)", "kind": "blind_sample",
                  "organiser": "四川省质量技术监督局 认评处", "item_code": lead, "measurand": "Pb",
                  "unit": "mg/kg", "opens_on": start, "closes_on": start + timedelta(days=30),
                  "assigned_value_method": "reference", "x_pt": 0.305, "u_x_pt": 0.005,
                  "sigma_pt_method": "fixed", "sigma_pt": 0.046},
        "participants": published_labs, "method": "GB 5009.12-2010 (GFAAS)",
        "values": _values(rng, published_labs, 0.305, 0.03, {bad[0]: 3.7, bad[-1]: -3.9}, 3, 0.046),
    }  # fmt: skip
    rnd = _run(published, labs, actor, rng)
    _rectify(managers, actor, [rnd], goals=["accept_plan", "submit_evidence"])
    made = [rnd]
    open_now = {
        "round": {"code": f"BS-{y}-08", "title": "盲样比对：纺织品甲醛含量 (Formaldehyde in textiles)",
                  "kind": "blind_sample", "organiser": "四川省质量技术监督局 认评处",
                  "item_code": _item("Formaldehyde (textiles)"), "measurand": "Free and hydrolysed formaldehyde",
                  "unit": "mg/kg", "opens_on": now - timedelta(days=20), "closes_on": now + timedelta(days=25),
                  "assigned_value_method": "consensus", "sigma_pt_method": "fixed", "sigma_pt": 11.7},
        "participants": textiles, "method": "GB/T 2912.1-2009",
        "values": _values(rng, textiles[:3], 78.0, 7.0, {}, 1),
    }  # fmt: skip
    made.append(_run(open_now, labs, actor, rng, stop_at="open"))
    closing = {
        "round": {"code": f"BS-{y}-09", "title": "盲样比对：乳粉菌落总数 (Aerobic plate count in milk powder)",
                  "kind": "blind_sample", "organiser": "四川省质量技术监督局 认评处",
                  "item_code": _item("Aerobic plate count (food)"), "measurand": "Aerobic plate count",
                  "unit": "log10 CFU/g", "opens_on": now - timedelta(days=40), "closes_on": now + timedelta(days=3),
                  "assigned_value_method": "reference", "x_pt": 4.30, "u_x_pt": 0.02,
                  "sigma_pt_method": "fixed", "sigma_pt": 0.25},
        "participants": micro, "method": "GB 4789.2-2022",
        "values": _values(rng, micro[: max(1, len(micro) // 2)], 4.30, 0.12, {}, 2),
    }  # fmt: skip
    made.append(_run(closing, labs, actor, rng, stop_at="open"))
    opens = now + timedelta(days=30)
    planned = {
        "round": {"code": f"MC-{opens.year}-05", "title": "量值比对：100 mL 单标线容量瓶 (Volume of a 100 mL flask)",
                  "kind": "measurement_comparison", "organiser": "四川省计量测试研究院",
                  "measurand": "Volume at 20 °C", "unit": "mL", "opens_on": opens,
                  "closes_on": opens + timedelta(days=90), "assigned_value_method": "reference_lab",
                  "score_basis": "en"},
        "participants": [c for c in metrology if c != "SC-MTI"],
    }  # fmt: skip
    if planned["participants"]:
        made.append(_run(planned, labs, actor, rng, stop_at="planned"))
    return made
