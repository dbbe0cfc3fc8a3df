"""Demo content for `flask seed-demo`."""


def seed_feed(demo) -> None:
    """Placeholder."""
