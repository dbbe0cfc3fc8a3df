"""Demo data for reach: four weeks of clicks on the demo's tracked links, written through the
real ingest (so rollups, verified shares and points follow), declared followers, earned-media
values and a few conversions."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from advocacy.demo import ADMIN_EMAIL, DemoOrganisation
from advocacy.extensions import db
from advocacy.feeds.models import TrackedLink
from advocacy.leaderboard.reach.audience import declare_followers, update_reach_values
from advocacy.leaderboard.reach.conversions import record_conversion
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import BATCH_SIZE, ingest_batch
from advocacy.leaderboard.reach.models import HitKind

DEMO_DAYS = 28
FOLLOWERS = {"linkedin": (150, 2500), "x": (40, 1200), "facebook": (80, 600), "xing": (30, 300)}


def seed_clicks(demo: DemoOrganisation) -> None:
    """Clicks on every demo tracked link over the last four weeks, with a weekday rhythm."""
    rng = random.Random(4)  # the same demo every time  # noqa: S311 - not security
    links = db.session.scalars(select(TrackedLink).order_by(TrackedLink.id)).all()
    now = datetime.now(UTC)
    hits: list[Hit] = []
    for link in links:
        popularity = rng.uniform(0.3, 2.5)
        visitors: list[str] = []  # about a third of clicks are people coming back
        for day in range(DEMO_DAYS, 0, -1):
            start = now - timedelta(days=day)
            weekday_factor = 0.4 if start.weekday() >= 5 else 1.0
            for _ in range(int(rng.expovariate(1 / (4 * popularity)) * weekday_factor)):
                at = start + timedelta(seconds=rng.randrange(86_400))
                if visitors and rng.random() < 0.35:
                    visitor = rng.choice(visitors)
                else:
                    visitor = f"{rng.getrandbits(128):032x}"
                    visitors.append(visitor)
                kind = HitKind.BOT if rng.random() < 0.2 else HitKind.HUMAN
                hits.append(Hit(secrets.token_hex(16), link.id, at.timestamp(), kind, visitor, ""))
    hits.sort(key=lambda hit: hit.at)
    for position in range(0, len(hits), BATCH_SIZE):
        ingest_batch(hits[position : position + BATCH_SIZE])
    for user_id in {link.user_id for link in links}:
        user = next(p for p in demo.people.values() if p.id == user_id)
        declare_followers(user, {n: rng.randint(*span) for n, span in FOLLOWERS.items()})
    update_reach_values(demo.people[ADMIN_EMAIL], 0.85, 25.0, "EUR")
    for number, link in enumerate(links[: max(1, len(links) // 3)]):
        record_conversion(
            link.code, rng.choice(["signup", "lead", "application"]), f"demo-{number}"
        )
    demo.echo(f"{len(hits)} clicks on {len(links)} tracked links over {DEMO_DAYS} days.")
