"""Factories and helpers for feed tests: content in any state, with audience and captions."""

from __future__ import annotations

from datetime import timedelta

import factory

from advocacy.extensions import db
from advocacy.feeds.content import ensure_topics
from advocacy.feeds.models import (
    AudienceDimension,
    Content,
    ContentAudience,
    ContentCaption,
    PolicyVersion,
    location_key,
)
from advocacy.models_base import utcnow
from tests.factories import BaseFactory


class ContentFactory(BaseFactory):
    """Live, approved content for everyone unless told otherwise."""

    class Meta:
        model = Content

    title = factory.Sequence(lambda n: f"Acme story {n}")
    kind = "link"
    state = "approved"
    destination_url = factory.Sequence(lambda n: f"https://acme.example/news/{n}?ref=home#top")
    summary = "What we did this week."
    campaign = "spring"
    publish_at = factory.LazyFunction(lambda: utcnow() - timedelta(hours=1))
    expire_at = None


def target(content: Content, teams=(), locations=(), languages=()) -> Content:
    """Give content an audience (team objects or ids, location strings, language codes)."""
    for team in teams:
        team_id = team if isinstance(team, int) else team.id
        content.audience.append(
            ContentAudience(dimension=AudienceDimension.TEAM, value=str(team_id))
        )
    for value in locations:
        content.audience.append(
            ContentAudience(dimension=AudienceDimension.LOCATION, value=location_key(value))
        )
    for value in languages:
        content.audience.append(ContentAudience(dimension=AudienceDimension.LANGUAGE, value=value))
    content.sync_audience_flags()
    db.session.commit()
    return content


def caption(content: Content, network: str, *texts: str) -> Content:
    """Add caption variants for a network."""
    for position, text in enumerate(texts):
        content.captions.append(ContentCaption(network=network, position=position, text=text))
    db.session.commit()
    return content


def tag(content: Content, *names: str) -> Content:
    """Tag content with topics."""
    content.topics = ensure_topics(list(names))
    db.session.commit()
    return content


def publish_policy(version: int = 1, title: str = "Social media policy") -> PolicyVersion:
    policy = PolicyVersion(version=version, title=title, body="Be kind. Be honest.")
    db.session.add(policy)
    db.session.commit()
    return policy
