"""Demo referrals: a few colleagues share the demo's job openings, candidates click through
(the real ingest) and apply over the last four weeks, reported through the real conversions and
stage paths, some moving on to interviews, offers and hires."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from advocacy.demo import DemoOrganisation
from advocacy.extensions import db
from advocacy.feeds import compliance, sharing
from advocacy.feeds.feed import matches_audience
from advocacy.feeds.models import Content, ContentKind, ContentState, TrackedLink
from advocacy.leaderboard.reach.conversions import record_conversion
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch
from advocacy.leaderboard.reach.models import HitKind
from advocacy.recruiting.referrals import APPLICATION, update_stage

DEMO_DAYS = 28
PIPELINE = ("interviewed", "offered", "hired")
RECRUITERS = ("tom.fletcher@acme.example", "ben.carter@acme.example", "kenji.sato@acme.example")


def _share_openings(demo: DemoOrganisation, rng: random.Random, now: datetime) -> None:
    """Colleagues share the approved job openings, and visitors click over four weeks."""
    openings = db.session.scalars(
        select(Content)
        .where(Content.kind == ContentKind.JOB_OPENING.value)
        .where(Content.state == ContentState.APPROVED.value)
        .order_by(Content.id)
    ).all()
    people = [demo.people[e] for e in RECRUITERS if e in demo.people] or list(demo.people.values())[
        :3
    ]
    hits = []
    for person in people:
        compliance.acknowledge_policy(person)
        for content in openings:
            if not matches_audience(person, content) or rng.random() < 0.4:
                continue
            sharing.share_content(person, content, "linkedin")
            link = sharing.get_or_create_link(person, content, "linkedin")
            for _ in range(rng.randint(3, 25)):
                at = now - timedelta(seconds=rng.randrange(DEMO_DAYS * 86_400))
                hits.append(
                    Hit(
                        secrets.token_hex(16),
                        link.id,
                        at.timestamp(),
                        HitKind.HUMAN,
                        secrets.token_hex(16),
                        "",
                    )
                )
    hits.sort(key=lambda hit: hit.at)
    ingest_batch(hits)


def seed_referrals(demo: DemoOrganisation) -> None:
    """A few applications per job link, each moving forward a random number of stages."""
    rng = random.Random(7)  # noqa: S311 - the same demo every time, not security
    now = datetime.now(UTC)
    _share_openings(demo, rng, now)
    links = db.session.scalars(
        select(TrackedLink)
        .join(Content, Content.id == TrackedLink.content_id)
        .where(Content.kind == ContentKind.JOB_OPENING.value)
        .order_by(TrackedLink.id)
    ).all()
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
