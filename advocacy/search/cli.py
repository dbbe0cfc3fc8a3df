"""`flask search reindex` and `flask search status`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from advocacy.config import ConfigError
from advocacy.search.backends import BACKENDS
from advocacy.search.backends.base import WriterBusy
from advocacy.search.documents import registry
from advocacy.search.extension import search_state
from advocacy.search.indexing import pending_summary, rebuild_index
from advocacy.web.templating import localtime

search_cli = AppGroup("search", help="Search index commands.")


@search_cli.command("reindex")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="Rebuild this backend instead of the configured one (SEARCH_BACKEND).",
)
def reindex_command(backend: str | None):
    """Rebuild the index from the database into a new index, then switch to it."""
    state = search_state()
    try:
        chosen = state.backend(backend)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    with click.progressbar(
        length=registry().count_rows(), label=f"Indexing ({chosen.name})"
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(bar.length or 0, total)
            bar.update(done - bar.pos)

        try:
            count = rebuild_index(chosen, progress)
        except WriterBusy:
            raise click.ClickException(
                "Another process is writing the index (a rebuild or an indexing job). "
                "Try again when it has finished."
            ) from None
    click.echo(f"Indexed {count:,} documents with {chosen.name}; searches use the new index now.")
    if chosen.name != state.backend_name:
        click.echo(
            f"Note: SEARCH_BACKEND is {state.backend_name}, so {chosen.name} gets no live "
            "updates; rebuild it again right after switching to it."
        )


@search_cli.command("status")
def status_command():
    """Show the backend, its documents per type, last update and lag (exit 1 if unavailable)."""
    backend = search_state().backend()
    status = backend.status()
    pending = pending_summary()
    click.echo(f"Backend:   {status.backend} ({status.location})")
    click.echo(f"State:     {'healthy' if status.available else 'UNAVAILABLE'}: {status.detail}")
    for doc_type, count in status.documents.items():
        click.echo(f"  {doc_type:<8} {count:>9,}")
    click.echo(f"Documents: {status.total:,}")
    updated = localtime(status.last_updated, "%Y-%m-%d %H:%M:%S %Z", "UTC") or "never"
    click.echo(f"Updated:   {updated}")
    click.echo(f"Pending:   {pending.count:,} changes, oldest {pending.lag_seconds:.0f} s ago")
    if not status.available:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(search_cli)
