"""`flask backup create FILE` and `flask backup restore FILE` (then a search reindex)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from advocacy.backup.service import BackupError, create_backup, restore_backup
from advocacy.search import WriterBusy, rebuild_index

backup_cli = AppGroup("backup", help="Export the database to a file and restore it.")


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def create_command(file: Path):
    """Write the whole database to FILE (gzip JSON lines)."""
    if file.exists():
        raise click.ClickException(f"{file} exists; give a new file name.")
    try:
        summary = create_backup(file)
    except BackupError as error:
        file.unlink(missing_ok=True)
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backed up {summary.total:,} rows from {len(summary.rows)} tables "
        f"(revision {summary.revision}) to {file}."
    )


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database's content.")
@click.option("--no-reindex", is_flag=True, help="Skip rebuilding the search index afterwards.")
def restore_command(file: Path, yes: bool, no_reindex: bool):
    """Replace everything in the database with FILE's content, then rebuild the search index."""
    if not yes:
        click.confirm(
            "This deletes everything in the database and restores the backup. Go on?", abort=True
        )
    try:
        summary = restore_backup(file)
    except BackupError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from None
    click.echo(f"Restored {summary.total:,} rows into {len(summary.rows)} tables.")
    if no_reindex:
        click.echo("Search index not rebuilt: run `flask search reindex` before searching.")
        return
    try:
        count = rebuild_index()
    except WriterBusy:
        raise click.ClickException(
            "The database is restored, but another process is writing the search index: "
            "run `flask search reindex` when it has finished."
        ) from None
    click.echo(f"Search index rebuilt: {count:,} documents.")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(backup_cli)
