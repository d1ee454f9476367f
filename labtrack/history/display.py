"""History rows in human terms: field labels, names instead of ids, labels instead of codes.

The stored rows keep the raw values (the API serves them as they are); this module only decides how
a page shows them, in the reader's language. It works for every Tracked model without help:

- a column holding a foreign key shows the referenced record's name (looked up in one query per
  referenced table for the whole page), falling back to ``#id`` when the record is gone;
- a column annotated with a ``StrEnum`` shows the label from the ``*_LABELS`` dictionary kept beside
  the enum in its module (found once, cached), else the value;
- booleans read Yes / No, dates and times are formatted for the locale;
- internal columns (keys, versions, creation and update stamps, hashes) are left out.

An area makes its own models read better with :func:`register` (labels of its columns, a formatter
for a column, columns to hide, the name a reference to its records shows), and teaches the
generic lookups a new enum's labels with :func:`register_enum`.
"""

import enum
import re
import sys
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from labtrack.extensions import db

# Columns no reader needs: bookkeeping of the database itself.
INTERNAL = frozenset(
    {
        "id",
        "version",
        "version_id",
        "created_at",
        "updated_at",
        "code_key",
        "name_key",
        "password_hash",
        "token_hash",
        "secret_hash",
        "search_text",
    }
)

# Column names shared by many models, labelled once.
COMMON_LABELS: dict[str, Any] = {
    "lab_id": _l("Laboratory"),
    "user_id": _l("User"),
    "code": _l("Code"),
    "reference": _l("Reference"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "name_zh": _l("Chinese name"),
    "title": _l("Title"),
    "description": _l("Description"),
    "status": _l("Status"),
    "kind": _l("Kind"),
    "region": _l("Region"),
    "notes": _l("Notes"),
    "comment": _l("Comment"),
    "summary": _l("Summary"),
    "address": _l("Address"),
    "email": _l("E-mail"),
    "phone": _l("Telephone"),
    "position": _l("Position"),
    "is_model_lab": _l("Model laboratory"),
    "active": _l("Active"),
    "role": _l("Role"),
    "locale": _l("Language"),
    "full_name": _l("Full name"),
    "username": _l("User name"),
    "scheme": _l("Scheme"),
    "certificate_no": _l("Certificate number"),
    "issued_on": _l("Issued on"),
    "expires_on": _l("Expires on"),
    "category_id": _l("Test category"),
    "item_id": _l("Test item"),
    "method": _l("Method"),
    "parameters": _l("Parameters"),
    "granted_on": _l("Granted on"),
    "withdrawn_on": _l("Withdrawn on"),
    "basis": _l("Basis"),
    "withdrawal_reason": _l("Reason for withdrawal"),
    "audit_id": _l("Audit"),
    "finding_id": _l("Finding"),
    "round_id": _l("Comparison round"),
    "number": _l("Number"),
    "severity": _l("Severity"),
    "area": _l("Area"),
    "clause": _l("Clause"),
    "source": _l("Source"),
    "raised_by_id": _l("Raised by"),
    "raised_on": _l("Raised on"),
    "due_on": _l("Due on"),
    "lead_id": _l("Lead inspector"),
    "team": _l("Team"),
    "started_on": _l("Started on"),
    "ended_on": _l("Ended on"),
    "documents_reviewed": _l("Documents and records reviewed"),
    "instruments_checked": _l("Instruments checked"),
    "reports_sampled": _l("Reports and certificates sampled"),
    "root_cause": _l("Root cause"),
    "root_cause_method": _l("Root-cause method"),
    "correction": _l("Correction"),
    "occurs_elsewhere": _l("Same problem elsewhere"),
    "corrective_action": _l("Corrective action"),
    "action_owner": _l("Action owner"),
    "action_target_on": _l("Target date"),
    "evidence_text": _l("Evidence"),
    "effectiveness_review": _l("Effectiveness review"),
    "verified_by_id": _l("Verified by"),
    "closed_on": _l("Closed on"),
    "signed_at": _l("Signed at"),
    "filename": _l("File name"),
    "size": _l("Size"),
    "content_type": _l("Type"),
    "stage": _l("Stage"),
    "uploaded_by_id": _l("Uploaded by"),
    "organiser": _l("Organiser"),
    "measurand": _l("Measurand"),
    "unit": _l("Unit"),
    "opens_on": _l("Opens on"),
    "closes_on": _l("Closes on"),
    "value": _l("Value"),
    "participant_code": _l("Participant code"),
    "submitted_at": _l("Submitted at"),
    "grade": _l("Grade"),
    "created_by_id": _l("Created by"),
    "owner_id": _l("Owner"),
    "person_id": _l("Person"),
    "score": _l("Score"),
    "score_kind": _l("Score kind"),
    "decision": _l("Decision"),
    "note": _l("Note"),
    "reason": _l("Reason"),
    "answer": _l("Answer"),
    "post": _l("Post"),
    "exam_id": _l("Exam"),
    "sanction_id": _l("Sanction"),
    "participant_id": _l("Participant"),
    "application_id": _l("Application"),
    "question_id": _l("Question"),
    "published_at": _l("Published at"),
    "recorded_at": _l("Recorded at"),
    "decided_on": _l("Decided on"),
    "decided_by_id": _l("Decided by"),
    "submitted_on": _l("Submitted on"),
    "submitted_by_id": _l("Submitted by"),
    "accepted_on": _l("Accepted on"),
    "plan_submitted_on": _l("Plan submitted on"),
    "plan_accepted_on": _l("Plan accepted on"),
    "evidence_submitted_on": _l("Evidence submitted on"),
    "cancelled_on": _l("Cancelled on"),
    "cancel_reason": _l("Reason for cancellation"),
    "reopened_count": _l("Times reopened"),
    "closed_by_id": _l("Closed by"),
    "last_comment": _l("Last comment"),
}


@dataclass
class ModelDisplay:
    """How one table's history reads: its columns' labels and formatters, what to hide."""

    labels: dict[str, Any] = field(default_factory=dict)
    formatters: dict[str, Callable[[Any], str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    name: Callable[[Any], str] | None = None


_REGISTRY: dict[str, ModelDisplay] = {}
_ENUM_LABELS: dict[type, dict] = {}
_FOUND_LABELS: dict[tuple, dict] = {}


def register(
    table: str,
    *,
    labels: dict[str, Any] | None = None,
    formatters: dict[str, Callable[[Any], str]] | None = None,
    hidden: Iterable[str] = (),
    name: Callable[[Any], str] | None = None,
) -> None:
    """Teach the history pages how `table` reads (may be called again to add more)."""
    entry = _REGISTRY.setdefault(table, ModelDisplay())
    entry.labels.update(labels or {})
    entry.formatters.update(formatters or {})
    entry.hidden.update(hidden)
    if name is not None:
        entry.name = name


def register_enum(enum_class: type, labels: dict) -> None:
    """The labels of an enum's values, where they do not sit beside it as a ``*_LABELS`` dict."""
    _ENUM_LABELS[enum_class] = labels


# --- the models behind the tables ---


def _model_for(table: str):
    for mapper in db.Model.registry.mappers:
        if getattr(mapper, "local_table", None) is not None and mapper.local_table.name == table:
            return mapper.class_
    return None


_MODELS: dict[str, Any] = {}


def model_for(table: str):
    """The mapped class of a table name (None if no model maps it)."""
    if table not in _MODELS:
        _MODELS[table] = _model_for(table)
    return _MODELS[table]


def _annotation(cls, key: str):
    for klass in cls.__mro__:
        annotation = vars(klass).get("__annotations__", {}).get(key)
        if annotation is None:
            continue
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, vars(sys.modules[klass.__module__]))  # noqa: S307
            except Exception:
                return None
        for arg in typing.get_args(annotation) or (annotation,):
            for inner in typing.get_args(arg) or (arg,):
                if isinstance(inner, type) and issubclass(inner, enum.Enum):
                    return inner
        return None
    return None


def _discover_labels(enum_class: type, *modules: str) -> dict | None:
    """A ``*_LABELS`` dict keyed by the enum's members, beside the enum or in the model's module."""
    members = set(enum_class)
    for module_name in (enum_class.__module__, *modules):
        module = sys.modules.get(module_name)
        for attr, value in vars(module or object).items():
            if attr.endswith("LABELS") and isinstance(value, dict) and value and set(value) <= members:
                return value
    return None


def enum_labels(enum_class: type, *modules: str) -> dict:
    """The labels of an enum's values (registered, else found beside the enum), cached."""
    if enum_class in _ENUM_LABELS:
        return _ENUM_LABELS[enum_class]
    key = (enum_class, modules)
    if key not in _FOUND_LABELS:
        _FOUND_LABELS[key] = _discover_labels(enum_class, *modules) or {}
    return _FOUND_LABELS[key]


@dataclass
class _Column:
    target: str | None = None  # table a foreign key points to
    enum_class: type | None = None
    python_type: type | None = None
    module: str = ""


_COLUMNS: dict[tuple[str, str], _Column] = {}


def _column(table: str, key: str) -> _Column:
    if (table, key) in _COLUMNS:
        return _COLUMNS[(table, key)]
    info = _Column()
    cls = model_for(table)
    if cls is not None:
        info.module = cls.__module__
        attr = sa_inspect(cls).column_attrs.get(key)
        if attr is not None:
            column = attr.columns[0]
            foreign = next(iter(column.foreign_keys), None)
            if foreign is not None:
                info.target = foreign.column.table.name
            info.enum_class = _annotation(cls, key)
            try:
                info.python_type = column.type.python_type
            except NotImplementedError:
                info.python_type = None
    _COLUMNS[(table, key)] = info
    return info


# --- names of referenced records ---


def record_name(table: str, record) -> str:
    """What a reference to `record` shows: the registered name, else its name, title or code."""
    entry = _REGISTRY.get(table)
    if entry is not None and entry.name is not None:
        return entry.name(record)
    from labtrack.i18n_names import localized_name

    for attr in ("label", "reference", "code"):
        value = getattr(record, attr, None)
        if isinstance(value, str) and value:
            named = localized_name(record)
            return f"{value} {named}".strip() if named and named != value else value
    named = localized_name(record)
    if named:
        return named
    for attr in ("title", "full_name", "username", "filename"):
        value = getattr(record, attr, None)
        if value:
            return str(value)
    return f"#{record.id}"


def _names(wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    for table, ids in wanted.items():
        cls = model_for(table)
        if cls is None or not ids:
            continue
        for record in db.session.scalars(select(cls).where(cls.id.in_(sorted(ids)))):
            names[(table, record.id)] = record_name(table, record)
    return names


# --- values ---


def _parse_when(value: str):
    try:
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    except ValueError:
        return None


def format_when(value) -> str:
    """A date or a date and time, formatted for the reader's locale."""
    if isinstance(value, str):
        value = _parse_when(value) or value
    if isinstance(value, datetime):
        return format_datetime(value, "medium")
    if isinstance(value, date):
        return format_date(value, "medium")
    return str(value)


def _format(table: str, key: str, value, names: dict) -> str | None:
    if value is None:
        return None
    entry = _REGISTRY.get(table)
    if entry is not None and key in entry.formatters:
        return entry.formatters[key](value)
    column = _column(table, key)
    if column.target is not None and isinstance(value, int):
        return names.get((column.target, value), f"#{value}")
    if column.enum_class is not None:
        labels = enum_labels(column.enum_class, column.module)
        try:
            member = column.enum_class(value)
        except ValueError:
            return str(value)
        return str(labels.get(member, value))
    named = _named_labels(column.module, key)
    if named and isinstance(value, str):
        return str(named.get(value, value))
    if isinstance(value, bool) or column.python_type is bool:
        return _("Yes") if value else _("No")
    if column.python_type in (date, datetime) and isinstance(value, str):
        return format_when(value)
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


_FORM_LABELS: dict[str, dict[str, Any]] = {}


def form_labels(area: str) -> dict[str, Any]:
    """The labels an area's forms give their fields, by field name (the forms name fields after
    the columns they fill), so a history row reads like the form the user filled in."""
    if area in _FORM_LABELS:
        return _FORM_LABELS[area]
    from wtforms import Form
    from wtforms.fields.core import UnboundField

    from labtrack.areas import optional

    labels: dict[str, Any] = {}
    module = optional(f"labtrack.{area}.forms")
    for value in vars(module).values() if module is not None else ():
        if isinstance(value, type) and issubclass(value, Form):
            for name in dir(value):
                field = getattr(value, name, None)
                if isinstance(field, UnboundField):
                    label = field.args[0] if field.args else field.kwargs.get("label")
                    if label is not None:
                        labels.setdefault(name, label)
    _FORM_LABELS[area] = labels
    return labels


def _named_labels(module_name: str, key: str) -> dict | None:
    """The ``<COLUMN>_LABELS`` dict of the model's module (``root_cause_method`` ->
    ``ROOT_CAUSE_METHOD_LABELS``): labels of a column kept as plain text."""
    module = sys.modules.get(module_name)
    value = getattr(module, f"{key.upper()}_LABELS", None) if module is not None else None
    return value if isinstance(value, dict) else None


def field_label(table: str, key: str) -> str:
    """A column's label in the reader's language: registered, common, else the area's form label."""
    entry = _REGISTRY.get(table)
    if entry is not None and key in entry.labels:
        return str(entry.labels[key])
    if key in COMMON_LABELS:
        return str(COMMON_LABELS[key])
    cls = model_for(table)
    if cls is not None and cls.__module__.startswith("labtrack."):
        labels = form_labels(cls.__module__.split(".")[1])
        for name in (key, key.removesuffix("_id"), key.removesuffix("_on")):
            if labels.get(name) is not None:
                return str(labels[name])
    text = key.removesuffix("_id").replace("_", " ")
    return text[:1].upper() + text[1:]


def _hidden(table: str, key: str) -> bool:
    entry = _REGISTRY.get(table)
    return key in INTERNAL or key.endswith("_key") or (entry is not None and key in entry.hidden)


@dataclass
class Change:
    """One field of a history row, ready to show."""

    key: str
    label: str
    old: str | None
    new: str | None


@dataclass
class Row:
    """One history row, ready to show."""

    entry: Any
    at: str
    who: str
    action: str
    what: str
    changes: list[Change]
    comment: str | None


def display_rows(entries: Iterable) -> list[Row]:
    """The rows of a history table in the reader's language, referenced names loaded in bulk."""
    from labtrack.templating import history_action_label, history_table_label

    entries = list(entries)
    wanted: dict[str, set[int]] = {}
    for h in entries:
        for key, pair in (h.changes or {}).items():
            target = _column(h.table_name, key).target
            if target is not None:
                wanted.setdefault(target, set()).update(v for v in pair if isinstance(v, int))
    # Pages may pass stand-ins of history rows with some columns removed (personnel hides contacts).
    user_ids = {getattr(h, "user_id", None) for h in entries} - {None}
    wanted.setdefault("users", set()).update(user_ids)
    names = _names(wanted)
    rows = []
    for h in entries:
        changes = [
            Change(
                key,
                field_label(h.table_name, key),
                _format(h.table_name, key, pair[0], names),
                _format(h.table_name, key, pair[1], names),
            )
            for key, pair in (h.changes or {}).items()
            if not _hidden(h.table_name, key) and isinstance(pair, list | tuple) and len(pair) == 2
        ]
        user_id = getattr(h, "user_id", None)
        who = names.get(("users", user_id)) if user_id else None
        rows.append(
            Row(
                entry=h,
                at=format_when(h.at),
                who=who or getattr(h, "username", None) or _("system"),
                action=history_action_label(h.action),
                what=history_table_label(h.table_name).replace("_", " ") if h.table_name else "",
                changes=changes,
                comment=system_text(getattr(h, "comment", None)),
            )
        )
    return rows


def N_(msgid: str) -> str:  # noqa: N802  (the name the message extractor knows)
    """Mark a message for the catalogues without translating it here."""
    return msgid


# Messages with parameters the system writes into history comments, in the writer's language:
# msgid -> the patterns that read its text back (in each language), built on first use.
_SYSTEM_MESSAGES: dict[str, list[re.Pattern]] = {}


def system_message(msgid: str) -> str:
    """Register a message with %(name)s parameters that the system writes as a history comment
    (`system_message(N_("Evaluated: %(n)s results scored with %(kind)s."))`), so that
    `system_text` can show it in the reader's language whichever language it was written in."""
    _SYSTEM_MESSAGES.setdefault(msgid, [])
    return msgid


def _patterns(msgid: str) -> list[re.Pattern]:
    if not _SYSTEM_MESSAGES[msgid]:
        from flask import current_app
        from flask_babel import force_locale

        forms = {msgid}
        for locale in current_app.config.get("LANGUAGES", {}):
            with force_locale(locale):
                forms.add(_(msgid))
        placeholder = re.compile(r"%\\\((\w+)\\\)s")
        _SYSTEM_MESSAGES[msgid] = [
            re.compile(placeholder.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(form)), re.S)
            for form in sorted(forms)
        ]
    return _SYSTEM_MESSAGES[msgid]


def system_text(text: str | None) -> str | None:
    """A text the system wrote in the reader's language: a message of the catalogues (a job's
    "Scope import (job)"), or a registered message with parameters read back from the language it
    was written in ("Evaluated: 8 results scored with z." is "评定：8 个结果，采用 z 评分。" in
    Chinese); anything else, a person's own words, as written."""
    if not text:
        return text
    said = _(text)
    if said != text:
        return said
    for msgid in list(_SYSTEM_MESSAGES):
        for pattern in _patterns(msgid):
            found = pattern.fullmatch(text)
            if found:
                values = {k: system_text(v) for k, v in found.groupdict().items()}
                return _(msgid, **values)
    return text


def _user_name(user) -> str:
    return f"{user.full_name} ({user.username})" if getattr(user, "full_name", "") else user.username


register("users", name=_user_name)
# A finding's last comment is the comment of the history row that changed it: shown once.
register(
    "findings",
    hidden={"last_comment"},
    formatters={"source": lambda v: str({"audit": _l("Audit"), "round": _l("Comparison round")}.get(v, v))},
)
