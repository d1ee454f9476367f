"""`flask labtrack application-clocks [--on DATE]` (tell the division of clocks overdue, as the daily
schedule does) and `flask labtrack working-calendar YEAR` (set a year of the working calendar up
from the State Council's notice this release carries)."""

import click
from flask.cli import with_appcontext


def register(group: click.Group) -> None:
    """Add the applications commands to `flask labtrack`."""

    @group.command("application-clocks")
    @click.option(
        "--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="The day (default today)."
    )
    @with_appcontext
    def application_clocks_command(on) -> None:
        """Tell the accreditation division of each step overdue on a day (once per clock)."""
        from labtrack.applications.tasks import notify_overdue
        from labtrack.models_base import today

        day = on.date() if on else today()
        result = notify_overdue(day)
        click.echo(f"{day.isoformat()}: {result['overdue_clocks_told']} overdue steps told to the division")

    @group.command("working-calendar")
    @click.argument("year", type=int)
    @with_appcontext
    def working_calendar_command(year: int) -> None:
        """Set a year up with its public holidays and make-up working days (known years only)."""
        from labtrack.applications import calendar, holidays

        if year not in holidays.known_years():
            known = ", ".join(map(str, holidays.known_years()))
            raise click.ClickException(
                f"No notice for {year} in this release (known: {known}); enter it on /applications/calendar."
            )
        added = calendar.load_days(year, holidays.rows(year), None, note=holidays.NOTES.get(year))
        click.echo(f"{year}: {added} days added" if added else f"{year} was already set up")
