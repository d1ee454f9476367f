"""The draw (双随机: random labs, random inspectors) as docs/draw.md writes it down: a pure function
of the recorded inputs, standard library only, so that anyone can rerun it outside labtrack.

`run(inputs)` takes the inputs a draw records (seed, strata with their eligible labs and weights,
team size, inspectors with what they may not inspect) and returns the labs drawn, in order, and
each lab's team (leader first). It refuses, with `DrawRefused`, a quota larger than its stratum
and a lab for which fewer inspectors than the team size are free of conflicts. Nothing here reads
the database: the service gathers the inputs (`labtrack.planning.plans`), this computes.
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

ALGORITHM = "labtrack-draw-1"
SEPARATOR = "\x1f"  # the unit separator: no code, username or seed contains it
RATIO_SCALE = 10_000


@dataclass
class DrawRefused(Exception):
    """The draw cannot be made: `reason` is "quota" (a quota larger than its stratum) or "pool"
    (too few inspectors free of conflicts for a lab); `stratum` names the stratum (its position)."""

    reason: str
    stratum: int
    needed: int
    available: int
    lab: str | None = None

    def __str__(self) -> str:
        return f"{self.reason} in stratum {self.stratum}: needs {self.needed}, has {self.available}"


@dataclass
class Outcome:
    """What a draw gave: the labs in the order drawn, each lab's team (leader first), and detail."""

    labs: list[str] = field(default_factory=list)
    teams: dict[str, list[str]] = field(default_factory=dict)
    drawn: list[dict[str, Any]] = field(default_factory=list)  # code, stratum, rank, key
    strata: list[dict[str, Any]] = field(default_factory=list)  # position, eligible, quota, drawn
    conflicts: dict[str, list[list[str]]] = field(default_factory=dict)  # code -> [[username, why]]

    def as_dict(self) -> dict[str, Any]:
        """The outcome as JSON values."""
        return {
            "labs": self.labs,
            "teams": self.teams,
            "drawn": self.drawn,
            "strata": self.strata,
            "conflicts": self.conflicts,
        }


def digest(inputs: dict[str, Any]) -> str:
    """SHA-256 (hex) of the inputs written as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def h(*parts: str) -> str:
    """H(p1, ..., pn): SHA-256 of the parts joined by U+001F, in UTF-8, as 64 lowercase hex digits."""
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def lab_key(seed: str, position: int, code: str, weight: int) -> str:
    """A lab's drawing key in a stratum: the largest of `weight` hashes (a lab of weight w is as
    likely to be drawn as w labs of weight 1 together would be, for the first place)."""
    return max(h(seed, "lab", str(position), code, str(t)) for t in range(1, weight + 1))


def quota_of(stratum: dict[str, Any], eligible: int) -> int:
    """How many labs a stratum draws: its quota, or ceil(eligible x ratio) for a ratio."""
    if stratum.get("quota") is not None:
        return int(stratum["quota"])
    return (eligible * int(stratum["ratio_bp"]) + RATIO_SCALE - 1) // RATIO_SCALE


def conflict(inspector: dict[str, Any], lab: dict[str, Any]) -> str | None:
    """Why an inspector may not inspect a lab ("region", "organisation", "last_inspection"), or None."""
    if inspector.get("region") is not None and inspector["region"] == lab.get("region"):
        return "region"
    if inspector.get("organisation") is not None and inspector["organisation"] == lab["code"]:
        return "organisation"
    if lab["code"] in set(inspector.get("last_inspected") or ()):
        return "last_inspection"
    return None


def draw_labs(inputs: dict[str, Any], outcome: Outcome) -> list[tuple[dict[str, Any], int]]:
    """Step 1: the labs of each stratum in turn, a lab drawn once at most; (lab, stratum) pairs."""
    seed = inputs["seed"]
    taken: set[str] = set()
    picked: list[tuple[dict[str, Any], int]] = []
    for stratum in sorted(inputs["strata"], key=lambda s: s["position"]):
        position = int(stratum["position"])
        eligible = [lab for lab in stratum["population"] if lab["code"] not in taken]
        k = quota_of(stratum, len(eligible))
        if k > len(eligible):
            raise DrawRefused("quota", position, k, len(eligible))
        keyed = [(lab_key(seed, position, lab["code"], int(lab.get("weight", 1))), lab) for lab in eligible]
        # Largest key first; equal keys (never seen in practice) by code.
        keyed.sort(key=lambda pair: pair[1]["code"])
        keyed.sort(key=lambda pair: pair[0], reverse=True)
        for key, lab in keyed[:k]:
            taken.add(lab["code"])
            picked.append((lab, position))
            outcome.labs.append(lab["code"])
            outcome.drawn.append(
                {"code": lab["code"], "stratum": position, "rank": len(outcome.labs), "key": key}
            )
        outcome.strata.append({"position": position, "eligible": len(eligible), "quota": k, "drawn": k})
    return picked


def draw_teams(inputs: dict[str, Any], picked: list[tuple[dict[str, Any], int]], outcome: Outcome) -> None:
    """Step 2: each drawn lab, in the order drawn, gets its team from the inspectors free of
    conflicts: those with the fewest assignments so far first, each picked at random among them
    (a partial Fisher-Yates shuffle driven by H(seed, "team", code, 1), H(..., 2), ...); the first
    picked is the leader."""
    seed, size = inputs["seed"], int(inputs["team_size"])
    inspectors = sorted(inputs["inspectors"], key=lambda i: i["username"])
    names = [i["username"] for i in inspectors]
    load = dict.fromkeys(names, 0)
    # Who conflicts with what, indexed once: by region, by organisation, by last inspection.
    by_region: dict[str, list[str]] = {}
    by_organisation: dict[str, list[str]] = {}
    by_last: dict[str, list[str]] = {}
    for i in inspectors:
        if i.get("region") is not None:
            by_region.setdefault(i["region"], []).append(i["username"])
        if i.get("organisation") is not None:
            by_organisation.setdefault(i["organisation"], []).append(i["username"])
        for code in set(i.get("last_inspected") or ()):
            by_last.setdefault(code, []).append(i["username"])
    for lab, position in picked:
        code = lab["code"]
        why: dict[str, str] = {}
        for reason, index, value in (
            ("last_inspection", by_last, code),
            ("organisation", by_organisation, code),
            ("region", by_region, lab.get("region")),
        ):
            for name in index.get(value, ()) if value is not None else ():
                why[name] = reason  # the first reason of conflict() wins: region, organisation, last
        free = [name for name in names if name not in why]
        if len(free) < size:
            raise DrawRefused("pool", position, size, len(free), code)
        team: list[str] = []
        counter = 0
        for level in sorted({load[name] for name in free}):
            group = [name for name in free if load[name] == level]  # in username order
            while group and len(team) < size:
                counter += 1
                team.append(group.pop(int(h(seed, "team", code, str(counter)), 16) % len(group)))
            if len(team) == size:
                break
        for name in team:
            load[name] += 1
        outcome.teams[code] = team
        excluded = [[name, why[name]] for name in names if name in why]
        if excluded:
            outcome.conflicts[code] = excluded


def run(inputs: dict[str, Any]) -> Outcome:
    """The whole draw from its recorded inputs (docs/draw.md); raises DrawRefused."""
    outcome = Outcome()
    picked = draw_labs(inputs, outcome)
    draw_teams(inputs, picked, outcome)
    return outcome
