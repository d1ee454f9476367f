"""Reminders and escalation for a day (`flask --app wsgi labtrack send-reminders [--on DATE]`).

Tiers (offsets in config.py): an active finding due in 10 and in 3 days, due today, overdue
(the first day after its due date) and overdue by 7 days or more (then weekly; escalated to
the quality department on the seventh day); an open round closing in 3 days without the lab's result; a valid
certificate expiring in 90 and in 30 days. Each reminder is a notification unique per recipient,
record, tier and day (the database refuses a second one, so runs at once never duplicate one),
and each reminder sent writes one history row on its record naming who was reminded.
Everything is computed in a handful of set-wise queries and bulk inserts.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, insert, or_, select

from labtrack.extensions import db
from labtrack.history.tracking import record_bulk
from labtrack.models_base import utcnow
from labtrack.notify import policy
from labtrack.notify.models import Notification

CHUNK = 5000
WEEKS_LISTED = 1000  # escalation days asked for by date (about 19 years of weekly reminders)


@dataclass
class ReminderRun:
    """What a run added (reminders already sent for that day are not counted again)."""

    on: date
    created: int = 0
    by_kind: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        """JSON-ready summary."""
        return {
            "on": self.on.isoformat(),
            "created": self.created,
            "by_kind": dict(sorted(self.by_kind.items())),
        }


class _Recipients:
    """Lab managers by lab and the quality department, loaded once per run."""

    def __init__(self) -> None:
        from labtrack.auth.models import User

        self.by_lab: dict[int, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        for uid, lab_id, name in db.session.execute(
            select(User.id, User.lab_id, User.username).where(policy.lab_managers_where(User))
        ):
            self.by_lab[lab_id].append(uid)
            self.names[uid] = name
        self.quality = []
        for uid, name in db.session.execute(
            select(User.id, User.username).where(policy.escalation_where(User))
        ):
            self.quality.append(uid)
            self.names[uid] = name


def _finding_tiers(on: date, config: Any) -> list[tuple[str, int, int, dict, bool]]:
    """(kind, finding id, lab id, params, escalate) for every finding with a reminder due on `on`."""
    from labtrack.audits.models import Audit, Finding
    from labtrack.audits.workflow import ACTIVE_STATES
    from labtrack.labs.models import Lab

    due_offsets = sorted(set(config["REMINDER_DUE_DAYS"]))
    escalate = max(1, int(config["REMINDER_ESCALATE_DAYS"]))
    active = Finding.status.in_([s.value for s in ACTIVE_STATES])
    wanted = [on + timedelta(days=d) for d in due_offsets] + [on - timedelta(days=1)]
    # The escalation tier falls weekly from the day it starts: ask for exactly those due dates
    # (back to the oldest active one), not for every finding overdue by a week or more, of which
    # six in seven have no reminder that day (some 40,000 rows read for nothing at national scale).
    oldest = db.session.scalar(select(func.min(Finding.due_on)).where(active))
    weekly = []
    step = on - timedelta(days=escalate)
    while oldest is not None and step >= oldest and len(weekly) <= WEEKS_LISTED:
        weekly.append(step)
        step -= timedelta(days=7)
    due = Finding.due_on.in_(sorted(set(wanted + weekly)))
    if len(weekly) > WEEKS_LISTED:  # findings overdue for decades: read them all, filter below
        due = or_(Finding.due_on.in_(wanted), Finding.due_on <= on - timedelta(days=escalate))
    stmt = (
        select(
            Finding.id,
            Finding.lab_id,
            Finding.due_on,
            Finding.number,
            Finding.source_ref,
            Audit.reference,
            Lab.code,
        )
        .join(Lab, Lab.id == Finding.lab_id)
        .outerjoin(Audit, Audit.id == Finding.audit_id)
        .where(active, due)
    )
    tiers = []
    for fid, lab_id, due_on, number, source_ref, reference, lab_code in db.session.execute(stmt):
        days = (due_on - on).days
        params = {
            "label": f"{reference or source_ref or ''} #{number}",
            "lab": lab_code,
            "due_on": due_on.isoformat(),
        }
        if days >= 0 and days in due_offsets:
            tiers.append((f"finding_due:{days}", fid, lab_id, {**params, "days": days}, False))
        elif days == -1 and escalate > 1:
            tiers.append(("finding_overdue", fid, lab_id, {**params, "days": 1}, False))
        elif -days >= escalate and (-days - escalate) % 7 == 0:
            # The lab's managers weekly while it stays overdue; the quality department once, on
            # the day it is escalated (its overdue list shows the rest; 7,000 a day would be noise).
            tiers.append(("finding_escalated", fid, lab_id, {**params, "days": -days}, -days == escalate))
    return tiers


def _round_tiers(on: date, config: Any) -> list[tuple[str, int, int, dict]]:
    """(kind, round id, lab id, params): open rounds closing soon without the lab's result."""
    from labtrack.labs.models import Lab
    from labtrack.proficiency.models import Participant, Result, Round

    days = int(config["REMINDER_ROUND_CLOSING_DAYS"])
    no_result = ~exists(
        select(Result.id).where(Result.round_id == Round.id, Result.lab_id == Participant.lab_id)
    )
    stmt = (
        select(Round.id, Round.code, Round.title, Round.closes_on, Participant.lab_id, Lab.code)
        .join(Participant, Participant.round_id == Round.id)
        .join(Lab, Lab.id == Participant.lab_id)
        .where(Round.status == "open", Round.closes_on == on + timedelta(days=days), no_result)
    )
    return [
        (
            "round_closing",
            rid,
            lab_id,
            {"round": code, "title": title, "lab": lab_code, "days": days, "closes_on": closes.isoformat()},
        )
        for rid, code, title, closes, lab_id, lab_code in db.session.execute(stmt)
    ]


def _certificate_tiers(on: date, config: Any) -> list[tuple[str, int, int, dict]]:
    """(kind, qualification id, lab id, params): valid certificates expiring in 90 / 30 days."""
    from labtrack.labs.models import Lab, Qualification

    offsets = {on + timedelta(days=d): d for d in config["REMINDER_CERT_EXPIRY_DAYS"]}
    stmt = (
        select(
            Qualification.id,
            Qualification.lab_id,
            Qualification.scheme,
            Qualification.certificate_no,
            Qualification.expires_on,
            Lab.code,
        )
        .join(Lab, Lab.id == Qualification.lab_id)
        .where(Qualification.status == "valid", Qualification.expires_on.in_(list(offsets)))
    )
    rows = []
    for qid, lab_id, scheme, number, expires_on, lab_code in db.session.execute(stmt):
        days = offsets[expires_on]
        params = {
            "scheme": str(scheme),
            "certificate": number,
            "lab": lab_code,
            "expires_on": expires_on.isoformat(),
            "days": days,
        }
        rows.append((f"certificate_expiring:{days}", qid, lab_id, params))
    return rows


def _document_tiers(on: date, config: Any) -> list[tuple[str, int, int | None, dict]]:
    """(kind, document id, lab id or None for the bureau's, params): controlled documents whose
    periodic review falls due in 10 / 3 / 0 days (the records area's documents_due_for_review)."""
    try:
        from labtrack.records.documents import documents_due_for_review
    except ModuleNotFoundError:  # pragma: no cover - the records area is part of every install
        return []
    offsets = sorted(set(config["REMINDER_DUE_DAYS"]))
    rows = []
    for document in documents_due_for_review(on, within_days=max(offsets)):
        days = (document.review_due_on - on).days
        if days in offsets:
            params = {
                "document": document.code,
                "title": document.title,
                "lab": document.lab.code if document.lab is not None else None,
                "due_on": document.review_due_on.isoformat(),
                "days": days,
            }
            rows.append((f"document_review_due:{days}", document.id, document.lab_id, params))
    return rows


def send_reminders(on: date) -> ReminderRun:
    """Add the day's reminders (those not added before), with their history; commits."""
    config = current_app.config
    run = ReminderRun(on)
    people = _Recipients()
    now = utcnow()
    rows: list[dict] = []

    def add(kind: str, table: str, record_id: int, recipients: list[int], params: dict) -> None:
        for uid in recipients:
            rows.append(
                {
                    "recipient_id": uid,
                    "kind": kind,
                    "record_table": table,
                    "record_id": record_id,
                    "params": params,
                    "reminder_on": on,
                    "created_at": now,
                }
            )

    for kind, fid, lab_id, params, escalate in _finding_tiers(on, config):
        recipients = people.by_lab.get(lab_id, [])
        add(kind, "findings", fid, recipients + (people.quality if escalate else []), params)
    for kind, rid, lab_id, params in _round_tiers(on, config):
        add(kind, "rounds", rid, people.by_lab.get(lab_id, []), params)
    for kind, qid, lab_id, params in _certificate_tiers(on, config):
        add(kind, "qualifications", qid, people.by_lab.get(lab_id, []), params)
    for kind, did, lab_id, params in _document_tiers(on, config):
        # a lab's documents: its managers; the bureau's own: the quality department
        add(
            kind,
            "controlled_documents",
            did,
            people.by_lab.get(lab_id, []) if lab_id else people.quality,
            params,
        )

    created = _insert_new(rows)
    _write_history(created, people.names, on)
    db.session.commit()
    run.created = len(created)
    run.by_kind.update(kind for _id, _uid, _table, _rid, kind in created)
    return run


def _insert_new(rows: list[dict]) -> list[tuple]:
    """Insert the reminders no run has added yet; (id, recipient, table, record, kind) of each new one."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:  # pragma: no cover - the two databases labtrack supports
        upsert = insert
    table = Notification.__table__
    stmt = (
        upsert(table)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.recipient_id, table.c.record_table, table.c.record_id, table.c.kind)
    )
    created = []
    for start in range(0, len(rows), CHUNK):
        created.extend(tuple(r) for r in db.session.execute(stmt, rows[start : start + CHUNK]))
    return created


def _write_history(created: list[tuple], names: dict[int, str], on: date) -> None:
    """One history row per record and tier: who was reminded."""
    grouped: dict[tuple[str, str], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for _nid, uid, table, record_id, kind in created:
        grouped[(table, kind)][record_id].append(names.get(uid, str(uid)))
    for (table, kind), records in grouped.items():
        entries = [
            (record_id, "reminder", {"reminder": [None, kind], "reminded": [None, ", ".join(sorted(who))]})
            for record_id, who in records.items()
        ]
        record_bulk(db.session, table, entries, comment=f"Reminder {kind} of {on.isoformat()} sent")
