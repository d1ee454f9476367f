"""`flask labtrack import-labs FILE [--dry-run]`."""

import sys

import click


@click.command("import-labs")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change; write nothing.")
def import_labs_command(file: str, dry_run: bool) -> None:
    """Create or update laboratories from a CSV or XLSX file with header code,name,region,kind.

    Existing codes are updated (name, region, kind); any bad row aborts the import with every
    error listed on standard error (row number, column, reason) and exit status 1.
    """

    from labtrack.labs.importer import import_labs

    try:
        report = import_labs(file, dry_run=dry_run)
        lines = [str(error) for error in report.errors] or [report.summary()]
    except OSError as exc:
        click.echo(f"{file}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    if not report.ok:
        for line in lines:
            click.echo(line, err=True)
        click.echo(f"{len(report.errors)} error(s); nothing imported.", err=True)
        sys.exit(1)
    click.echo(lines[0])


def register(group: click.Group) -> None:
    """Add the labs commands to `flask labtrack`."""
    group.add_command(import_labs_command)
