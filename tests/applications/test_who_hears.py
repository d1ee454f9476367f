"""Who hears of each step of an application, and what they read (DESIGN "Qualification
applications": overdue steps are flagged and notified): the assessment to the lab's managers and to
its team, readiness for decision to the division, the decision and the certificate to the lab's
managers; disabled accounts and the actor hear nothing; each text links to the application and
reads in English and in Chinese."""

from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from labtrack.applications import assessment, service, steps
from labtrack.audits import rectification
from labtrack.extensions import db
from labtrack.notify import service as notify_service
from labtrack.notify.models import Notification
from tests.factories import PASSWORD


def _kinds(user):
    db.session.expire_all()
    stmt = select(Notification.kind).where(Notification.recipient_id == user.id).order_by(Notification.id)
    return list(db.session.scalars(stmt))


def _last(user, kind):
    stmt = (
        select(Notification)
        .where(Notification.recipient_id == user.id, Notification.kind == kind)
        .order_by(Notification.id.desc())
    )
    return db.session.scalars(stmt).first()


def _assessed(world):
    """Submitted Wed 1 Sep, accepted and reviewed Thu 2 Sep, team i-1 (lead) and i-2 from Mon 6 Sep."""
    application = service.create(
        {"kind": "extension", "items": [{"item_code": "F-2"}, {"item_code": "T-1"}]}, world.users["manager"]
    )
    q = world.users["quality"]
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    steps.transition(application, "accepted", {}, q, on=date(2010, 9, 2))
    steps.transition(application, "review", {}, q, on=date(2010, 9, 2))
    steps.transition(
        application,
        "assessment",
        {"lead": "i-1", "members": ["i-2"], "starts_on": "2010-09-06"},
        q,
        on=date(2010, 9, 2),
    )
    return application


def test_the_assessment_is_told_to_the_labs_managers_and_to_the_team(world):
    application = _assessed(world)
    for who in ("manager", "i-1", "i-2"):
        note = _last(world.users[who], "application_assessment")
        assert note is not None, who
        assert note.params["starts_on"] == "2010-09-06" and note.params["team"] == "i-1, i-2"
        assert (note.record_table, note.record_id) == ("applications", application.id)
    assert _last(world.users["other-manager"], "application_assessment") is None
    assert _last(world.users["viewer"], "application_assessment") is None
    # the division took the step: it is not told of its own doing
    assert "application_assessment" not in _kinds(world.users["quality"])


def test_an_assessment_without_findings_is_ready_and_the_division_hears_of_it(world):
    application = _assessed(world)
    steps.transition(application, "rectification", {}, world.users["quality2"], on=date(2010, 9, 7))
    assert _kinds(world.users["quality"])[-1] == "application_ready"
    assert "application_ready" not in _kinds(world.users["manager"])


def test_the_last_finding_settled_tells_the_division_it_is_ready(world):
    application = _assessed(world)
    finding = assessment.raise_finding(
        application,
        {
            "severity": "minor",
            "area": "records",
            "clause": "7.5",
            "description": "记录不全",
            "item_ids": ["T-1"],
        },
        world.users["i-1"],
    )
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 9, 7))
    assert "application_ready" not in _kinds(world.users["quality2"])
    rectification.transition(finding, "cancelled", {"comment": "误报"}, q, version=finding.version)
    assert _kinds(world.users["quality2"])[-1] == "application_ready"


def test_the_decision_and_the_certificate_are_told_to_the_lab(world):
    application = _assessed(world)
    q = world.users["quality"]
    steps.transition(application, "rectification", {}, q, on=date(2010, 9, 7))
    steps.transition(
        application, "decided", {"password": PASSWORD, "refused": {"T-1": "无场地"}}, q, on=date(2010, 9, 8)
    )
    steps.transition(application, "certified", {}, q, on=date(2010, 9, 9))
    manager = world.users["manager"]
    assert _last(manager, "application_decided").params["decision"] == "partial"
    assert _last(manager, "application_certified").params["certificate"] == "CMA-A"
    assert _last(world.users["other-manager"], "application_decided") is None


def test_a_disabled_account_hears_nothing(world):
    world.users["quality2"].active = False
    db.session.commit()
    application = service.create(
        {"kind": "extension", "items": [{"item_code": "F-2"}]}, world.users["manager"]
    )
    steps.transition(application, "submitted", {}, world.users["manager"], on=date(2010, 9, 1))
    assert _kinds(world.users["quality"]) == ["application_submitted"]
    assert _kinds(world.users["quality2"]) == []


def test_what_the_lab_reads_in_english_and_in_chinese(app, world):
    application = _assessed(world)
    note = _last(world.users["manager"], "application_assessment")
    with app.test_request_context("/"):
        english = notify_service.shown(note)
        with force_locale("zh_Hans_CN"):
            chinese = notify_service.shown(note)
    ref = application.reference
    assert english.text == (
        f"The on-site assessment for application {ref} of SC-A starts on 2010-09-06 (team: i-1, i-2)."
    )
    assert english.url.endswith(f"/applications/{application.id}")
    assert ref in chinese.text and "2010-09-06" in chinese.text
    assert chinese.text != english.text and "assessment" not in chinese.text
