"""Surveys (问卷): questionnaires with scale and choice questions in both languages, campaigns with
their audience and copies issued, returned questionnaires entered one by one, and the results.

A returned questionnaire's answers are written with one Core insert per table and one history row
per questionnaire (listing its answers), the same way whether entered or imported. A survey never
has more questionnaires returned than copies issued. A questionnaire's questions stop changing once
any survey of it has answers.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import selectinload

from labtrack import parsing
from labtrack.extensions import db
from labtrack.history.tracking import record_bulk
from labtrack.labs.models import Lab
from labtrack.models_base import today
from labtrack.parsing import Fields, ParseError
from labtrack.records import policy
from labtrack.records.models import (
    Audience,
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    ResponseSource,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from labtrack.records.values import CHOICES_MAX, KEY_MAX, SCALE_SPAN_MAX, TEXT_ZH_MAX, like, search_text
from labtrack.services import Conflict, Forbidden, InvalidInput, NotFound, load, transaction

RESERVED_KEYS = {"sheet", "returned_on"}  # the fixed columns of the answers file
LABEL_MAX = 60
SHEET_MAX = 32


def _may_read(actor: Any) -> None:
    if not policy.sees_surveys(actor):
        raise Forbidden(_("You may not read surveys."))


def _may_manage(actor: Any) -> None:
    if not policy.may_manage_surveys(actor):
        raise Forbidden(_("Only the quality department runs surveys."))


def _key(value: str) -> str:
    return parsing.code_key(value)


# --- questionnaires --------------------------------------------------------------------------


def questionnaires_query(actor: Any) -> Select:
    """Every questionnaire, newest first."""
    _may_read(actor)
    stmt = select(Questionnaire).options(selectinload(Questionnaire.questions))
    return stmt.order_by(Questionnaire.created_at.desc(), Questionnaire.id.desc())


def get_questionnaire(actor: Any, questionnaire_id: int) -> Questionnaire:
    """One questionnaire (NotFound if there is none, or the actor may not read surveys)."""
    return load(
        Questionnaire,
        questionnaire_id,
        visible=lambda _q: policy.sees_surveys(actor),
        what=_("questionnaire"),
    )


def questionnaire_by_code(actor: Any, code: str) -> Questionnaire:
    """The questionnaire with this code."""
    key = _key(code) if isinstance(code, str) else None
    return _by_key(Questionnaire, key, actor, _("questionnaire"))


def _by_key(model: Any, key: str | None, actor: Any, what: str) -> Any:
    record = db.session.scalar(select(model).where(model.code_key == key)) if key else None
    if record is None or not policy.sees_surveys(actor):
        raise NotFound(_("No such %(what)s.", what=what))
    return record


def has_answers(questionnaire: Questionnaire) -> bool:
    """Whether any survey of the questionnaire has a returned questionnaire."""
    stmt = (
        select(SurveyResponse.id)
        .join(Survey, SurveyResponse.survey_id == Survey.id)
        .where(Survey.questionnaire_id == questionnaire.id)
        .limit(1)
    )
    return db.session.scalar(stmt) is not None


def create_questionnaire(actor: Any, data: dict) -> Questionnaire:
    """A new questionnaire: its code, and its title in Chinese and in English."""
    _may_manage(actor)
    f = Fields(data)
    code = f.get("code", parsing.code)
    title = f.get("title", parsing.name)
    title_en = f.get("title_en", parsing.name)
    introduction = f.get("introduction", parsing.text, required=False)
    if code and db.session.scalar(select(Questionnaire.id).where(Questionnaire.code_key == _key(code))):
        f.add("code", _("A questionnaire with code %(code)s exists already.", code=code))
    f.raise_if_any(_("The questionnaire could not be saved."))
    with transaction(actor):
        questionnaire = Questionnaire(
            code=code,
            code_key=_key(code),
            title=title,
            title_en=title_en,
            introduction=introduction,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(questionnaire)
        db.session.flush()
    return questionnaire


def _question_values(f: Fields, questionnaire: Questionnaire, question: Question | None) -> dict:
    values: dict[str, Any] = {}
    key = f.get("key", parsing.code, max_len=KEY_MAX)
    if key:
        if _key(key) in RESERVED_KEYS:
            f.add("key", _("%(key)s names a fixed column of the answers file; choose another key.", key=key))
        elif any(_key(q.key) == _key(key) for q in questionnaire.questions if q is not question):
            f.add("key", _("The questionnaire already has a question %(key)s.", key=key))
    values["key"] = key
    values["kind"] = f.get("kind", parsing.choice, [k.value for k in QuestionKind])
    values["text_zh"] = f.get("text_zh", parsing.text, multiline=False, max_len=TEXT_ZH_MAX)
    values["text_en"] = f.get("text_en", parsing.text, multiline=False, max_len=TEXT_ZH_MAX)
    for name in ("low_label_zh", "low_label_en", "high_label_zh", "high_label_en"):
        values[name] = f.get(name, parsing.name, required=False, max_len=LABEL_MAX)
    if values["kind"] == QuestionKind.SCALE:
        low = f.get("scale_min", parsing.integer, minimum=0, maximum=100)
        high = f.get("scale_max", parsing.integer, minimum=0, maximum=100)
        if low is not None and high is not None and not 0 < high - low <= SCALE_SPAN_MAX:
            f.add(
                "scale_max",
                _("The scale must run upwards, over at most %(n)d steps.", n=SCALE_SPAN_MAX),
            )
        values["scale_min"], values["scale_max"] = low, high
        values["choices"] = []
    elif values["kind"] == QuestionKind.CHOICE:
        values["scale_min"] = values["scale_max"] = None
        values["choices"] = _choices(f)
    return values


def _choices(f: Fields) -> list[dict]:
    """Choices from a list of {value, label_zh, label_en} or from lines "value | 中文 | English"."""
    raw = f.data.get("choices")
    if isinstance(raw, str):
        raw = [[part.strip() for part in line.split("|")] for line in raw.splitlines() if line.strip()]
        raw = [dict(zip(("value", "label_zh", "label_en"), parts, strict=False)) for parts in raw]
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        f.add("choices", _("Give the choices, one per line: value | 中文 | English."))
        return []
    choices: list[dict] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        try:
            value = parsing.code(item.get("value"), max_len=KEY_MAX)
            label_zh = parsing.name(item.get("label_zh"))
            label_en = parsing.name(item.get("label_en"))
        except ParseError as exc:
            f.add("choices", _("Choice %(n)d: %(message)s", n=number, message=exc.message))
            continue
        if _key(value) in seen:
            f.add("choices", _("Choice %(n)d: the value %(value)s is used twice.", n=number, value=value))
            continue
        seen.add(_key(value))
        choices.append({"value": value, "label_zh": label_zh, "label_en": label_en})
    if len(raw) < 2:
        f.add("choices", _("A choice question needs at least two choices."))
    if len(raw) > CHOICES_MAX:
        f.add("choices", _("At most %(n)d choices.", n=CHOICES_MAX))
    return choices


def add_question(actor: Any, questionnaire: Questionnaire, data: dict) -> Question:
    """Add a question at the end of the questionnaire (not once it has answers)."""
    _may_manage(actor)
    if has_answers(questionnaire):
        raise Conflict(_("The questionnaire has answers; its questions can no longer change."))
    f = Fields(data)
    values = _question_values(f, questionnaire, None)
    f.raise_if_any(_("The question could not be saved."))
    choices = values.pop("choices")
    with transaction(actor):
        question = Question(
            questionnaire=questionnaire,
            position=max((q.position for q in questionnaire.questions), default=0) + 1,
            **values,
        )
        db.session.add(question)
        for position, choice in enumerate(choices, start=1):
            db.session.add(Choice(question=question, position=position, **choice))
        db.session.flush()
    return question


def remove_question(actor: Any, questionnaire: Questionnaire, question_id: int) -> None:
    """Remove a question (not once the questionnaire has answers); its history stays."""
    _may_manage(actor)
    question = next((q for q in questionnaire.questions if q.id == question_id), None)
    if question is None:
        raise NotFound(_("No such question."))
    if has_answers(questionnaire):
        raise Conflict(_("The questionnaire has answers; its questions can no longer change."))
    with transaction(actor):
        for choice in list(question.choices):
            db.session.delete(choice)
        db.session.delete(question)


# --- surveys ---------------------------------------------------------------------------------


def surveys_query(
    actor: Any,
    *,
    q: str | None = None,
    audience: str | None = None,
    year: int | None = None,
    region: str | None = None,
) -> Select:
    """Surveys, newest first (their returned counts: `returned_by`)."""
    _may_read(actor)
    stmt = select(Survey)
    text = search_text(q)
    if text:
        stmt = stmt.where(
            Survey.title.ilike(like(text), escape="\\") | Survey.code.ilike(like(text), escape="\\")
        )
    if audience:
        stmt = stmt.where(Survey.audience == audience)
    if year:
        stmt = stmt.where(Survey.issued_on >= date(year, 1, 1), Survey.issued_on <= date(year, 12, 31))
    if region:
        stmt = stmt.where(Survey.region == region)
    stmt = stmt.options(selectinload(Survey.questionnaire))
    return stmt.order_by(Survey.issued_on.desc(), Survey.id.desc())


def returned_by(surveys: list[Survey]) -> dict[int, int]:
    """Questionnaires returned, per survey id, for a page of surveys (one query)."""
    ids = [survey.id for survey in surveys]
    if not ids:
        return {}
    stmt = (
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id.in_(ids))
        .group_by(SurveyResponse.survey_id)
    )
    counts = dict(db.session.execute(stmt).all())
    return {i: int(counts.get(i, 0)) for i in ids}


def get_survey(actor: Any, survey_id: int) -> Survey:
    """One survey (NotFound if there is none, or the actor may not read surveys)."""
    return load(Survey, survey_id, visible=lambda _s: policy.sees_surveys(actor), what=_("survey"))


def returned(survey: Survey) -> int:
    """How many questionnaires of the survey came back."""
    stmt = select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    return int(db.session.scalar(stmt) or 0)


def _regions() -> set[str]:
    return set(db.session.scalars(select(Lab.region).distinct()))


def _survey_values(f: Fields, actor: Any, survey: Survey | None) -> dict:
    values: dict[str, Any] = {}
    partial = survey is not None
    if not partial:
        values["code"] = f.get("code", parsing.code)
        if values["code"] and db.session.scalar(
            select(Survey.id).where(Survey.code_key == _key(values["code"]))
        ):
            f.add("code", _("A survey with code %(code)s exists already.", code=values["code"]))
        code = f.get("questionnaire_code", parsing.code)
        if code:
            found = db.session.scalar(select(Questionnaire).where(Questionnaire.code_key == _key(code)))
            if found is None:
                f.add("questionnaire_code", _("No such questionnaire: %(code)s.", code=code))
            elif not found.questions:
                f.add("questionnaire_code", _("The questionnaire has no questions yet."))
            else:
                values["questionnaire_id"] = found.id
        values["audience"] = f.get("audience", parsing.choice, [a.value for a in Audience])
        region = f.get("region", parsing.name, required=False, max_len=80)
        if region and region not in _regions():
            f.add("region", _("No laboratory in region %(region)s.", region=region))
        values["region"] = region
        values["issued_on"] = f.get("issued_on", parsing.day, latest=today())
    for key in ("title", "audience_note", "closes_on", "copies_issued"):
        if partial and key not in f.data:
            continue
        if key == "title":
            values[key] = f.get(key, parsing.name)
        elif key == "audience_note":
            values[key] = f.get(key, parsing.text, required=False, max_len=parsing.COMMENT_MAX)
        elif key == "closes_on":
            values[key] = f.get(key, parsing.day, required=False)
        else:
            values[key] = f.get(key, parsing.integer, minimum=0, maximum=parsing.COUNT_MAX)
    issued_on = values.get("issued_on", survey.issued_on if survey else None)
    if values.get("closes_on") and issued_on and values["closes_on"] < issued_on:
        f.add("closes_on", _("The survey cannot close before its questionnaires were issued."))
    if survey is not None and values.get("copies_issued") is not None:
        back = returned(survey)
        if values["copies_issued"] < back:
            f.add(
                "copies_issued",
                _("%(n)s questionnaires have come back already; at least that many were issued.", n=back),
            )
    return values


def create_survey(actor: Any, data: dict) -> Survey:
    """Open a survey campaign of a questionnaire: audience, region (optional), issue date, copies."""
    _may_manage(actor)
    f = Fields(data)
    values = _survey_values(f, actor, None)
    f.raise_if_any(_("The survey could not be saved."))
    with transaction(actor):
        survey = Survey(code_key=_key(values["code"]), created_by_id=getattr(actor, "id", None), **values)
        db.session.add(survey)
        db.session.flush()
    return survey


def update_survey(actor: Any, survey: Survey, data: dict) -> Survey:
    """Change a survey's title, note, closing date or copies issued (never below those returned)."""
    _may_manage(actor)
    f = Fields(data)
    values = _survey_values(f, actor, survey)
    f.raise_if_any(_("The survey could not be saved."))
    with transaction(actor):
        for key, value in values.items():
            setattr(survey, key, value)
    return survey


# --- answers ---------------------------------------------------------------------------------


def parse_answer(question: Question, raw: Any) -> tuple[int | None, int | None] | None:
    """(scale value, choice id) for a question's raw answer; None when blank; ParseError if it is
    outside the scale or not one of the choices (a choice is given by its value or either label)."""
    if parsing.is_blank(raw):
        return None
    if question.kind == QuestionKind.SCALE:
        try:
            value = parsing.integer(raw, minimum=None, maximum=parsing.COUNT_MAX)
        except ParseError:
            raise ParseError(
                _(
                    "%(value)s is not a point of the scale of %(key)s (a whole number from %(low)d to %(high)d).",
                    value=str(raw).strip()[:40],
                    key=question.key,
                    low=question.scale_min,
                    high=question.scale_max,
                )
            ) from None
        if not question.scale_min <= value <= question.scale_max:
            raise ParseError(
                _(
                    "%(value)s is outside the scale of %(key)s (%(low)d to %(high)d).",
                    value=str(raw).strip()[:40],
                    key=question.key,
                    low=question.scale_min,
                    high=question.scale_max,
                )
            )
        return value, None
    text = str(raw).strip()
    for choice in question.choices:
        if _key(text) in (_key(choice.value), _key(choice.label_zh), _key(choice.label_en)):
            return None, choice.id
    allowed = ", ".join(c.value for c in question.choices)
    raise ParseError(
        _(
            "%(value)s is not one of the choices of %(key)s (%(allowed)s).",
            value=text[:40],
            key=question.key,
            allowed=allowed,
        )
    )


def _check_capacity(survey: Survey, adding: int, field: str) -> None:
    back = returned(survey)
    if back + adding > survey.copies_issued:
        raise InvalidInput(
            _("More questionnaires would be returned than were issued."),
            {
                field: [
                    _(
                        "The survey issued %(issued)s copies and %(back)s came back already: at most %(room)s more (%(adding)s given).",
                        issued=survey.copies_issued,
                        back=back,
                        room=max(survey.copies_issued - back, 0),
                        adding=adding,
                    )
                ]
            },
        )


def _existing_sheets(survey: Survey) -> set[str]:
    stmt = select(SurveyResponse.sheet).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.sheet.is_not(None)
    )
    return {_key(s) for s in db.session.scalars(stmt)}


def enter_response(actor: Any, survey: Survey, data: dict) -> int:
    """Record one returned questionnaire: `sheet` (its number, optional), `returned_on`, and
    `answers` {question key: value} (blank answers are left out). Answers the new response's id."""
    _may_manage(actor)
    f = Fields(data)
    sheet = f.get("sheet", parsing.name, required=False, max_len=SHEET_MAX)
    if sheet and _key(sheet) in _existing_sheets(survey):
        f.add("sheet", _("Questionnaire %(sheet)s was entered already.", sheet=sheet))
    returned_on = f.get("returned_on", parsing.day, required=False, earliest=survey.issued_on, latest=today())
    answers = data.get("answers")
    if not isinstance(answers, dict):
        f.add("answers", _("Give the answers as {question key: answer}."))
        answers = {}
    by_key = {_key(q.key): q for q in survey.questionnaire.questions}
    parsed: dict[int, tuple[int | None, int | None]] = {}
    for key, raw in answers.items():
        question = by_key.get(_key(str(key)))
        if question is None:
            f.add(
                "answers",
                _(
                    "No question %(key)s in questionnaire %(code)s.",
                    key=str(key)[:40],
                    code=survey.questionnaire.code,
                ),
            )
            continue
        try:
            answer = parse_answer(question, raw)
        except ParseError as exc:
            f.add(question.key, exc.message)
            continue
        if answer is not None:
            parsed[question.id] = answer
    if not parsed and not f.errors:
        f.add("answers", _("The questionnaire has no answer."))
    f.raise_if_any(_("The questionnaire could not be recorded."))
    _check_capacity(survey, 1, "answers")
    with transaction(actor, _("questionnaire entered")):
        (response_id,) = write_responses(
            survey,
            [{"sheet": sheet, "returned_on": returned_on, "answers": parsed}],
            ResponseSource.ENTERED,
            actor,
        )
    return response_id


def write_responses(survey: Survey, rows: list[dict], source: ResponseSource, actor: Any) -> list[int]:
    """Insert returned questionnaires and their answers (Core, inside the caller's transaction),
    with one history row per questionnaire. rows: {sheet, returned_on, answers {question id:
    (value, choice id)}}."""
    if not rows:
        return []
    actor_id = getattr(actor, "id", None)
    table = SurveyResponse.__table__  # Core: one executemany, not one statement per row
    result = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [
            {
                "survey_id": survey.id,
                "sheet": row["sheet"],
                "returned_on": row["returned_on"],
                "source": source.value,
                "entered_by_id": actor_id,
            }
            for row in rows
        ],
    )
    ids = [r[0] for r in result]
    answers = [
        {"response_id": rid, "question_id": qid, "value": value, "choice_id": choice_id}
        for rid, row in zip(ids, rows, strict=True)
        for qid, (value, choice_id) in row["answers"].items()
    ]
    if answers:
        db.session.execute(insert(SurveyAnswer.__table__), answers)
    keys = {q.id: q.key for q in survey.questionnaire.questions}
    values = {c.id: c.value for q in survey.questionnaire.questions for c in q.choices}
    record_bulk(
        db.session,
        SurveyResponse.__tablename__,
        [
            (
                rid,
                "insert",
                {
                    "survey_id": [None, survey.id],
                    "sheet": [None, row["sheet"]],
                    "returned_on": [None, row["returned_on"].isoformat() if row["returned_on"] else None],
                    "source": [None, source.value],
                    "answers": [
                        None,
                        {keys[q]: (v if c is None else values[c]) for q, (v, c) in row["answers"].items()},
                    ],
                },
            )
            for rid, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


def delete_response(actor: Any, survey: Survey, response_id: int) -> None:
    """Remove a questionnaire entered by mistake (its history stays)."""
    _may_manage(actor)
    response = db.session.get(SurveyResponse, response_id) if 0 < response_id <= parsing.INT_MAX else None
    if response is None or response.survey_id != survey.id:
        raise NotFound(_("No such returned questionnaire."))
    with transaction(actor, _("questionnaire removed")):
        for answer in db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)):
            db.session.delete(answer)
        db.session.delete(response)


def recent_responses(survey: Survey, limit: int = 8) -> list[SurveyResponse]:
    """The questionnaires entered or imported last."""
    stmt = (
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


# --- results ---------------------------------------------------------------------------------


def results(survey: Survey) -> dict:
    """Returned count, response rate and, per question, the count of each answer (aggregated in
    SQL), its share of those who answered, and for scales the mean."""
    back = returned(survey)
    stmt = (
        select(SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.choice_id, func.count().label("n"))
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.choice_id)
    )
    counts: dict[int, dict[Any, int]] = {}
    for question_id, value, choice_id, n in db.session.execute(stmt):
        counts.setdefault(question_id, {})[choice_id if choice_id is not None else value] = int(n)
    questions = []
    for question in survey.questionnaire.questions:
        found = counts.get(question.id, {})
        answered = sum(found.values())
        if question.kind == QuestionKind.SCALE:
            points = range(question.scale_min, question.scale_max + 1)
            rows = [{"answer": str(v), "label": str(v), "count": found.get(v, 0)} for v in points]
            mean = sum(v * found.get(v, 0) for v in points) / answered if answered else None
        else:
            rows = [
                {"answer": c.value, "label": c.label, "count": found.get(c.id, 0)} for c in question.choices
            ]
            mean = None
        for row in rows:
            row["share"] = row["count"] / answered if answered else None
        questions.append({"question": question, "answered": answered, "mean": mean, "rows": rows})
    return {
        "issued": survey.copies_issued,
        "returned": back,
        "response_rate": back / survey.copies_issued if survey.copies_issued else None,
        "questions": questions,
    }
