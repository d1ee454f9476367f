"""The planning side of the link to the audits area: a draw's planned audits are created, and a
swap's new team written, through the audits service's public functions (`create_audit`,
`update_audit`); nothing here builds an Audit itself.

The audits service records audits in the name of an inspector (DESIGN: inspectors record audits).
When the person making the draw is not one (the quality department plans the year), the audit is
recorded in the name of its team's leader, an inspector, and the history comment names the draw
and who made it. When the audits policy lets PLANNING_MANAGE holders create planned audits, this
module passes the actor straight through and the fallback goes away (see the report of issue 13).
"""

from typing import Any

from flask_babel import gettext as _

from labtrack.audits import service as audits_service
from labtrack.audits.models import Audit, AuditStatus
from labtrack.extensions import db
from labtrack.history.display import N_, system_message
from labtrack.history.tracking import set_comment
from labtrack.services import Forbidden

# The history comment it writes, shown in the reader's language (history.display.system_text).
RECORDED_BY = system_message(N_("%(comment)s (by %(who)s)"))

TEAM_TEXT_MAX = 500


def team_text(members: list[Any]) -> str:
    """The audit's team as people read it: names (usernames), the leader first."""
    names = [f"{m.full_name} ({m.username})" if m.full_name else m.username for m in members]
    text = "; ".join(names)
    return text if len(text) <= TEAM_TEXT_MAX else text[: TEAM_TEXT_MAX - 1] + "…"


def _as_recorder(call, actor: Any, leader: Any, comment: str) -> Any:
    """Run an audits-service call as the actor; if the audits policy refuses the actor's role,
    as the team's leader, the comment naming the actor."""
    db.session.flush()  # what is pending is not the audit's: its history keeps its own comment
    try:
        set_comment(db.session, comment)
        return call(actor)
    except Forbidden:
        if leader is None or leader is actor:
            raise
        who = getattr(actor, "username", None) or _("the system")
        set_comment(db.session, _(RECORDED_BY, comment=comment, who=who))
        return call(leader)


def create_planned_audit(
    actor: Any, *, lab_id: int, kind: str, title: str, day: Any, leader: Any, members: list[Any], summary: str
) -> Audit:
    """A planned audit of a drawn lab with its team (the leader leads it)."""
    data = {
        "lab_id": lab_id,
        "kind": kind,
        "title": title[:200],
        "started_on": day,
        "status": AuditStatus.PLANNED.value,
        "lead_id": leader.id,
        "team": team_text(members),
        "summary": summary,
    }
    return _as_recorder(lambda who: audits_service.create_audit(data, who), actor, leader, summary)


def set_team(actor: Any, audit: Audit, leader: Any, members: list[Any], comment: str) -> Audit:
    """Write a drawn team's new make-up (after a swap) on its planned audit."""
    data = {"lead_id": leader.id, "team": team_text(members)}
    return _as_recorder(lambda who: audits_service.update_audit(audit, data, who), actor, leader, comment)
