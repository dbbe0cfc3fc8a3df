"""`flask discussions queue-digests`: queue the digests that are due now."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from advocacy.discussions.cli import discussions_cli
from advocacy.discussions.notifications import digests


@click.command("queue-digests")
@with_appcontext
def queue_digests():
    """Queue the digests that are due now (the worker also does this every ten minutes)."""
    queued = digests.queue_due_digests()
    click.echo(f"{queued} digest{'s' * (queued != 1)} queued.")


def init_app() -> None:
    """Add the command to the `flask discussions` group."""
    discussions_cli.add_command(queue_digests)
