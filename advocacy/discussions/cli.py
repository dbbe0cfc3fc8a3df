"""`flask discussions ...`: give teams their spaces, send the digests that are due now."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from advocacy.discussions import spaces
from advocacy.discussions.notifications import digests

discussions_cli = AppGroup("discussions", help="Internal discussions.")


@discussions_cli.command("sync-team-spaces")
def sync_team_spaces():
    """Give every team that has none its own private space (teams made before this feature)."""
    created = spaces.ensure_team_spaces()
    click.echo(f"{created} team space{'s' * (created != 1)} created.")


@discussions_cli.command("queue-digests")
def queue_digests():
    """Queue the digests that are due now (the worker also does this every ten minutes)."""
    queued = digests.queue_due_digests()
    click.echo(f"{queued} digest{'s' * (queued != 1)} queued.")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(discussions_cli)
