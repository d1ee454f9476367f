"""`flask labtrack import-scope FILE [--dry-run]` and `flask labtrack growth --from A --to B ...`."""

import csv
import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from labtrack.services import InvalidInput


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value}") from None


@click.command("import-scope")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change; write nothing.")
def import_scope_command(file: str, dry_run: bool) -> None:
    """Import lab-item periods from CSV or XLSX (all or nothing). Exit 1 with every row error on stderr."""
    from labtrack.jobs import files
    from labtrack.scope.importer import import_scope

    try:
        with open(file, "rb"):  # readable: else the one-line error below, before any work
            pass
        report = import_scope(
            file, actor=None, dry_run=dry_run, comment=f"import-scope {file}", filename=os.path.basename(file)
        )
        if report.applied:  # kept like an upload's, so the import's page offers the file again
            files.store().put(Path(file).read_bytes())
    except OSError as exc:
        click.echo(f"row 1: cannot open {file}: {exc.strerror}", err=True)
        sys.exit(1)
    if not report.ok:
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(report.errors)} error(s); nothing was written.", err=True)
        sys.exit(1)
    prefix = "Dry run, nothing written: " if dry_run else "Imported: "
    click.echo(prefix + report.summary())


@click.command("growth")
@click.option("--from", "date_from", required=True, callback=_date, help="Start date A (YYYY-MM-DD).")
@click.option("--to", "date_to", required=True, callback=_date, help="End date B (YYYY-MM-DD).")
@click.option("--lab", "lab_code", help="One laboratory, by code.")
@click.option("--region", help="The laboratories of one region.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def growth_command(date_from, date_to, lab_code, region, fmt) -> None:
    """Capability growth between two dates for a lab, a region, or everyone."""
    from labtrack.scope.growth import growth, lab_by_code, region_exists

    if lab_code and region:
        raise click.UsageError("Give --lab or --region, not both.")
    lab = None
    if lab_code:
        lab = lab_by_code(lab_code)
        if lab is None:
            click.echo(f"Unknown laboratory {lab_code}.", err=True)
            sys.exit(1)
    if region and not region_exists(region):
        click.echo(f"No laboratory in region {region}.", err=True)
        sys.exit(1)
    try:
        result = growth(date_from, date_to, lab=lab, region=region)
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            click.echo(f"--{field}: {' '.join(messages)}", err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["measure", date_from.isoformat(), date_to.isoformat(), "change", "percent"])
        for row in result.table_rows():
            writer.writerow(["" if v is None else v for v in row])
    else:
        _print_table(result)


def _print_table(result) -> None:
    click.echo(f"{result.who}: {result.headline()}")
    click.echo(
        f"{'':16}{result.date_from.isoformat():>12}{result.date_to.isoformat():>12}{'change':>9}{'%':>8}"
    )
    for measure, a, b, change, pct in result.table_rows():
        click.echo(f"{measure:16}{a:>12}{b:>12}{change:>+9}{'' if pct is None else f'{pct:+.1f}':>8}")
    for name in ("categories_added", "categories_removed", "items_added", "items_removed"):
        codes = getattr(result, name)
        if codes:
            shown = ", ".join(codes[:30]) + (f" ... (+{len(codes) - 30})" if len(codes) > 30 else "")
            click.echo(f"{name.replace('_', ' ')} ({len(codes)}): {shown}")


def register(group) -> None:
    """Add the scope commands to `flask labtrack`."""
    group.add_command(import_scope_command)
    group.add_command(growth_command)
