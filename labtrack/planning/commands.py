"""`flask labtrack grade-risk [--on DATE]` and `flask labtrack draw PLAN --seed TEXT [--dry-run]`."""

import json

import click
from flask.cli import with_appcontext


def register(group: click.Group) -> None:
    """Add the planning commands to `flask labtrack`."""

    @group.command("grade-risk")
    @click.option(
        "--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="The day (default today)."
    )
    @with_appcontext
    def grade_risk_command(on) -> None:
        """Grade every laboratory as of a day (what the daily schedule runs)."""
        from labtrack.planning.grading import grade_and_commit

        result = grade_and_commit(None, on.date() if on else None)
        grades = ", ".join(f"{g} {n}" for g, n in result["grades"].items())
        click.echo(
            f"{result['as_of']}: {result['graded']} laboratories graded ({grades}); "
            f"{result['changed']} changed, {result['unchanged']} unchanged"
        )

    @group.command("draw")
    @click.argument("plan_code")
    @click.option("--seed", required=True, help="The seed (any text, recorded with the draw).")
    @click.option("--dry-run", is_flag=True, help="Show what the draw gives; record nothing.")
    @with_appcontext
    def draw_command(plan_code: str, seed: str, dry_run: bool) -> None:
        """Draw a plan's laboratories and teams (the final draw is made once); prints JSON."""
        from labtrack.planning.drawing import make_draw
        from labtrack.planning.plans import load_plan
        from labtrack.services import DomainError

        try:
            answer = make_draw(None, load_plan(None, plan_code), {"seed": seed, "dry_run": dry_run})
        except DomainError as exc:
            details = "; ".join(m for ms in exc.errors.values() for m in ms)
            raise click.ClickException(f"{exc.message} {details}".strip()) from None
        click.echo(
            json.dumps({k: answer[k] for k in ("seed", "dry_run", "labs", "teams")}, ensure_ascii=False)
        )
