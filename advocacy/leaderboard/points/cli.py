"""`flask leaderboard ...`: maintenance of the standings."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.jobs import redis_connection
from advocacy.leaderboard.points.totals import rebuild_rollups_from_ledger, rebuild_sorted_sets

leaderboard_cli = AppGroup("leaderboard", help="Points and standings.")


@leaderboard_cli.command("rebuild")
@click.option(
    "--from-ledger",
    is_flag=True,
    help="First recompute the SQL rollups from the ledger (repairs any drift).",
)
def rebuild_command(from_ledger: bool) -> None:
    """Rebuild the Redis sorted sets (and, with --from-ledger, the SQL rollups) from the ledger."""
    if from_ledger:
        count = rebuild_rollups_from_ledger()
        click.echo(f"SQL rollups recomputed from {count:,} ledger entries.")
    redis = redis_connection()
    if redis is None:
        click.echo("No REDIS_URL: standings are read from SQL; there are no sorted sets to build.")
        return
    written = rebuild_sorted_sets(redis)
    click.echo(f"{written} sorted sets rebuilt from the ledger's rollups.")
