"""Rerun a labtrack draw from its record, written from docs/draw.md alone (standard library only;
it imports nothing of labtrack, so it shows the document is enough).

    python3 rerun_draw.py draw-FC-2010.json [--check]

The record is what the plan page's "draw record (JSON)" gives: {"inputs": ..., "result": ...,
"digest": ...}. Prints {"labs": [...], "teams": {...}} as JSON; with --check, exits 1 when the
labs, the teams or the digest differ from the record's.
"""

import hashlib
import json
import sys


def H(*parts):
    """SHA-256 of the parts joined by U+001F, UTF-8, 64 lowercase hex digits (section 2)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class Refused(Exception):
    """The draw is refused (sections 3 and 4)."""


def rerun(inputs):
    """Sections 3 and 4: the labs in rank order and each one's team, leader first."""
    seed = inputs["seed"]
    drawn, taken = [], set()
    for stratum in sorted(inputs["strata"], key=lambda s: s["position"]):
        position = stratum["position"]
        eligible = [lab for lab in stratum["population"] if lab["code"] not in taken]
        n = len(eligible)
        if stratum.get("quota") is not None:
            k = stratum["quota"]
        else:
            k = (n * stratum["ratio_bp"] + 9999) // 10000
        if k > n:
            raise Refused(f"stratum {position}: quota {k} larger than its {n} eligible labs")
        keyed = []
        for lab in eligible:
            key = max(H(seed, "lab", str(position), lab["code"], str(t)) for t in range(1, lab["weight"] + 1))
            keyed.append((key, lab))
        # largest key first; equal keys by code ascending
        keyed.sort(key=lambda pair: (_Desc(pair[0]), pair[1]["code"]))
        for _key, lab in keyed[:k]:
            drawn.append(lab)
            taken.add(lab["code"])
    load = {i["username"]: 0 for i in inputs["inspectors"]}
    teams = {}
    for lab in drawn:
        free = []
        for i in inputs["inspectors"]:
            if i.get("region") is not None and i["region"] == lab["region"]:
                continue
            if i.get("organisation") is not None and i["organisation"] == lab["code"]:
                continue
            if lab["code"] in (i.get("last_inspected") or []):
                continue
            free.append(i["username"])
        if len(free) < inputs["team_size"]:
            raise Refused(f"lab {lab['code']}: {len(free)} inspectors free of conflicts")
        # lowest load first; within a load, a partial Fisher-Yates shuffle of the names in order
        team, counter = [], 0
        for level in sorted({load[u] for u in free}):
            group = sorted(u for u in free if load[u] == level)
            while group and len(team) < inputs["team_size"]:
                counter += 1
                team.append(group.pop(int(H(seed, "team", lab["code"], str(counter)), 16) % len(group)))
            if len(team) == inputs["team_size"]:
                break
        for u in team:
            load[u] += 1
        teams[lab["code"]] = team
    return [lab["code"] for lab in drawn], teams


class _Desc:
    """Orders hex keys largest first inside an ascending sort."""

    def __init__(self, key):
        self.key = key

    def __lt__(self, other):
        return self.key > other.key

    def __eq__(self, other):
        return self.key == other.key


def digest(inputs):
    """Section 1: SHA-256 of the canonical JSON of the inputs."""
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        record = json.load(handle)
    labs, teams = rerun(record["inputs"])
    print(json.dumps({"labs": labs, "teams": teams}, ensure_ascii=False))
    if "--check" in argv:
        same = (
            labs == record["result"]["labs"]
            and teams == record["result"]["teams"]
            and digest(record["inputs"]) == record["digest"]
        )
        print("same as recorded" if same else "DIFFERENT from the record", file=sys.stderr)
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
