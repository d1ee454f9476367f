"""`flask labtrack import-people FILE [--dry-run]` and `flask labtrack training-report`."""

import json
import sys
from datetime import date

import click

from labtrack.tabular import csv_bytes


@click.command("import-people")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change; write nothing.")
def import_people_command(file: str, dry_run: bool) -> None:
    """Add or update people from a CSV or XLSX file with header
    lab_code,staff_no,name,posts,title,employed_from,employed_to,phone,email.

    Any bad row aborts the import with every error on standard error (row number, column, reason)
    and exit status 1; nothing is written.
    """
    from labtrack.personnel.importers import import_people

    try:
        report = import_people(None, file, dry_run=dry_run)
    except OSError as exc:
        click.echo(f"{file}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    if not report.ok:
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(report.errors)} error(s); nothing imported.", err=True)
        sys.exit(1)
    click.echo(report.summary())


@click.command("training-report")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="first day")
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="last day")
@click.option("--region", default=None, help="one prefecture (default: every region)")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def training_report_command(date_from, date_to, region, fmt) -> None:
    """Sessions, attendances, hours and exams of a period (everyone, or a region), as JSON or CSV."""
    from labtrack.personnel import reports
    from labtrack.personnel.pages_reports import EXPORT_HEADER, export_rows

    start, end = date_from.date(), date_to.date()
    if end < start:
        click.echo("--to cannot be before --from", err=True)
        sys.exit(2)
    report = reports.training_report(reports.Filters(start, end, region=region))
    if fmt == "csv":
        sys.stdout.write(csv_bytes(EXPORT_HEADER, export_rows(report)).decode("utf-8-sig"))
        return
    t, e = report["training"], report["exams"]
    summary = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "region": region,
        "sessions": t["sessions"],
        "attendances": t["attendances"],
        "hours": t["hours"],
        "exams": e["exams"],
        "exam_participation": e["participation"],
        "exam_pass_rate": e["pass_rate"],
        "labs_below_threshold": [r["code"] for r in report["labs_below"]],
    }
    click.echo(
        json.dumps(summary, ensure_ascii=False, default=lambda v: v.isoformat() if isinstance(v, date) else v)
    )


def register(group: click.Group) -> None:
    """Add the personnel commands to `flask labtrack`."""
    group.add_command(import_people_command)
    group.add_command(training_report_command)
