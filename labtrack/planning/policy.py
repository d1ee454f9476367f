"""Who may do and see what in planning: risk grades, plans and draws, sanctions. Pure predicates on
(actor, record); the queries' narrowing for lab managers. No Flask, no database session.

- Risk grades: the bureau's staff and viewers see every lab's grade with its inputs; a lab
  manager sees only their own lab's. Grading (one lab or everyone) is for PLANNING_MANAGE.
- Plans: staff and viewers see every plan and draw with its inputs; a lab manager sees a plan once
  it is published and its draw once the draw is published (what the public sees).
  Plans are made, changed (while drafts), drawn, published and swapped by PLANNING_MANAGE.
- Inspectors in a pool: accounts of the inspector role that are active.
- Sanctions: staff and viewers see all; a lab manager their own lab's. SANCTIONS_MANAGE imposes
  and lifts them.
"""

from typing import Any

from labtrack.auth.permissions import Perm, Role
from labtrack.auth.policy import confined_lab, holds, is_lab_manager, is_system, narrow, role_of, sees_lab
from labtrack.planning.values import FINAL_KINDS, LIFTABLE_KINDS, PlanStatus

# --- risk grades ---------------------------------------------------------------------------------


def sees_planning(actor: Any) -> bool:
    """Reach the planning area at all."""
    return is_system(actor) or holds(actor, Perm.PLANNING_VIEW)


def sees_every_lab(actor: Any) -> bool:
    """See grades, warnings and reports across labs (not a lab manager)."""
    return sees_planning(actor) and confined_lab(actor) is None


def sees_grade(actor: Any, lab_id: int | None) -> bool:
    """A lab's risk grade, with its inputs and explanation."""
    return sees_planning(actor) and sees_lab(actor, lab_id)


def may_grade(actor: Any) -> bool:
    """Recompute risk grades (one lab or everyone)."""
    return is_system(actor) or holds(actor, Perm.PLANNING_MANAGE)


def narrow_labs(stmt: Any, lab_id_column: Any, actor: Any) -> Any:
    """Narrow a select of lab-keyed rows to the actor's own lab when they are confined to one."""
    return narrow(stmt, lab_id_column, actor)


# --- plans and draws -----------------------------------------------------------------------------


def sees_unpublished_plans(actor: Any) -> bool:
    """Drafts, unpublished plans and draws, and the inputs of every draw."""
    return sees_every_lab(actor)


def sees_plan(actor: Any, plan: Any) -> bool:
    """A plan: every plan for staff and viewers; a published one for lab managers."""
    if plan is None or not sees_planning(actor):
        return False
    return sees_unpublished_plans(actor) or plan.published_on is not None


def sees_draw(actor: Any, plan: Any) -> bool:
    """A plan's draw (labs, teams, conflicts): staff and viewers; others once it is published."""
    if not sees_plan(actor, plan):
        return False
    return sees_unpublished_plans(actor) or plan.draw_published_on is not None


def sees_draw_inputs(actor: Any, plan: Any) -> bool:
    """The recorded inputs of a draw (the population with its risk weights): staff and viewers."""
    return sees_plan(actor, plan) and sees_unpublished_plans(actor)


def may_manage_plans(actor: Any) -> bool:
    """Make plans, draw, publish, swap inspectors, keep inspectors' profiles."""
    return is_system(actor) or holds(actor, Perm.PLANNING_MANAGE)


def may_edit_plan(actor: Any, plan: Any) -> bool:
    """Change or delete a plan: a draft that is not published yet."""
    return (
        may_manage_plans(actor)
        and plan is not None
        and plan.status == PlanStatus.DRAFT
        and plan.published_on is None
    )


def may_draw(actor: Any, plan: Any) -> bool:
    """Make (or try, as a dry run) a plan's draw: a plan not drawn yet."""
    return may_manage_plans(actor) and plan is not None and plan.status == PlanStatus.DRAFT


def may_publish_plan(actor: Any, plan: Any) -> bool:
    """Publish a plan (it can no longer be changed)."""
    return may_manage_plans(actor) and plan is not None and plan.published_on is None


def may_publish_draw(actor: Any, plan: Any) -> bool:
    """Publish a published plan's draw and its outcomes."""
    return (
        may_manage_plans(actor)
        and plan is not None
        and plan.status == PlanStatus.DRAWN
        and plan.published_on is not None
        and plan.draw_published_on is None
    )


def may_swap(actor: Any, plan: Any) -> bool:
    """Replace an inspector on a drawn team (with a reason)."""
    return may_manage_plans(actor) and plan is not None and plan.status == PlanStatus.DRAWN


def may_be_drawn(user: Any) -> bool:
    """Whether an account can be in an inspector pool: an active inspector."""
    return role_of(user) is Role.INSPECTOR and bool(getattr(user, "active", False))


def drawn_role() -> Role:
    """The role an account needs to be drawn into inspection teams (the demo's outside experts)."""
    return Role.INSPECTOR


# --- sanctions -----------------------------------------------------------------------------------


def sees_sanction(actor: Any, sanction: Any) -> bool:
    """A sanction and the findings behind it: staff and viewers; a lab manager their own lab's."""
    return sanction is not None and sees_planning(actor) and sees_lab(actor, sanction.lab_id)


def may_impose(actor: Any, lab: Any = None) -> bool:
    """Impose a sanction on a lab."""
    return is_system(actor) or holds(actor, Perm.SANCTIONS_MANAGE)


def may_lift(actor: Any, sanction: Any) -> bool:
    """Lift a deadline rectification or a suspension still in force (revocation and cancellation
    are final)."""
    return (
        (is_system(actor) or holds(actor, Perm.SANCTIONS_MANAGE))
        and sanction is not None
        and sanction.kind in LIFTABLE_KINDS
        and sanction.ended_on is None
    )


def is_final(kind: Any) -> bool:
    """Revocation and cancellation: the whole qualification, for good."""
    return kind in FINAL_KINDS


def is_own_lab_only(actor: Any) -> bool:
    """The actor sees one lab only (a lab manager): pages show that lab instead of lists."""
    return is_lab_manager(actor)
