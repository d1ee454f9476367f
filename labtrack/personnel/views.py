"""The personnel area's pages (blueprint `personnel`, under /personnel) and the template globals
its partials, and other areas' pages, use.

The routes live in `pages_people`, `pages_training`, `pages_exams` and `pages_reports`; importing
them here registers them on `bp`.
"""

from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from labtrack import cache
from labtrack.models_base import today
from labtrack.personnel import (  # noqa: F401  (their routes register on bp)
    authorisations,
    links,
    pages_exams,
    pages_people,
    pages_reports,
    pages_training,
    people,
    policy,
    reports,
    training,
)
from labtrack.personnel.blueprint import bp
from labtrack.personnel.models import (
    ACTIVITY_LABELS,
    AUTH_BASIS_LABELS,
    AUTH_STATUS_LABELS,
    EXAM_KIND_LABELS,
    ORGANISER_LABELS,
    POST_LABELS,
    SITTING_LABELS,
)
from labtrack.templating import HISTORY_TABLE_LABELS

__all__ = ["bp"]

# What the history of a record calls the personnel tables (the core's table of labels is extended,
# not copied: the history pages of every area read it).
HISTORY_TABLE_LABELS.update(
    {
        "persons": _l("person"),
        "person_posts": _l("post"),
        "training_sessions": _l("training session"),
        "training_attendances": _l("attendance"),
        "exams": _l("exam"),
        "exam_labs": _l("laboratory required to sit"),
        "exam_posts": _l("post required to sit"),
        "exam_results": _l("exam result"),
        "authorisations": _l("authorisation"),
        "finding_persons": _l("person concerned"),
        "result_analysts": _l("analyst"),
    }
)


def _label(labels: dict, value: Any) -> str:
    return str(labels.get(value, value or ""))


@bp.app_template_global()
def personnel_label(kind: str, value: Any) -> str:
    """A personnel value in the user's language: kind is post, organiser, exam_kind, sitting,
    activity, basis or status."""
    tables = {
        "post": POST_LABELS,
        "organiser": ORGANISER_LABELS,
        "exam_kind": EXAM_KIND_LABELS,
        "sitting": SITTING_LABELS,
        "activity": ACTIVITY_LABELS,
        "basis": AUTH_BASIS_LABELS,
        "status": AUTH_STATUS_LABELS,
    }
    return _label(tables.get(kind, {}), value)


@bp.app_template_global()
def personnel_post_choices() -> list[tuple[str, str]]:
    """Every post as (code, label) for filters and forms."""
    return [(p.value, str(label)) for p, label in POST_LABELS.items()]


@bp.app_template_global()
def personnel_sees(lab) -> bool:
    """Whether the signed-in user may see the people of this lab (for other areas' pages)."""
    return current_user.is_authenticated and lab is not None and policy.sees_lab(current_user, lab.id)


@bp.app_template_global()
def authorisation_coverage(lab_id: int, on: date | None = None) -> list[dict[str, Any]]:
    """Per item the lab holds on a day (today): who may perform it, who may sign, and `covered`."""
    return authorisations.authorisation_coverage(lab_id, on)


@bp.app_template_global()
def personnel_coverage(lab, on: date | None = None) -> dict[str, Any] | None:
    """The lab's coverage summary (items, covered, gaps, rows, and `by_item` keyed by item code),
    or None when the user may not see the lab's people."""
    if not personnel_sees(lab):
        return None
    summary = authorisations.coverage_summary(lab.id, on)
    summary["by_item"] = {row["item_code"]: row for row in summary["rows"]}
    return summary


@bp.app_template_global()
def personnel_finding_persons(finding) -> dict[str, Any] | None:
    """For templates/personnel/_finding_persons.html on a finding's page: the persons it names and
    whether the user may name them (None: not a personnel finding, or not the user's to see)."""
    if (
        finding is None
        or str(finding.area) != policy.PERSONNEL_AREA
        or not current_user.is_authenticated
        or not policy.sees_finding_persons(current_user, finding)
    ):
        return None
    return {
        "persons": links.persons_of_finding(finding.id),
        "may_name": policy.may_name_persons(current_user, finding),
    }


@bp.app_template_global()
def personnel_analysts(results) -> dict[int, Any]:
    """For a round's results table: result id -> the analyst named (only for results of labs whose
    people the user sees). `results`: records or dicts with `id` (and `lab_id` or `lab_code`)."""
    if not current_user.is_authenticated:
        return {}
    ids = [r["id"] if isinstance(r, dict) else r.id for r in results]
    return {
        result_id: person
        for result_id, person in links.analysts_of(ids).items()
        if policy.sees_person(current_user, person)
    }


@bp.app_template_global()
def personnel_panel(lab) -> dict[str, Any] | None:
    """For templates/personnel/_lab_panel.html: headcount by post, this year's training, the
    authorisation gaps of the lab's scope (None when the user may not see the lab's people)."""
    if not personnel_sees(lab):
        return None
    # Counts only (nothing that depends on who asks): reused until the data changes (labtrack.cache).
    locale = str(get_locale())  # the posts' labels
    return cache.cached(
        "personnel.lab_panel", lab.id, today(), locale, compute=lambda: _panel_figures(lab.id)
    )


def _panel_figures(lab_id: int) -> dict[str, Any]:
    staff = people.staff_of(lab_id)
    posts: dict[str, int] = {}
    for person in staff:
        for post in person.post_codes:
            posts[post] = posts.get(post, 0) + 1
    year = training.current_year()
    hours = training.hours_in_year([p.id for p in staff], year)
    coverage = authorisations.coverage_summary(lab_id)
    return {
        "headcount": len(staff),
        "posts": [(p.value, str(POST_LABELS[p]), posts[p.value]) for p in POST_LABELS if p.value in posts],
        "year": year,
        "hours": sum(hours.values()),
        "trained": len(hours),
        "coverage": coverage,
    }


@bp.app_template_global()
def personnel_dashboard() -> dict[str, Any]:
    """For templates/personnel/_dashboard.html: this year's training and the exams to come (a lab
    manager: their own lab's)."""
    scope = policy.confined_lab(current_user)
    year = training.current_year()
    f = reports.Filters(date(year, 1, 1), date(year, 12, 31), scope=scope)
    totals = reports.training_totals(f)
    lab = people.get_lab_by_id(scope) if scope not in (None, -1) else None
    gaps = authorisations.coverage_summary(lab.id)["gaps"] if lab is not None else None
    return {
        "year": year,
        "sessions": totals["sessions"],
        "attendances": totals["attendances"],
        "upcoming": reports.upcoming_exams(scope, limit=3),
        "lab": lab,
        "gaps": gaps,
        "headcount": people.headcount(lab.id) if lab is not None else None,
    }
