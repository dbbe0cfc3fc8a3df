"""`flask feeds ...`: run the periodic work by hand (publication, expiry, fetching sources)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.feeds import sources, workflow

feeds_cli = AppGroup("feeds", help="The advocacy feed's periodic work.")


@feeds_cli.command("publish")
def publish_command():
    """Publish and expire content whose time has come."""
    published, expired = workflow.publish_and_expire()
    click.echo(f"Published {published}, expired {expired}.")


@feeds_cli.command("fetch")
@click.option("--source", "source_id", type=int, default=None, help="Only this source id.")
def fetch_command(source_id: int | None):
    """Fetch due RSS/Atom sources now (or one source, due or not)."""
    ids = [source_id] if source_id else sources.claim_due_sources()
    for current in ids:
        outcome = sources.fetch_source(current)
        if outcome.error:
            click.echo(f"Source {current}: failed: {outcome.error}")
        else:
            click.echo(
                f"Source {current}: {len(outcome.created)} new, {outcome.duplicates} duplicates"
                f"{', not modified' if outcome.not_modified else ''}."
            )
