"""The on-site assessment of an application: an audit of kind `external_assessment` created and
updated through the audits service, its team, its findings (raised through the audits service with
the deadline the rules give: 2 months, 1 month for technical findings) and the moment the
application is ready for decision (assessment over, its findings closed or cancelled).

The audits service records audits in the name of someone who records them (an inspector). When the
division's officer sending the team is not one, the audit is recorded in the name of the team's
leader and the history comment names who sent it (as planning does for its drawn audits).
"""

import calendar as month_calendar
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from labtrack import parsing
from labtrack.applications import clocks, policy, service
from labtrack.applications.calendar import working_calendar
from labtrack.applications.models import Application, Assessor, FindingItem
from labtrack.applications.steps import comment_of, record
from labtrack.applications.values import (
    DEFAULT_FINDING_MONTHS,
    TEAM_MAX,
    TECHNICAL_CLAUSE_PREFIXES,
    Status,
    Step,
)
from labtrack.audits import service as audits_service
from labtrack.audits.models import Audit, AuditKind, AuditStatus, Finding
from labtrack.audits.workflow import ACTIVE_STATES
from labtrack.auth.models import User
from labtrack.extensions import db
from labtrack.history.display import N_, system_message
from labtrack.history.tracking import set_comment
from labtrack.models_base import today
from labtrack.parsing import Fields
from labtrack.services import Conflict, Forbidden, act_as, transaction

# The history comment it writes, shown in the reader's language (history.display.system_text).
RECORDED_BY = system_message(N_("%(comment)s (by %(who)s)"))

TEAM_TEXT_MAX = 500


# --- the team and the findings ---------------------------------------------------------------


def team_ids(application: Application) -> set[int]:
    """The users on the assessment team (its members and the audit's lead)."""
    ids = {a.user_id for a in application.assessors}
    if application.audit is not None and application.audit.lead_id is not None:
        ids.add(application.audit.lead_id)
    return ids


def findings(application: Application) -> list[Finding]:
    """The assessment's findings, by number."""
    if application.audit_id is None:
        return []
    return list(
        db.session.scalars(
            select(Finding).where(Finding.audit_id == application.audit_id).order_by(Finding.number)
        )
    )


def active_findings(application: Application) -> list[Finding]:
    """The assessment's findings not closed or cancelled yet."""
    return [f for f in findings(application) if f.status in ACTIVE_STATES]


def finding_items(application: Application) -> dict[int, list[int]]:
    """Finding id -> the ids of the application's items it concerns."""
    links: dict[int, list[int]] = {}
    for link in db.session.scalars(select(FindingItem).where(FindingItem.application_id == application.id)):
        links.setdefault(link.finding_id, []).append(link.application_item_id)
    return links


def is_technical(clause: str | None) -> bool:
    """Whether a finding is technical: it cites ISO/IEC 17025:2017 clause 6 (resources) or 7 (process)."""
    return bool(clause) and str(clause).split(".")[0] in TECHNICAL_CLAUSE_PREFIXES


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def finding_due(clause: str | None, raised_on: date) -> date:
    """The rectification deadline of an assessment finding (config APPLICATION_FINDING_MONTHS)."""
    months = {**DEFAULT_FINDING_MONTHS, **(current_app.config.get("APPLICATION_FINDING_MONTHS") or {})}
    return add_months(raised_on, int(months["technical" if is_technical(clause) else "other"]))


def application_of_audit(audit_id: int | None) -> Application | None:
    """The application whose assessment this audit is, if any."""
    if audit_id is None:
        return None
    return db.session.scalar(select(Application).where(Application.audit_id == audit_id))


# --- sending the team ------------------------------------------------------------------------


def _users(f: Fields, key: str, names: Any) -> list[User]:
    if names is None or names == "":
        return []
    if isinstance(names, str):
        names = [n.strip() for n in names.replace(";", ",").split(",")]
    if not isinstance(names, list | tuple):
        f.add(key, _("Must be a list of usernames."))
        return []
    found = []
    for name in names:
        if parsing.is_blank(name):
            continue
        user = (
            db.session.scalar(select(User).where(User.username == str(name).strip()))
            if isinstance(name, str)
            else None
        )
        if user is None or not policy.may_be_assessor(user):
            f.add(key, _("%(name)s is not one of the bureau's active staff.", name=name))
            continue
        if user not in found:
            found.append(user)
    return found


def team_text(users: list[User]) -> str:
    """The audit's team as people read it: names (usernames), the leader first."""
    text = "; ".join(f"{u.full_name} ({u.username})" if u.full_name else u.username for u in users)
    return text if len(text) <= TEAM_TEXT_MAX else text[: TEAM_TEXT_MAX - 1] + "…"


def _as_recorder(call, actor: Any, leader: User, comment: str) -> Any:
    """Run an audits-service call as the actor; if the audits policy refuses the actor's role, as
    the team's leader, the history comment naming the actor."""
    db.session.flush()
    try:
        set_comment(db.session, comment)
        return call(actor)
    except Forbidden:
        if leader is None or leader is actor:
            raise
        who = getattr(actor, "username", None) or _("the system")
        set_comment(db.session, _(RECORDED_BY, comment=comment, who=who))
        result = call(leader)
        db.session.flush()
        act_as(actor)  # what follows is the actor's own doing again
        return result


def assess(application: Application, data: dict, actor: Any, on: date) -> Application:
    """Send the assessment team: `lead` (a username), `members` (usernames), `starts_on`,
    `ends_on`; records the audit of kind external_assessment with that team."""
    f = Fields(data)
    leads = _users(f, "lead", [data.get("lead")] if data.get("lead") else [])
    if not leads and "lead" not in f.errors:
        f.add("lead", _("This field is required."))
    members = [u for u in _users(f, "members", data.get("members")) if u not in leads]
    if len(leads) + len(members) > TEAM_MAX:
        f.add("members", _("At most %(n)d people on a team.", n=TEAM_MAX))
    starts = f.get("starts_on", parsing.day, required=False) or on
    ends = f.get("ends_on", parsing.day, required=False)
    if starts and application.accepted_on and starts < application.accepted_on:
        f.add("starts_on", _("The assessment cannot start before the application was accepted."))
    if starts and ends and ends < starts:
        f.add("ends_on", _("The assessment cannot end before it starts."))
    comment = comment_of(f)
    f.raise_if_any(_("The assessment team could not be sent."))
    clocks.check_start(working_calendar(), on)
    lead = leads[0]
    team = [lead, *members]
    with transaction(actor, _("assessment")):
        label = _("On-site assessment for %(ref)s", ref=application.reference)
        audit_data = {
            "lab_id": application.lab_id,
            "kind": AuditKind.EXTERNAL_ASSESSMENT.value,
            "title": f"资质认定现场评审 {application.reference} / {label}"[: parsing.NAME_MAX],
            "started_on": starts,
            "ended_on": ends,
            "status": (AuditStatus.IN_PROGRESS if starts <= on else AuditStatus.PLANNED).value,
            "lead_id": lead.id,
            "team": team_text(team),
            "summary": application.title,
        }
        audit = _as_recorder(lambda who: audits_service.create_audit(audit_data, who), actor, lead, label)
        application.audit_id = audit.id
        application.audit = audit
        for user in team:
            application.assessors.append(Assessor(user_id=user.id, lead=user is lead))
        record(application, "assess", Status.ASSESSMENT, actor, on, comment)
    return application


def complete(application: Application, data: dict, actor: Any, on: date) -> Application:
    """The assessment is over (`ended_on`, today by default; `summary`): its clock stops and the
    application waits for its findings' rectification (ready at once if none is open)."""
    f = Fields(data)
    ended = f.get("ended_on", parsing.day, required=False) or on
    summary = f.get("summary", parsing.text, required=False)
    comment = comment_of(f)
    audit = application.audit
    if audit is not None and ended < audit.started_on:
        f.add(
            "ended_on",
            _("The assessment cannot end before it started (%(d)s).", d=audit.started_on.isoformat()),
        )
    if ended > on:
        f.add("ended_on", _("The assessment cannot end after today."))
    f.raise_if_any(_("The assessment could not be completed."))
    calendar = working_calendar()
    clocks.check_stop(calendar, application, Step.ASSESSMENT, on)
    open_findings = active_findings(application)
    with transaction(actor, _("assessment complete")):
        if audit is not None:
            changes: dict[str, Any] = {"status": AuditStatus.COMPLETED.value, "ended_on": ended}
            if summary:
                changes["summary"] = summary
            lead = next((a.user for a in application.assessors if a.lead), None)
            _as_recorder(
                lambda who: audits_service.update_audit(audit, changes, who),
                actor,
                lead,
                _("assessment complete"),
            )
        application.assessed_on = on
        clocks.stop(calendar, application, Step.ASSESSMENT, on)
        clocks.start(calendar, application, Step.RECTIFICATION, on)
        record(application, "complete_assessment", Status.RECTIFICATION, actor, on, comment)
        if not open_findings:
            mark_ready(application, actor, on, calendar)
    return application


def mark_ready(application: Application, actor: Any, on: date, calendar=None, tolerant: bool = False) -> None:
    """The assessment is complete and its findings are closed: the decision clock starts."""
    calendar = calendar or working_calendar()
    application.ready_on = on
    clocks.stop(calendar, application, Step.RECTIFICATION, on, tolerant=tolerant)
    clocks.start(calendar, application, Step.DECISION, on, tolerant=tolerant)
    from labtrack import events

    db.session.flush()
    events.application_changed.send(application, actor=actor, step="ready", comment=None)


# --- findings --------------------------------------------------------------------------------


def raise_finding(application: Application, data: dict, actor: Any) -> Finding:
    """Raise a finding of the assessment (a team member), through the audits service, with the
    rules' deadline; `item_ids` (the application's items it concerns) let the application be
    decided in part, without them, while it is open."""
    if not policy.sees(actor, application):
        raise service.load_refusal()
    if not policy.may_raise_finding(actor, application, team_ids(application)):
        if Status(application.status) not in (Status.ASSESSMENT, Status.RECTIFICATION):
            raise Conflict(_("Findings are raised while the assessment or its rectification is on."))
        raise Forbidden(_("Only a member of the assessment team raises its findings."))
    f = Fields(data)
    raised_on = f.get("raised_on", parsing.day, required=False) or today()
    wanted = data.get("item_ids") or []
    if isinstance(wanted, str | int):
        wanted = [wanted]
    by_id = {i.id: i for i in application.items}
    by_code = {i.item_key: i for i in application.items}
    concerned = []
    for value in wanted if isinstance(wanted, list | tuple) else []:
        item = by_id.get(value) if isinstance(value, int) else None
        if item is None and isinstance(value, str):
            number = parsing.digits(value)
            item = by_id.get(number) if number is not None else by_code.get(parsing.code_key(value))
        if item is None:
            f.add("item_ids", _("%(value)s is not an item of this application.", value=value))
        elif item not in concerned:
            concerned.append(item)
    f.raise_if_any(_("The finding could not be saved."))
    finding_data = {k: data.get(k) for k in ("severity", "area", "clause", "description")}
    finding_data["raised_on"] = raised_on
    finding_data["due_on"] = finding_due(data.get("clause"), raised_on)
    with transaction(actor):
        finding = audits_service.raise_finding(application.audit, finding_data, actor)
        for item in concerned:
            db.session.add(
                FindingItem(application_id=application.id, finding_id=finding.id, application_item_id=item.id)
            )
        db.session.flush()
    return finding


def adjust_due_date(finding: Finding) -> None:
    """A finding raised on an assessment elsewhere (the audits pages or API) with the default
    deadline by severity gets the rules' deadline instead (one given by hand is kept)."""
    if application_of_audit(finding.audit_id) is None:
        return
    default = audits_service.due_date(finding.severity, finding.raised_on)
    wanted = finding_due(finding.clause, finding.raised_on)
    if finding.due_on == default and wanted != default:
        finding.due_on = wanted


def on_finding_settled(finding: Finding, actor: Any) -> None:
    """A finding of an assessment closed or cancelled: if it was the last one open and the
    assessment is over, the application is ready for decision (the decision clock starts; a
    missing calendar year leaves its due date unknown instead of refusing the closure)."""
    application = application_of_audit(finding.audit_id)
    if application is None or application.status != Status.RECTIFICATION or application.ready_on is not None:
        return
    if active_findings(application):
        return
    mark_ready(application, actor, today(), tolerant=True)


def check_team_free(application: Application, actor: Any) -> None:
    """Refuse (403) a decision by someone who was on the assessment team."""
    if policy.on_team(actor, team_ids(application)):
        raise Forbidden(
            _(
                "You were on the assessment team of %(ref)s: the decision must be made by someone who was not.",
                ref=application.reference,
            )
        )


def assert_audit(application: Application) -> Audit:
    """The assessment's audit (Conflict if the application has none)."""
    if application.audit is None:
        raise Conflict(_("This application has no assessment."))
    return application.audit
