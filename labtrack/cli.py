"""`flask labtrack ...`: demo data, accounts, tokens, and each area's commands."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from labtrack.auth.policy import roles
from labtrack.extensions import db

labtrack_cli = AppGroup("labtrack", help="labtrack commands.")


@labtrack_cli.command("demo")
@click.option("--force", is_flag=True, help="Load even if the database holds other data.")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database (make run).")
def demo_command(force: bool, if_empty: bool) -> None:
    """Load the demo data set (idempotent)."""
    from labtrack.demo import DemoRefused, database_is_empty, load_demo

    if if_empty and not database_is_empty():
        click.echo("The database already holds data; demo not loaded.")
        return
    try:
        summary = load_demo(force=force)
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary)


@labtrack_cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in roles()]))
@click.option("--lab", "lab_code", help="Lab code (lab managers only).")
@click.option("--full-name", default="")
@click.option("--email", default=None)
def create_user_command(username, role, lab_code, full_name, email) -> None:
    """Create a user; the password is read from standard input."""
    from labtrack.auth.service import create_user
    from labtrack.services import InvalidInput

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(username, password, role, lab_code=lab_code, full_name=full_name, email=email)
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        sys.exit(1)
    click.echo(f"Created {user.username} ({role}).")


@labtrack_cli.command("create-token")
@click.argument("username")
@click.option("--name", default="", help="A label for the token.")
def create_token_command(username: str, name: str) -> None:
    """Print a new API token for a user (shown once; only its hash is kept)."""
    from labtrack.auth.models import User
    from labtrack.auth.service import issue_token
    from labtrack.services import DomainError

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    try:
        click.echo(issue_token(user, name=name))
    except DomainError as exc:
        raise click.ClickException(
            " ".join([exc.message, *(m for ms in exc.errors.values() for m in ms)])
        ) from exc


def register_area_commands() -> None:
    """Add each area's commands (`register(group)` in `labtrack/<area>/commands.py`)."""
    from labtrack.areas import area_modules

    for module in area_modules("commands"):
        module.register(labtrack_cli)
