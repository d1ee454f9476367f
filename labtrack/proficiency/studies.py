"""Homogeneity and stability studies of a round's items: entered as text or imported, checked, stored.

The computation is `stats.homogeneity` / `stats.stability`; this module parses what the provider
typed or uploaded, refuses what ISO 13528 does not accept (with the row or line and what is
required), stores the study with its figures in one unit of work, and says how a failed check changes
the evaluation (sigma_pt widened, u(x_pt) increased).
"""

import io
import re
from typing import IO, Any

from flask_babel import gettext as _

from labtrack import parsing
from labtrack.extensions import db
from labtrack.proficiency import policy, stats
from labtrack.proficiency.models import HomogeneityStudy, Round, SigmaMethod, StabilityStudy
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, transaction
from labtrack.tabular import TabularError, read_table

HOMOGENEITY_COLUMNS = ["item", "replicate", "value"]
STABILITY_COLUMNS = ["phase", "value"]
PHASES = {"before": "before", "after": "after", "前": "before", "后": "after"}
MAX_STUDY_VALUES = 2_000  # no homogeneity study measures more; a larger file is a mistake
MAX_FILE_BYTES = 2 * 1024 * 1024
_SPLIT = re.compile(r"[\s,;，；]+")


def _number(text: str, where: str) -> float:
    try:
        return parsing.number(text)
    except parsing.ParseError:
        raise ValueError(_("%(where)s: “%(text)s” is not a number.", where=where, text=text)) from None


def parse_replicate_lines(text: str, field: str = "replicates") -> list[list[float]]:
    """One item per line, its replicate results separated by spaces, tabs, commas or semicolons."""
    rows: list[list[float]] = []
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        cells = [c for c in _SPLIT.split(line.strip()) if c]
        if not cells:
            continue
        try:
            rows.append([_number(c, _("Line %(n)s", n=number)) for c in cells])
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise InvalidInput(_("Some replicate results are not numbers."), {field: errors})
    return rows


def parse_values(text: str, field: str) -> list[float]:
    """Values separated by spaces, tabs, commas, semicolons or new lines."""
    values: list[float] = []
    errors: list[str] = []
    for index, cell in enumerate((c for c in _SPLIT.split((text or "").strip()) if c), start=1):
        try:
            values.append(_number(cell, _("Value %(n)s", n=index)))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise InvalidInput(_("Some values are not numbers."), {field: errors})
    return values


def read_homogeneity_file(source: str | IO[bytes]) -> list[list[float]]:
    """A CSV or XLSX file with header item,replicate,value: one row per measurement, all or nothing."""
    items: dict[str, dict[int, float]] = {}
    errors: list[str] = []
    try:
        for row, cells in read_table(source, HOMOGENEITY_COLUMNS, max_bytes=MAX_FILE_BYTES):
            if row - 1 > MAX_STUDY_VALUES:
                raise InvalidInput(
                    _("A study holds at most %(n)s measurements.", n=MAX_STUDY_VALUES),
                    {"file": [_("Row %(row)s: too many rows.", row=row)]},
                )
            fields = parsing.Fields(cells)
            item = fields.get("item", parsing.code)
            replicate = fields.get("replicate", parsing.integer, minimum=1, maximum=MAX_STUDY_VALUES)
            value = fields.get("value", parsing.number)
            for column, messages in fields.errors.items():
                errors.extend(_("Row %(row)s, %(column)s: %(message)s", row=row, column=column, message=m)
                              for m in messages)  # fmt: skip
            if fields.errors:
                continue
            seen = items.setdefault(item, {})
            if replicate in seen:
                errors.append(_("Row %(row)s: item %(item)s has replicate %(r)s twice.", row=row, item=item,
                                r=replicate))  # fmt: skip
            seen[replicate] = value
    except TabularError as exc:
        raise InvalidInput(str(exc), {"file": [str(exc)]}) from exc
    if errors:
        raise InvalidInput(_("The file was not imported: nothing was stored."), {"file": errors})
    return [[reps[k] for k in sorted(reps)] for reps in items.values()]


def read_stability_file(source: str | IO[bytes]) -> tuple[list[float], list[float]]:
    """A CSV or XLSX file with header phase,value (phase before or after), all or nothing."""
    found: dict[str, list[float]] = {"before": [], "after": []}
    errors: list[str] = []
    try:
        for row, cells in read_table(source, STABILITY_COLUMNS, max_bytes=MAX_FILE_BYTES):
            phase = PHASES.get(cells["phase"].strip().lower())
            if phase is None:
                errors.append(_("Row %(row)s, phase: “before” or “after”.", row=row))
                continue
            try:
                found[phase].append(_number(cells["value"], _("Row %(row)s, value", row=row)))
            except ValueError as exc:
                errors.append(str(exc))
    except TabularError as exc:
        raise InvalidInput(str(exc), {"file": [str(exc)]}) from exc
    if errors:
        raise InvalidInput(_("The file was not imported: nothing was stored."), {"file": errors})
    return found["before"], found["after"]


def _sigma_pt(rnd: Round, given: float | None) -> float:
    """The sigma_pt the study is checked against: the one given, else the round's fixed sigma_pt."""
    if given is not None:
        if not given > 0:
            raise InvalidInput(_("sigma_pt must be greater than 0."), {"sigma_pt": [_("Greater than 0.")]})
        return float(given)
    if rnd.sigma_pt_method == SigmaMethod.FIXED and rnd.sigma_pt:
        return float(rnd.sigma_pt)
    message = _("The round has no fixed sigma_pt: give the sigma_pt the items are checked against.")
    raise InvalidInput(message, {"sigma_pt": [message]})


def _homogeneity_refusal(exc: ValueError) -> InvalidInput:
    text = str(exc)
    if "items" in text and "at least" in text:
        message = _(
            "ISO 13528 asks for at least %(g)s items drawn at random, each measured at least %(m)s times; "
            "%(found)s",
            g=stats.MIN_HOMOGENEITY_ITEMS, m=stats.MIN_REPLICATES, found=_("fewer items were given."),
        )  # fmt: skip
    elif "same number of replicates" in text:
        message = _(
            "Every item needs the same number of replicate results (a balanced design); the items have "
            "%(counts)s.",
            counts=text.rsplit("got ", 1)[-1],
        )  # fmt: skip
    elif "replicates" in text:
        message = _("Every item needs at least %(m)s replicate results.", m=stats.MIN_REPLICATES)
    else:
        message = _("The replicate results cannot be used: %(reason)s", reason=text)
    return InvalidInput(message, {"replicates": [message]})


def record_homogeneity(
    rnd: Round, replicates: Any, actor: Any, sigma_pt: float | None = None, notes: str | None = None
) -> HomogeneityStudy:
    """Check and store (or replace) the round's homogeneity study; only before the round opens."""
    if not policy.may_manage(actor):
        raise Forbidden(_("Only the quality department records homogeneity studies."))
    if not policy.may_record_homogeneity(actor, rnd):
        raise Conflict(_("The homogeneity study is recorded before the round opens."))
    used = _sigma_pt(rnd, sigma_pt)
    try:
        found = stats.homogeneity(replicates, used)
    except (TypeError, ValueError) as exc:
        raise _homogeneity_refusal(exc) from exc
    if found.g * found.m > MAX_STUDY_VALUES:
        raise InvalidInput(
            _("A study holds at most %(n)s measurements.", n=MAX_STUDY_VALUES),
            {"replicates": [_("Too many measurements.")]},
        )
    with transaction(actor, _("Homogeneity study recorded.")):
        study = rnd.homogeneity or HomogeneityStudy(round=rnd)
        study.replicates = [[float(v) for v in row] for row in replicates]
        study.sigma_pt = used
        for name in ("g", "m", "mean", "s_x", "s_w", "s_s", "criterion", "expanded_criterion"):
            setattr(study, name, getattr(found, name))
        study.passed, study.passed_expanded = bool(found.passed), bool(found.passed_expanded)
        study.notes = parsing.text(notes, max_len=2000) if notes else None
        study.entered_by_id = getattr(actor, "id", None)
        db.session.add(study)
    return study


def record_stability(
    rnd: Round, before: Any, after: Any, actor: Any, sigma_pt: float | None = None, notes: str | None = None
) -> StabilityStudy:
    """Check and store (or replace) the round's stability study; until the round is evaluated."""
    if not policy.may_manage(actor):
        raise Forbidden(_("Only the quality department records stability studies."))
    if not policy.may_record_stability(actor, rnd):
        raise Conflict(_("The stability study is recorded until the round is evaluated."))
    used = _sigma_pt(rnd, sigma_pt)
    errors: dict[str, list[str]] = {}
    for field, values in (("before", before), ("after", after)):
        if len(values) < stats.MIN_STABILITY_VALUES:
            errors[field] = [_("At least %(n)s results.", n=stats.MIN_STABILITY_VALUES)]
    if errors:
        raise InvalidInput(
            _(
                "A stability study needs at least %(n)s results before and %(n)s after.",
                n=stats.MIN_STABILITY_VALUES,
            ),
            errors,
        )
    try:
        found = stats.stability(before, after, used)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(str(exc), {"after": [str(exc)]}) from exc
    with transaction(actor, _("Stability study recorded.")):
        study = rnd.stability or StabilityStudy(round=rnd)
        study.before, study.after = [float(v) for v in before], [float(v) for v in after]
        study.sigma_pt = used
        for name in (
            "mean_before",
            "mean_after",
            "difference",
            "criterion",
            "u_difference",
            "expanded_criterion",
        ):
            setattr(study, name, getattr(found, name))
        study.passed, study.passed_expanded = bool(found.passed), bool(found.passed_expanded)
        study.notes = parsing.text(notes, max_len=2000) if notes else None
        study.entered_by_id = getattr(actor, "id", None)
        db.session.add(study)
    return study


def consequences(rnd: Round) -> list[str]:
    """What the studies change in the evaluation, in the reader's language (empty when both passed)."""
    said: list[str] = []
    hom, stab = rnd.homogeneity, rnd.stability
    if hom is not None and not hom.passed:
        if rnd.sigma_pt_method == SigmaMethod.ROBUST_SD:
            said.append(_(
                "The items failed the homogeneity check (s_s = %(s_s)s > 0.3 σpt = %(c)s). sigma_pt is the "
                "robust SD of the results, which already includes the between-item variation: not widened.",
                s_s=f"{hom.s_s:.4g}", c=f"{hom.criterion:.4g}",
            ))  # fmt: skip
        else:
            widened = stats.widened_sigma_pt(rnd.sigma_pt or hom.sigma_pt, hom.s_s)
            said.append(_(
                "The items failed the homogeneity check (s_s = %(s_s)s > 0.3 σpt = %(c)s). As ISO 13528 "
                "B.2.5 allows, the round runs with sigma_pt widened to √(σpt² + s_s²) = %(w)s.",
                s_s=f"{hom.s_s:.4g}", c=f"{hom.criterion:.4g}", w=f"{widened:.4g}",
            ))  # fmt: skip
    if stab is not None and not stab.passed:
        said.append(_(
            "The items failed the stability check (|D| = %(d)s > 0.3 σpt = %(c)s): u(x_pt) includes the "
            "instability |D| / √3 = %(u)s.",
            d=f"{abs(stab.difference):.4g}", c=f"{stab.criterion:.4g}", u=f"{abs(stab.difference) / 3**0.5:.4g}",
        ))  # fmt: skip
    return said


def text_of(study: HomogeneityStudy) -> str:
    """The replicates as the entry form shows them: one item per line."""
    out = io.StringIO()
    for row in study.replicates:
        out.write(" ".join(f"{v:g}" for v in row) + "\n")
    return out.getvalue()


def homogeneity_input(text: str | None, files: list[tuple[str, bytes]]) -> list[list[float]]:
    """The replicates from an uploaded file if one was chosen, else from the typed lines."""
    if files:
        return read_homogeneity_file(io.BytesIO(files[0][1]))
    rows = parse_replicate_lines(text or "")
    if not rows:
        message = _("Enter the replicate results or choose a file.")
        raise InvalidInput(message, {"replicates": [message]})
    return rows


def stability_input(
    before: str | None, after: str | None, files: list[tuple[str, bytes]]
) -> tuple[list[float], list[float]]:
    """The results before and after from an uploaded file if one was chosen, else as typed."""
    if files:
        return read_stability_file(io.BytesIO(files[0][1]))
    return parse_values(before or "", "before"), parse_values(after or "", "after")


def seen_homogeneity(rnd: Round, actor: Any) -> HomogeneityStudy:
    """The round's homogeneity study as the actor may read it (404 if not recorded or not yet shown)."""
    if not policy.sees_studies(actor, rnd) or rnd.homogeneity is None:
        raise NotFound(_("No homogeneity study recorded."))
    return rnd.homogeneity


def seen_stability(rnd: Round, actor: Any) -> StabilityStudy:
    """The round's stability study as the actor may read it (404 if not recorded or not yet shown)."""
    if not policy.sees_studies(actor, rnd) or rnd.stability is None:
        raise NotFound(_("No stability study recorded."))
    return rnd.stability
