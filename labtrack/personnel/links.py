"""The personnel side of the links to other areas: the persons concerned by a finding (area
"personnel and training") and the analyst of a comparison result, and what those links put on a
person's record."""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.audits.models import Finding
from labtrack.extensions import db
from labtrack.personnel import policy
from labtrack.personnel.models import FindingPerson, Person, ResultAnalyst
from labtrack.proficiency.models import Result, Round
from labtrack.services import Forbidden, InvalidInput, load, transaction


def get_finding(actor: Any, finding_id: int) -> Finding:
    """A finding whose named persons the actor may see (else 404)."""
    return load(
        Finding, finding_id, visible=lambda f: policy.sees_finding_persons(actor, f), what=_("finding")
    )


def get_result(actor: Any, result_id: int) -> Result:
    """A comparison result whose analyst the actor may see (else 404)."""
    return load(Result, result_id, visible=lambda r: policy.sees_result_analyst(actor, r), what=_("result"))


def persons_of_finding(finding_id: int) -> list[Person]:
    """The persons named in a finding, by name."""
    stmt = (
        select(Person)
        .join(FindingPerson, FindingPerson.person_id == Person.id)
        .where(FindingPerson.finding_id == finding_id)
        .order_by(Person.name)
    )
    return list(db.session.scalars(stmt))


def _ids(value: Any) -> list[int]:
    if parsing.is_blank(value) or value == []:
        return []
    items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
    return list(dict.fromkeys(parsing.integer(v, minimum=1, maximum=parsing.INT_MAX) for v in items))


def set_finding_persons(actor: Any, finding: Finding, person_ids: Any) -> list[Person]:
    """Name exactly these persons (of the finding's lab) as concerned by the finding."""
    if not policy.may_name_persons(actor, finding):
        if policy.sees_finding_persons(actor, finding) and str(finding.area) != policy.PERSONNEL_AREA:
            raise InvalidInput(
                _("Only a finding of the area personnel and training names persons."),
                {"person_ids": [_("This finding is of another area.")]},
            )
        raise Forbidden(_("You may not name the persons concerned by this finding."))
    try:
        ids = _ids(person_ids)
    except parsing.ParseError as exc:
        raise InvalidInput(_("The persons could not be named."), {"person_ids": [str(exc.message)]}) from None
    people = list(db.session.scalars(select(Person).where(Person.id.in_(ids)))) if ids else []
    strangers = sorted(set(ids) - {p.id for p in people if p.lab_id == finding.lab_id})
    if strangers:
        raise InvalidInput(
            _("The persons could not be named."),
            {
                "person_ids": [
                    _("Not people of the finding's laboratory: %(ids)s.", ids=", ".join(map(str, strangers)))
                ]
            },
        )
    existing = {
        link.person_id: link
        for link in db.session.scalars(select(FindingPerson).where(FindingPerson.finding_id == finding.id))
    }
    with transaction(actor):
        for person_id, link in existing.items():
            if person_id not in ids:
                db.session.delete(link)
        for person_id in ids:
            if person_id not in existing:
                db.session.add(FindingPerson(finding_id=finding.id, person_id=person_id))
    return persons_of_finding(finding.id)


def analyst_of(result_id: int) -> Person | None:
    """The analyst named for a result, if any."""
    return db.session.scalar(
        select(Person)
        .join(ResultAnalyst, ResultAnalyst.person_id == Person.id)
        .where(ResultAnalyst.result_id == result_id)
    )


def analysts_of(result_ids: list[int]) -> dict[int, Person]:
    """The analysts named for many results at once: result id -> person."""
    if not result_ids:
        return {}
    stmt = (
        select(ResultAnalyst.result_id, Person)
        .join(Person, ResultAnalyst.person_id == Person.id)
        .where(ResultAnalyst.result_id.in_(result_ids))
    )
    return dict(db.session.execute(stmt).all())


def set_analyst(actor: Any, result: Result, person_id: Any) -> Person | None:
    """Name the lab's person who produced the result (None: nobody named)."""
    if not policy.may_name_analyst(actor, result):
        raise Forbidden(_("You may not name the analyst of this result."))
    try:
        pid = parsing.integer(person_id, required=False, minimum=1, maximum=parsing.INT_MAX)
    except parsing.ParseError as exc:
        raise InvalidInput(_("The analyst could not be named."), {"person_id": [str(exc.message)]}) from None
    person = db.session.get(Person, pid) if pid is not None else None
    if pid is not None and (person is None or person.lab_id != result.lab_id):
        raise InvalidInput(
            _("The analyst could not be named."),
            {"person_id": [_("Not a person of the result's laboratory.")]},
        )
    link = db.session.scalar(select(ResultAnalyst).where(ResultAnalyst.result_id == result.id))
    with transaction(actor):
        if person is None:
            if link is not None:
                db.session.delete(link)
        elif link is None:
            db.session.add(ResultAnalyst(result_id=result.id, person_id=person.id))
        else:
            link.person_id = person.id
    return person


def person_findings(person: Person) -> list[Finding]:
    """The findings that name the person, newest first."""
    stmt = (
        select(Finding)
        .join(FindingPerson, FindingPerson.finding_id == Finding.id)
        .where(FindingPerson.person_id == person.id)
        .order_by(Finding.raised_on.desc(), Finding.id.desc())
    )
    return list(db.session.scalars(stmt))


def person_results(actor: Any, person: Person) -> list[dict[str, Any]]:
    """The comparison results the person produced, newest first (score and grade as the actor may see them)."""
    stmt = (
        select(Result, Round)
        .join(ResultAnalyst, ResultAnalyst.result_id == Result.id)
        .join(Round, Result.round_id == Round.id)
        .where(ResultAnalyst.person_id == person.id)
        .order_by(Round.closes_on.desc(), Round.id.desc())
    )
    rows = []
    for result, rnd in db.session.execute(stmt):
        graded = policy.sees_grade(actor, rnd.status)
        rows.append(
            {
                "result_id": result.id,
                "round_code": rnd.code,
                "round_title": rnd.title,
                "closes_on": rnd.closes_on,
                "value": result.value,
                "unit": rnd.unit,
                "score": result.score if graded else None,
                "score_kind": result.score_kind if graded else None,
                "grade": result.grade if graded else None,
                "grade_label": result.grade_label if graded else "",
            }
        )
    return rows


def candidate_analysts(result: Result) -> list[Person]:
    """The people of the result's lab who worked there while the round was open, by name."""
    rnd = result.round
    stmt = select(Person).where(Person.lab_id == result.lab_id).order_by(Person.name)
    day = rnd.closes_on or rnd.opens_on
    people = list(db.session.scalars(stmt))
    return [p for p in people if day is None or p.employed_on(day)] or people


def findings_for_lab(lab_id: int, limit: int = 50) -> list[Finding]:
    """The lab's findings of the area personnel and training, newest first (to name persons in)."""
    stmt = (
        select(Finding)
        .where(Finding.lab_id == lab_id, Finding.area == policy.PERSONNEL_AREA)
        .order_by(Finding.raised_on.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
