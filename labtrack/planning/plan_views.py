"""Pages of inspection plans: the list, making and changing a draft, the plan with its quotas,
draw (dry run or final), teams, conflicts and swaps, publishing; inspectors' profiles."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labtrack import parsing
from labtrack.audits.models import AUDIT_KIND_LABELS
from labtrack.auth.models import User
from labtrack.auth.permissions import Perm, require
from labtrack.extensions import db
from labtrack.labs.service import regions
from labtrack.models_base import today
from labtrack.planning import drawing, plans, policy
from labtrack.planning.blueprint import bp
from labtrack.planning.forms import (
    STRATA_ROWS,
    ActionForm,
    DrawForm,
    PlanForm,
    ProfileForm,
    PublishForm,
    SwapForm,
)
from labtrack.planning.models import Plan
from labtrack.scope.models import TestCategory
from labtrack.services import Forbidden, InvalidInput, NotFound, load
from labtrack.web import form_status, int_arg, submit_form


def _plan_form(plan: Plan | None = None) -> PlanForm:
    form = PlanForm(obj=plan) if plan is not None and request.method == "GET" else PlanForm()
    if plan is not None and request.method == "GET":
        form.inspectors.data = [m.user.username for m in plan.pool]
        form.version.data = plan.version
        while len(form.strata) > 0:
            form.strata.pop_entry()
        for stratum in plan.strata:
            form.strata.append_entry(
                {
                    "region": stratum.region or "",
                    "lab_kind": stratum.lab_kind or "",
                    "category": stratum.category.code if stratum.category else "",
                    "quota": stratum.quota,
                    "ratio": plans.stratum_size(stratum) if stratum.ratio_bp is not None else "",
                }
            )
        while len(form.strata) < STRATA_ROWS:
            form.strata.append_entry()
    categories = [
        (c.code, f"{c.code} {c.name}")
        for c in db.session.scalars(select(TestCategory).order_by(TestCategory.code))
    ]
    candidates = plans.pool_candidates()
    profiles = plans.profiles_by_user([u.id for u in candidates])
    choices = []
    for user in candidates:
        profile = profiles.get(user.id)
        where = " · ".join(
            x for x in (profile.region if profile else None, profile.organisation if profile else None) if x
        )
        choices.append(
            (
                user.username,
                f"{user.full_name or user.username} ({user.username}){' — ' + where if where else ''}",
            )
        )
    form.set_choices(regions(current_user), categories, choices)
    return form


@bp.get("/plans")
@require(Perm.PLANNING_VIEW)
def plan_list():
    """Inspection plans, newest year first (lab managers: the published ones)."""
    year = int_arg("year", parsing.YEAR_MIN, parsing.YEAR_MAX)
    rows = db.session.scalars(plans.plans_query(current_user, year=year)).all()
    return render_template(
        "planning/plans.html", plans=rows, years=plans.years(), year=year, kinds=AUDIT_KIND_LABELS
    )


@bp.route("/plans/new", methods=["GET", "POST"])
@require(Perm.PLANNING_MANAGE)
def plan_new():
    """Make a draft plan."""
    form = _plan_form()
    done = submit_form(
        form,
        lambda: plans.create_plan(current_user, form.plan_data()),
        success=_("Plan saved as a draft."),
        to=lambda plan: url_for("planning.plan_detail", plan_code=plan.code),
    )
    return done or (render_template("planning/plan_form.html", form=form, plan=None), form_status(form))


@bp.route("/plans/<plan_code>/edit", methods=["GET", "POST"])
@require(Perm.PLANNING_MANAGE)
def plan_edit(plan_code):
    """Change a draft plan."""
    plan = plans.load_plan(current_user, plan_code)
    if not policy.may_edit_plan(current_user, plan):
        # The plan as it is, with the reason it cannot change (a bookmark to the form still works).
        flash(_("The plan is drawn or published; it can no longer be changed."), "warning")
        return _render_plan(plan, status=409 if request.method == "POST" else 200)
    form = _plan_form(plan)
    done = submit_form(
        form,
        lambda: plans.update_plan(current_user, plan, form.plan_data(), form.version.data or None),
        success=_("Plan saved."),
        to=lambda saved: url_for("planning.plan_detail", plan_code=saved.code),
    )
    return done or (render_template("planning/plan_form.html", form=form, plan=plan), form_status(form))


@bp.post("/plans/<plan_code>/delete")
@require(Perm.PLANNING_MANAGE)
def plan_delete(plan_code):
    """Delete a draft plan."""
    plan = plans.load_plan(current_user, plan_code)
    if ActionForm().validate_on_submit():
        plans.delete_plan(current_user, plan)
        flash(_("Plan deleted."), "success")
    return redirect(url_for("planning.plan_list"), code=303)


def _render_plan(
    plan: Plan, draw_form: DrawForm | None = None, answer: dict | None = None, status: int = 200
):
    drawn = drawing.drawn_labs(plan) if policy.sees_draw(current_user, plan) else []
    swap_form = None
    if policy.may_swap(current_user, plan) and any(
        d.audit is None or d.audit.status != "completed" for d in drawn
    ):
        swap_form = SwapForm()
        swap_form.lab_code.choices = [(d.lab.code, f"{d.lab.code} {d.lab.name}") for d in drawn]
        names = sorted({m.user.username for d in drawn for m in drawing.current_team(d)})
        swap_form.out.choices = [(n, n) for n in names]
        swap_form.into.choices = [(u.username, u.username) for u in plans.pool_candidates()]
    pool = (
        sorted(plan.pool, key=lambda m: m.user.username)
        if policy.sees_draw_inputs(current_user, plan)
        else []
    )
    profiles = plans.profiles_by_user([m.user_id for m in pool])
    return (
        render_template(
            "planning/plan.html",
            plan=plan,
            quotas=drawing.quota_rows(plan),
            drawn=drawn,
            team=drawing.current_team,
            swaps=drawing.swaps_of(plan) if policy.sees_draw(current_user, plan) else [],
            pool=pool,
            profiles=profiles,
            draw_form=draw_form or (DrawForm() if policy.may_draw(current_user, plan) else None),
            answer=answer,
            swap_form=swap_form,
            action_form=ActionForm(),
            publish_form=PublishForm(),
            kinds=AUDIT_KIND_LABELS,
            conflict_label=drawing.conflict_label,
            stratum_of=lambda n: drawing.stratum_of(plan, n),
            stratum_label=plans.stratum_label,
            users={
                u.username: u
                for u in db.session.scalars(select(User).where(User.id.in_([m.user_id for m in plan.pool])))
            },
        ),
        status,
    )


@bp.get("/plans/<plan_code>")
@require(Perm.PLANNING_VIEW)
def plan_detail(plan_code):
    """A plan: strata and quotas met, pool, the draw with its teams and the conflicts that
    excluded someone, swaps, planned audits and their outcomes."""
    return _render_plan(plans.load_plan(current_user, plan_code))


@bp.post("/plans/<plan_code>/draw")
@require(Perm.PLANNING_MANAGE)
def plan_draw(plan_code):
    """Try a seed (the dry run is shown, nothing recorded) or make the final draw."""
    plan = plans.load_plan(current_user, plan_code)
    form = DrawForm()
    if not form.validate_on_submit():
        return _render_plan(plan, form, status=form_status(form))
    dry_run = bool(form.dry_run.data)
    try:
        answer = drawing.make_draw(current_user, plan, {"seed": form.seed.data, "dry_run": dry_run})
    except InvalidInput as exc:
        for messages in exc.errors.values():
            form.seed.errors = list(form.seed.errors) + list(messages)
        flash(exc.message, "danger")
        return _render_plan(plan, form, status=422)
    if dry_run:
        return _render_plan(plan, form, answer)
    flash(
        _("The draw is made: %(n)d laboratories, their planned audits and teams.", n=len(answer["labs"])),
        "success",
    )
    return redirect(url_for("planning.plan_detail", plan_code=plan.code), code=303)


@bp.get("/plans/<plan_code>/draw.json")
@require(Perm.PLANNING_VIEW)
def plan_draw_record(plan_code):
    """The draw's record: its inputs (as docs/draw.md defines them) and what it gave, for a rerun."""
    plan = plans.load_plan(current_user, plan_code)
    if plan.draw is None or not policy.sees_draw_inputs(current_user, plan):
        raise NotFound(_("No such %(what)s.", what=_("draw")))
    response = jsonify(
        {
            "plan": plan.code,
            "seed": plan.draw.seed,
            "digest": plan.draw.digest,
            "inputs": plan.draw.inputs,
            "result": plan.draw.result,
        }
    )
    response.headers["Content-Disposition"] = f'attachment; filename="draw-{plan.code}.json"'
    return response


@bp.post("/plans/<plan_code>/publish")
@require(Perm.PLANNING_MANAGE)
def plan_publish(plan_code):
    """Publish the plan, or its draw and outcomes."""
    plan = plans.load_plan(current_user, plan_code)
    form = PublishForm()
    if form.validate_on_submit():
        plans.publish(current_user, plan, form.what.data)
        flash(_("Published."), "success")
    return redirect(url_for("planning.plan_detail", plan_code=plan.code), code=303)


@bp.post("/plans/<plan_code>/swap")
@require(Perm.PLANNING_MANAGE)
def plan_swap(plan_code):
    """Replace an inspector on a drawn team, with a reason."""
    plan = plans.load_plan(current_user, plan_code)
    form = SwapForm()
    if not policy.may_swap(current_user, plan):
        raise Forbidden(_("You may not change drawn teams."))
    data = {
        "lab_code": form.lab_code.data,
        "out": form.out.data,
        "in": form.into.data,
        "reason": form.reason.data,
    }
    done = submit_form(
        form,
        lambda: drawing.swap(current_user, plan, data),
        success=_("Swap recorded."),
        to=url_for("planning.plan_detail", plan_code=plan.code) + "#swaps",
    )
    if done:
        return done
    body, _status = _render_plan(plan)
    return body, 422


@bp.get("/inspectors")
@require(Perm.PLANNING_VIEW)
def inspectors():
    """The inspectors who may be drawn, with where they belong (the conflict rules read it)."""
    people = plans.pool_candidates()
    return render_template(
        "planning/inspectors.html",
        people=people,
        profiles=plans.profiles_by_user([u.id for u in people]),
        form=ProfileForm(),
        regions=regions(current_user),
        may_edit=policy.may_manage_plans(current_user),
    )


@bp.post("/inspectors/<int:user_id>")
@require(Perm.PLANNING_MANAGE)
def inspector_profile(user_id):
    """Save where an inspector belongs."""
    user = load(User, user_id, visible=policy.may_be_drawn, what=_("inspector"))
    form = ProfileForm()
    done = submit_form(
        form,
        lambda: plans.set_profile(current_user, user, form.data),
        success=_("Profile of %(name)s saved.", name=user.username),
        to=url_for("planning.inspectors") + f"#inspector-{user.id}",
    )
    if done:
        return done
    people = plans.pool_candidates()
    return (
        render_template(
            "planning/inspectors.html",
            people=people,
            profiles=plans.profiles_by_user([u.id for u in people]),
            form=form,
            editing=user.id,
            regions=regions(current_user),
            may_edit=True,
        ),
        form_status(form),
    )


@bp.app_template_global("planning_today")
def planning_today():
    """Today, for templates."""
    return today()
