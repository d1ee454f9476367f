"""The areas' steps reach people: a finding's workflow and a round's opening and publication give
the other party a notification (in-app, the navigation bar's badge) and, with e-mail on, a mail."""

from datetime import date

import pytest
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.notify.delivery import deliver
from labtrack.notify.models import Notification
from labtrack.proficiency.models import RoundStatus
from tests import factories as f
from tests.audits.conftest import PLAN


@pytest.fixture
def app(mail_app):
    """Every test here runs with e-mail on, to the test's SMTP server."""
    return mail_app


def kinds_of(user) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification.kind).where(Notification.recipient_id == user.id).order_by(Notification.id)
        )
    )


def test_a_finding_step_by_one_party_reaches_the_other_in_app_and_by_mail(client, auth, people, smtp):
    lab, manager, lead = people["lab"], people["manager"], people["inspector2"]
    audit = f.AuditFactory(lab=lab, lead=lead)
    auth.login(lead)
    raised = client.post(
        f"/audits/{audit.id}/findings/new",
        data={
            "severity": "major",
            "area": "quality_control",
            "clause": "7.7.1",
            "description": "No QC chart.",
        },
    )
    assert raised.status_code == 303
    assert kinds_of(manager) == ["finding_raised"] and kinds_of(lead) == []
    finding = db.session.scalar(select(f.Finding).where(f.Finding.lab_id == lab.id))
    auth.logout()

    auth.login(manager)
    plan = {"step": "submit_plan", "submit_plan-to": "plan_submitted", "submit_plan-version": "1"}
    plan.update({f"submit_plan-{k}": v for k, v in PLAN.items()})
    plan["submit_plan-action_target_on"] = date.today().isoformat()
    assert client.post(f"/audits/findings/{finding.id}/step", data=plan).status_code == 303
    assert kinds_of(lead) == ["plan_submitted"]  # the audit's lead, not every inspector
    assert kinds_of(people["inspector"]) == []
    auth.logout()

    auth.login(lead)
    page = client.get("/").get_data(as_text=True)
    assert 'id="notifications-badge"' in page and "1 unread notification" in page
    accept = {"step": "accept_plan", "accept_plan-to": "plan_accepted", "accept_plan-version": "2"}
    assert client.post(f"/audits/findings/{finding.id}/step", data=accept).status_code == 303
    assert kinds_of(manager) == ["finding_raised", "plan_accepted"]

    report = deliver()
    assert report.failed == 0
    (to_lead,) = smtp.to(lead.email)
    assert finding.label in to_lead.get_body(("plain",)).get_content()
    to_manager = smtp.to(manager.email)
    assert len(to_manager) == 1  # both of the manager's notifications in one e-mail
    body = to_manager[0].get_body(("plain",)).get_content()
    assert finding.label in body
    # the other manager of the lab reads Chinese
    (to_deputy,) = smtp.to(people["manager2"].email)
    assert to_deputy["Subject"] and not to_deputy["Subject"].isascii()


def test_opening_and_publishing_a_round_tells_the_invited_labs(client, auth, people):
    rnd = f.RoundFactory(status=RoundStatus.PLANNED)
    f.ParticipantFactory(round=rnd, lab=people["lab"])
    auth.login(people["quality"])
    assert client.post(f"/rounds/{rnd.code}/transition", data={"to": "open"}).status_code == 303
    assert kinds_of(people["manager"]) == ["round_opened"]
    assert kinds_of(people["other_manager"]) == []


def test_the_account_page_leads_to_the_notification_preferences(client, auth, people):
    auth.login(people["manager"])
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/notify/preferences"' in page
