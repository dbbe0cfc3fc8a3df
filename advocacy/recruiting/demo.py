"""Demo referrals: applications through the demo's job-opening links over the last four weeks,
reported through the real conversions and stage paths, some moving on to interviews and hires."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from advocacy.demo import DemoOrganisation
from advocacy.extensions import db
from advocacy.feeds.models import Content, ContentKind, TrackedLink
from advocacy.leaderboard.conversions import record_conversion
from advocacy.recruiting.referrals import APPLICATION, update_stage

DEMO_DAYS = 28
PIPELINE = ("interviewed", "offered", "hired")


def seed_referrals(demo: DemoOrganisation) -> None:
    """A few applications per job link, each moving forward a random number of stages."""
    rng = random.Random(7)  # noqa: S311 - the same demo every time, not security
    links = db.session.scalars(
        select(TrackedLink)
        .join(Content, Content.id == TrackedLink.content_id)
        .where(Content.kind == ContentKind.JOB_OPENING.value)
        .order_by(TrackedLink.id)
    ).all()
    now = datetime.now(UTC)
    count = 0
    for link in links:
        for _ in range(rng.randint(1, 4)):
            count += 1
            external_id = f"demo-ats-{count}"
            applied = now - timedelta(days=rng.randint(2, DEMO_DAYS), hours=rng.randint(0, 23))
            record_conversion(link.code, APPLICATION, external_id, applied)
            moment = applied
            for stage in PIPELINE[: rng.choice((0, 0, 1, 1, 2, 3))]:
                moment = min(now, moment + timedelta(days=rng.randint(1, 4)))
                update_stage(external_id, stage, moment)
            if rng.random() < 0.2:
                update_stage(external_id, "rejected", min(now, moment + timedelta(days=1)))
    demo.echo(f"{count} referred applications on {len(links)} job links.")
