"""`flask labtrack send-reminders [--on DATE]` and `flask labtrack send-mail`."""

import click
from flask.cli import with_appcontext


def register(group: click.Group) -> None:
    """Add the notify commands to `flask labtrack`."""

    @group.command("send-reminders")
    @click.option(
        "--on",
        "on",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The day (default today, UTC).",
    )
    @click.option("--no-mail", is_flag=True, help="Only record the reminders; send no e-mail now.")
    @with_appcontext
    def send_reminders_command(on, no_mail: bool) -> None:
        """Compute the day's reminders (idempotent) and e-mail each recipient once (their digest)."""
        from labtrack.models_base import today
        from labtrack.notify.delivery import deliver
        from labtrack.notify.reminders import send_reminders

        run = send_reminders(on.date() if on else today())
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(run.by_kind.items())) or "none new"
        click.echo(f"{run.on.isoformat()}: {run.created} reminders ({kinds})")
        if not no_mail:
            sent = deliver(digest=True)
            click.echo(
                f"e-mail: {sent.emails} messages carrying {sent.notifications} notifications; {sent.failed} to retry"
            )
            for error in sent.errors:
                click.echo(f"mail server: {error}", err=True)

    @group.command("send-mail")
    @click.option("--digest", is_flag=True, help="Everyone's waiting notifications, digests included.")
    @with_appcontext
    def send_mail_command(digest: bool) -> None:
        """E-mail the notifications waiting now (what the worker does every minute)."""
        from labtrack.notify.delivery import deliver

        sent = deliver(digest=digest)
        click.echo(
            f"e-mail: {sent.emails} messages carrying {sent.notifications} notifications; {sent.failed} to retry"
        )
