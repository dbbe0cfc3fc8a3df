"""`flask seed-demo` adds the feed's demo: content in every state, rules, a source and shares."""

from __future__ import annotations

from sqlalchemy import func, select

from advocacy.accounts.service import find_user_by_email
from advocacy.demo import CURATOR_EMAIL
from advocacy.extensions import db
from advocacy.feeds import compliance, feed
from advocacy.feeds.models import Content, Share, Source, TrackedLink


def test_seed_demo_fills_the_feed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "content items" in result.output
    total = db.session.scalar(select(func.count()).select_from(Content))
    assert 55 <= total <= 65
    states = set(db.session.scalars(select(Content.state)))
    assert states == {"approved", "submitted", "rejected", "expired"}
    kinds = set(db.session.scalars(select(Content.kind)))
    assert kinds == {"link", "culture_story", "job_opening", "announcement"}
    assert compliance.disclosure() == "#AcmeEmployee" and compliance.current_policy()
    assert "confidential" in compliance.blocked_terms()
    assert db.session.scalar(select(func.count()).select_from(Source)) == 1
    assert db.session.scalar(select(func.count()).select_from(Share)) >= 10
    assert db.session.scalar(select(func.count()).select_from(TrackedLink)) >= 10
    curator = find_user_by_email(CURATOR_EMAIL)
    page = feed.feed_page(curator, limit=50)
    assert len(page.items) >= 30
    scheduled = db.session.scalar(
        select(func.count()).select_from(Content).where(Content.publish_at > func.now())
    )
    assert scheduled >= 1
