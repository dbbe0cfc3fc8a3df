"""`flask discussions ...`: give teams their spaces (notifications adds `queue-digests`)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from advocacy.discussions import spaces

discussions_cli = AppGroup("discussions", help="Internal discussions.")


@discussions_cli.command("sync-team-spaces")
def sync_team_spaces():
    """Give every team that has none its own private space (teams made before this feature)."""
    created = spaces.ensure_team_spaces()
    click.echo(f"{created} team space{'s' * (created != 1)} created.")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(discussions_cli)
