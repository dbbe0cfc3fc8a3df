"""What the feed holds about a person, for the privacy export, and how it is anonymised:
content they wrote stays (it is the company's, now by an anonymous author); their tracked links
and shares stay for the reach aggregates but lose the captions they wrote."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.feeds.models import (
    Content,
    ContentEvent,
    PolicyAcknowledgement,
    PolicyVersion,
    Share,
    TopicSubscription,
    TrackedLink,
)
from advocacy.feeds.sharing import tracked_url


def export_person(user: User) -> dict:
    """Content authored, workflow actions taken, tracked links, shares, acknowledgements,
    followed topics."""
    authored = db.session.scalars(
        select(Content).where(Content.author_id == user.id).order_by(Content.id)
    )
    actions = db.session.scalars(
        select(ContentEvent).where(ContentEvent.actor_id == user.id).order_by(ContentEvent.id)
    )
    links = db.session.scalars(
        select(TrackedLink).where(TrackedLink.user_id == user.id).order_by(TrackedLink.id)
    )
    shares = db.session.scalars(select(Share).where(Share.user_id == user.id).order_by(Share.id))
    acknowledgements = db.session.execute(
        select(PolicyVersion.version, PolicyAcknowledgement.acknowledged_at)
        .join(PolicyVersion, PolicyVersion.id == PolicyAcknowledgement.policy_version_id)
        .where(PolicyAcknowledgement.user_id == user.id)
    )
    topics = db.session.scalars(
        select(TopicSubscription).where(TopicSubscription.user_id == user.id)
    )
    return {
        "content_authored": [
            {
                "id": c.id,
                "kind": c.kind,
                "state": c.state,
                "title": c.title,
                "summary": c.summary,
                "destination_url": c.destination_url,
                "created_at": c.created_at,
            }
            for c in authored
        ],
        "workflow_actions": [
            {"content_id": e.content_id, "action": e.action, "note": e.note, "at": e.at}
            for e in actions
        ],
        "tracked_links": [
            {
                "url": tracked_url(link),
                "content_id": link.content_id,
                "network": link.network,
                "created_at": link.created_at,
            }
            for link in links
        ],
        "shares": [
            {
                "content_id": s.content_id,
                "network": s.network,
                "caption": s.caption,
                "created_at": s.created_at,
                "verified_at": s.verified_at,
            }
            for s in shares
        ],
        "policy_acknowledgements": [
            {"version": version, "acknowledged_at": at} for version, at in acknowledgements
        ],
        "followed_topics": [t.topic.name for t in topics],
    }


def anonymise_person(user: User) -> None:
    """Clear the captions they wrote, forget acknowledgements and followed topics."""
    db.session.execute(
        update(Share)
        .where(Share.user_id == user.id)
        .values(caption="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(PolicyAcknowledgement).where(PolicyAcknowledgement.user_id == user.id)
    )
    db.session.execute(delete(TopicSubscription).where(TopicSubscription.user_id == user.id))
