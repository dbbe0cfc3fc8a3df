"""`flask seed-demo`: a believable organisation to explore (each feature adds its part)."""

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill an empty database with a demo organisation and print how to sign in."""
    click.echo("TODO")
