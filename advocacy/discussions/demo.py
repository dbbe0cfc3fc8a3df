"""The discussions part of `flask seed-demo` (filled in below)."""


def seed_discussions(demo) -> None:
    """Spaces, threads, questions and announcements."""
