"""Who may do and see what in comparison rounds: small pure predicates on (actor, round / result).

The rules (DESIGN, "Roles" and "Proficiency testing"):
- Rounds are managed (created, edited, opened, closed, evaluated, published) by those holding
  ROUNDS_MANAGE: the quality department and admins.
- Everyone who reads rounds sees every round, except a lab manager: only the rounds its lab is
  invited to, and not while a round is still planned (the bureau's draft).
- Which lab is behind a participant code: the bureau's staff and viewers see every lab; a lab
  manager sees only its own lab, the others by their anonymous participant code.
- Reported values: a lab manager sees its own result, and the others' once the round is published.
- Scores, grades, x_pt, u(x_pt), sigma_pt, the evaluation and the charts of scores: before
  publication only those who manage rounds; after publication everyone who may see the round.
  Inspectors enter results but do not manage rounds, so they wait for publication like everyone.
- Results are entered while a round is open, for an invited lab, by those holding RESULTS_ENTER;
  a lab manager only for its own lab, and one result at a time (files are for the bureau's staff).

No Flask and no database session here: SQLAlchemy expressions for narrowing queries only.
"""

from typing import Any

from sqlalchemy import exists

from labtrack.auth import policy as who
from labtrack.auth.permissions import Perm
from labtrack.proficiency.models import Participant, Result, Round, RoundStatus

# A participant sees its round once it is open; a planned round is still the bureau's draft.
SHOWN_TO_PARTICIPANTS = (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.EVALUATED, RoundStatus.PUBLISHED)
# Rounds that carry scores.
SCORED = (RoundStatus.EVALUATED, RoundStatus.PUBLISHED)
# The stability study may be entered until the round is evaluated.
STABILITY_OPEN_UNTIL = (RoundStatus.PLANNED, RoundStatus.OPEN, RoundStatus.CLOSED)
# Items are sent and received until the round closes.
DISPATCH_OPEN = (RoundStatus.PLANNED, RoundStatus.OPEN)


# --- what an actor may do ------------------------------------------------------------------------


def may_view(actor: Any) -> bool:
    """Whether the actor reads comparison rounds at all."""
    return who.holds(actor, Perm.ROUNDS_VIEW)


def may_manage(actor: Any) -> bool:
    """Whether the actor creates, edits, opens, closes, evaluates and publishes rounds."""
    return who.holds(actor, Perm.ROUNDS_MANAGE)


def may_enter_result(actor: Any, rnd: Round, lab_id: int | None) -> bool:
    """Whether the actor may enter (or withdraw) this lab's result in this round now: the round is
    open, the lab is invited, and a lab manager only for its own lab."""
    return (
        who.holds(actor, Perm.RESULTS_ENTER)
        and rnd.status == RoundStatus.OPEN
        and sees_round(actor, rnd)
        and who.sees_lab(actor, lab_id)
        and any(p.lab_id == lab_id for p in rnd.participants)
    )


def may_enter_for_others(actor: Any) -> bool:
    """Whether the actor enters results for any invited lab (and so may upload a file of them)."""
    return who.holds(actor, Perm.RESULTS_ENTER) and who.confined_lab(actor) is None


def may_upload_results(actor: Any, rnd: Round) -> bool:
    """Whether the actor may upload a file of several labs' results into this round now."""
    return may_enter_for_others(actor) and rnd.status == RoundStatus.OPEN


def may_withdraw_result(actor: Any, result: Result) -> bool:
    """Whether the actor may withdraw this result (while its round is open)."""
    return may_enter_result(actor, result.round, result.lab_id)


def may_record_homogeneity(actor: Any, rnd: Round) -> bool:
    """Whether the actor may enter or replace the homogeneity study: a manager, before the round opens."""
    return may_manage(actor) and rnd.status == RoundStatus.PLANNED


def may_record_stability(actor: Any, rnd: Round) -> bool:
    """Whether the actor may enter or replace the stability study: a manager, until the round is
    evaluated (the items are often measured again when the results are in)."""
    return may_manage(actor) and rnd.status in STABILITY_OPEN_UNTIL


def may_record_dispatch(actor: Any, rnd: Round) -> bool:
    """Whether the actor may record that the items were sent: a manager, until the round closes."""
    return may_manage(actor) and rnd.status in DISPATCH_OPEN


def may_record_receipt(actor: Any, rnd: Round, lab_id: int | None) -> bool:
    """Whether the actor may record that this lab's item arrived (and in what condition): a manager
    for any invited lab, a lab manager for its own lab, until the round closes."""
    return (
        rnd.status in DISPATCH_OPEN
        and sees_round(actor, rnd)
        and any(p.lab_id == lab_id for p in rnd.participants)
        and (may_manage(actor) or (who.holds(actor, Perm.RESULTS_ENTER) and who.sees_lab(actor, lab_id)))
    )


# --- what an actor may see -----------------------------------------------------------------------


def sees_round(actor: Any, rnd: Round) -> bool:
    """Whether the round exists for the actor (a lab manager: its lab is invited and it is open or later)."""
    if not may_view(actor):
        return False
    lab_id = who.confined_lab(actor)
    if lab_id is None:
        return True
    return rnd.status in SHOWN_TO_PARTICIPANTS and any(p.lab_id == lab_id for p in rnd.participants)


def sees_every_identity(actor: Any) -> bool:
    """Whether the actor sees which lab is behind every participant code."""
    return may_view(actor) and who.confined_lab(actor) is None


def sees_lab_identity(actor: Any, lab_id: int | None) -> bool:
    """Whether the actor may see that this lab takes part (a lab manager: its own lab only)."""
    return may_view(actor) and who.sees_lab(actor, lab_id)


def sees_identity(actor: Any, result: Result) -> bool:
    """Whether the actor sees which lab reported this result (otherwise only its participant code)."""
    return sees_lab_identity(actor, result.lab_id)


def sees_result(actor: Any, result: Result) -> bool:
    """Whether the actor sees this reported value: its own lab's always, the others' once published
    (a lab manager), every one (everybody else who sees the round)."""
    return sees_round(actor, result.round) and (
        sees_identity(actor, result) or result.round.status == RoundStatus.PUBLISHED
    )


def sees_scores(actor: Any, rnd: Round) -> bool:
    """Whether the actor sees the round's scores, grades, x_pt, u(x_pt), sigma_pt, its evaluation and
    the charts of scores: before publication only those who manage rounds, then everyone who sees it."""
    if not sees_round(actor, rnd):
        return False
    return rnd.status == RoundStatus.PUBLISHED or may_manage(actor)


def sees_studies(actor: Any, rnd: Round) -> bool:
    """Whether the actor sees the homogeneity and stability studies: their means and sigma_pt tell the
    assigned value, so like the scores: managers always, everyone who sees the round once published."""
    return sees_scores(actor, rnd)


def sees_dispatch(actor: Any, participant: Participant) -> bool:
    """Whether the actor sees when this participant's item was sent and received (a lab manager: its own)."""
    return sees_round(actor, participant.round) and sees_lab_identity(actor, participant.lab_id)


def sees_round_history(actor: Any, rnd: Round) -> bool:
    """Whether the actor reads the round's change log (it names x_pt and every invited lab)."""
    return who.holds(actor, Perm.HISTORY_VIEW) and sees_every_identity(actor) and sees_scores(actor, rnd)


def sees_pipeline(actor: Any) -> bool:
    """Whether the actor sees the rounds waiting for evaluation and publication."""
    return may_manage(actor)


def scored_statuses(actor: Any) -> tuple[RoundStatus, ...]:
    """The statuses whose scores the actor sees in lists across rounds (a lab's history, panels)."""
    return SCORED if may_manage(actor) else (RoundStatus.PUBLISHED,)


def shown_statuses(actor: Any) -> tuple[RoundStatus, ...] | None:
    """The statuses of the rounds the actor may list (None: all of them)."""
    return None if who.confined_lab(actor) is None else SHOWN_TO_PARTICIPANTS


# --- narrowing queries ---------------------------------------------------------------------------


def narrow(stmt: Any, actor: Any) -> Any:
    """Narrow a select of rounds to those the actor may see (a lab manager: its lab's, once open)."""
    if not may_view(actor):
        return stmt.where(Round.id.is_(None))
    lab_id = who.confined_lab(actor)
    if lab_id is None:
        return stmt
    return stmt.where(
        Round.status.in_(SHOWN_TO_PARTICIPANTS),
        exists().where(Participant.round_id == Round.id, Participant.lab_id == lab_id),
    )


def narrow_labs(stmt: Any, lab_id_column: Any, actor: Any) -> Any:
    """Narrow a select keyed by lab (round findings, coverage rows) to the labs the actor sees."""
    return who.narrow(stmt, lab_id_column, actor)


# --- reports on paper ----------------------------------------------------------------------------


def may_read_final_report(actor: Any, rnd: Round) -> bool:
    """Whether the actor may have the round's final report (every participant named): those who see
    every identity and the scores (managers once evaluated, the bureau's other readers once published)."""
    return rnd.status in SCORED and sees_every_identity(actor) and sees_scores(actor, rnd)


def may_read_participant_report(actor: Any, rnd: Round, lab_id: int | None) -> bool:
    """Whether the actor may have this participant's own report (and its certificate): the round is
    evaluated and its scores seen (a lab manager: only once published, only its own lab)."""
    return (
        rnd.status in SCORED
        and sees_scores(actor, rnd)
        and sees_lab_identity(actor, lab_id)
        and any(p.lab_id == lab_id for p in rnd.participants)
    )
