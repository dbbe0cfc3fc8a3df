"""Demo data for the dashboard: the demo's shares are all made at seeding time, so they are
spread over the four weeks the demo's clicks cover, and the weekly share and active-advocate
charts show weeks of data like the click chart. (Demo clicks are spread over the same weeks
without regard to their share's date: a demo simplification.)"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from advocacy.demo import DemoOrganisation
from advocacy.extensions import db
from advocacy.feeds.models import Share
from advocacy.leaderboard.reach.demo import DEMO_DAYS
from advocacy.models_base import utcnow


def spread_demo_shares(demo: DemoOrganisation) -> None:
    """Date every demo share at a random moment of the last DEMO_DAYS days."""
    rng = random.Random(11)  # noqa: S311 - the same demo every time, not security
    now = utcnow()
    shares = db.session.scalars(select(Share)).all()
    for share in shares:
        share.created_at = now - timedelta(seconds=rng.randrange(DEMO_DAYS * 86_400))
    # Everyone who shared has signed in, and so have most of the others: the funnel narrows
    # from invited to signed in to shared to clicked, as a real one does.
    sharers = {share.user_id for share in shares}
    for person in sorted(demo.people.values(), key=lambda person: person.id):
        if person.id in sharers or rng.random() < 0.55:
            person.last_login_at = now - timedelta(seconds=rng.randrange(DEMO_DAYS * 86_400))
    db.session.commit()
    demo.echo(f"{len(shares)} demo shares spread over {DEMO_DAYS} days.")
