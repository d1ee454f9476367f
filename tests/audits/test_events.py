"""Domain events of the audits area: sent once per change, inside the unit of work, never for a refusal."""

from contextlib import contextmanager
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from labtrack import events
from labtrack.audits import rectification, service
from labtrack.audits.workflow import State
from labtrack.extensions import db
from labtrack.labs.models import Lab
from labtrack.services import Conflict, Forbidden, InvalidInput
from tests.audits.conftest import PDF, PLAN
from tests.conftest import PASSWORD


@contextmanager
def recorded(*signals):
    """Every send of these signals, as (signal name, sender, keyword arguments)."""
    sent = []
    receivers = []
    for signal in signals:

        def receiver(sender, _name=signal.name, **kwargs):
            sent.append((_name, sender, kwargs))

        signal.connect(receiver)
        receivers.append((signal, receiver))
    try:
        yield sent
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)


ALL = (events.audit_recorded, events.finding_raised, events.finding_changed)


def test_recording_an_audit_and_raising_findings(app, make_lab, make_user):
    lab = make_lab("SC-TC")
    manager = make_user("lab_manager", lab=lab)
    with recorded(*ALL) as sent:
        audit = service.create_audit(
            {"kind": "self_inspection", "title": "Self-inspection", "started_on": "2010-04-01"}, manager
        )
        finding = service.raise_finding(
            audit, {"severity": "minor", "area": "records", "clause": "7.5", "description": "x"}, manager
        )
    assert [(name, sender) for name, sender, _kw in sent] == [
        ("audit-recorded", audit),
        ("finding-raised", finding),
    ]
    assert all(kw == {"actor": manager} for _n, _s, kw in sent)


def test_a_refused_change_sends_nothing(app, make_lab, make_user, make_finding):
    manager = make_user("lab_manager", lab=make_lab())
    finding = make_finding(status=State.PLAN_SUBMITTED)
    with recorded(*ALL) as sent:
        with pytest.raises(Forbidden):
            service.create_audit({"kind": "flight_check", "title": "x", "started_on": "2010-01-01"}, manager)
        with pytest.raises(InvalidInput):
            service.create_audit({"kind": "self_inspection", "title": "", "started_on": "x"}, manager)
        with pytest.raises(Forbidden):
            rectification.transition(finding, "plan_accepted", {}, make_user("viewer"), version=1)
        with pytest.raises(InvalidInput):
            rectification.transition(finding, "open", {"comment": ""}, make_user("inspector"), version=1)
        with pytest.raises(Conflict):
            rectification.transition(finding, "plan_accepted", {}, make_user("quality"), version=9)
    assert sent == []


@freeze_time("2010-06-01")
def test_every_step_is_announced_once_with_its_name_and_comment(app, make_finding, make_user):
    finding = make_finding()
    manager = make_user("lab_manager", lab=finding.lab)
    inspector, quality = make_user("inspector"), make_user("quality")
    steps = [
        (manager, "plan_submitted", PLAN, ()),
        (inspector, "open", {"comment": "Root cause restated only."}, ()),
        (manager, "plan_submitted", PLAN, ()),
        (inspector, "plan_accepted", {"comment": "Adequate."}, ()),
        (manager, "evidence_submitted", {"evidence_text": "Records."}, [("r.pdf", PDF)]),
        (inspector, "plan_accepted", {"comment": "Unsigned."}, ()),
        (manager, "evidence_submitted", {"evidence_text": "Signed records."}, ()),
        (inspector, "closed", {"effectiveness_review": "Effective.", "password": PASSWORD}, ()),
        (quality, "open", {"comment": "Found again in August."}, ()),
        (quality, "cancelled", {"comment": "Lab closed."}, ()),
    ]
    with recorded(*ALL) as sent:
        for actor, to, data, files in steps:
            rectification.transition(finding, to, data, actor, version=finding.version, files=files)
    assert [(kw["step"], kw["actor"], kw["comment"]) for _n, _s, kw in sent] == [
        ("submit_plan", manager, None),
        ("reject_plan", inspector, "Root cause restated only."),
        ("submit_plan", manager, None),
        ("accept_plan", inspector, "Adequate."),
        ("submit_evidence", manager, None),
        ("reject_evidence", inspector, "Unsigned."),
        ("submit_evidence", manager, None),
        ("close", inspector, None),
        ("reopen", quality, "Found again in August."),
        ("cancel", quality, "Lab closed."),
    ]
    assert {name for name, _s, _kw in sent} == {"finding-changed"} and all(s is finding for _n, s, _k in sent)


def test_a_deadline_extension_is_announced_as_extend(app, make_finding, make_user):
    finding = make_finding(due_on=date(2010, 6, 9))
    quality = make_user("quality")
    with recorded(*ALL) as sent:
        rectification.extend_deadline(finding, "2010-07-09", "Supplier delay.", quality, version=1)
    assert [(n, kw["step"], kw["comment"]) for n, _s, kw in sent] == [
        ("finding-changed", "extend", "Supplier delay.")
    ]


def test_a_round_finding_is_announced_in_the_callers_unit_of_work(app, make_lab, make_user):
    lab, quality = make_lab(), make_user("quality")
    with recorded(*ALL) as sent:
        finding = service.raise_finding_from_round(
            lab=lab, round_code="PT-2010-01", description="z = 3.4", severity="major", actor=quality
        )
    assert [(n, s, kw) for n, s, kw in sent] == [("finding-raised", finding, {"actor": quality})]


def test_what_a_receiver_adds_is_committed_with_the_step_or_not_at_all(app, make_finding, make_user):
    finding = make_finding(status=State.PLAN_SUBMITTED)
    inspector = make_user("inspector")

    def note(sender, **kwargs):  # a receiver adding a row to the same unit of work, never committing
        db.session.add(Lab(code="NOTE", name=kwargs["step"], region="x", kind="regional_lab"))

    events.finding_changed.connect(note)
    try:
        rectification.transition(finding, "plan_accepted", {}, inspector, version=1)
        db.session.rollback()  # nothing left to roll back: the step and the note were committed together
        assert db.session.scalar(select(Lab.name).where(Lab.code == "NOTE")) == "accept_plan"
        # The second note cannot be stored (the code is taken): the step goes with it.
        with pytest.raises(Conflict):
            rectification.transition(
                finding, "cancelled", {"comment": "Duplicate."}, make_user("quality"), version=2
            )
    finally:
        events.finding_changed.disconnect(note)
    db.session.expire_all()
    assert db.session.get(type(finding), finding.id).status == "plan_accepted"
    assert db.session.scalars(select(Lab.name).where(Lab.code == "NOTE")).all() == ["accept_plan"]
