"""Admin bootstrap commands: `flask users create` and `flask tokens create`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from advocacy.accounts import service, tokens
from advocacy.accounts.models import Role
from advocacy.errors import ServiceError

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")


def _fail(error: ServiceError) -> None:
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
    raise click.ClickException(f"{error.detail}{' (' + details + ')' if details else ''}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Display name.")
@click.option("--password", required=True, help="At least 10 characters.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.MEMBER.value,
    show_default=True,
)
@click.option("--team", "teams", multiple=True, help="Team name (created if missing); repeatable.")
@click.option("--timezone", default=None, help="IANA time zone (default: the organisation's).")
def create_user(
    email: str, name: str, password: str, role: str, teams: tuple[str, ...], timezone: str | None
):
    """Create a user who can sign in at once."""
    try:
        user = service.create_user(
            email, service.Profile(display_name=name, timezone=timezone), password, role, teams
        )
    except ServiceError as error:
        _fail(error)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "label", default="", help="A label to recognise the token by.")
def create_token(email: str, label: str):
    """Print a new personal API token for a user (shown once)."""
    user = service.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    try:
        _token, plaintext = tokens.create_api_token(user, label)
    except ServiceError as error:
        _fail(error)
    click.echo(plaintext)


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
