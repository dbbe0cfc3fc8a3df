"""Background entry points for the feed: periodic publication, expiry and feed fetching, and
the workflow's e-mails. Jobs take ids, load fresh rows and are safe to run twice."""

from __future__ import annotations

import logging

from sqlalchemy import select

from advocacy.accounts.models import Role, TeamMembership, User
from advocacy.extensions import db
from advocacy.feeds import previews, sources, workflow
from advocacy.feeds.models import Content, ContentEvent, ContentState, Source
from advocacy.jobs import Schedule, enqueue
from advocacy.mail import send_mail
from advocacy.media.images import stored_image
from advocacy.web.urls import external_url

log = logging.getLogger("advocacy.feeds.jobs")


def publish_and_expire() -> None:
    """Publish approved content whose time came and expire content whose window closed."""
    published, expired = workflow.publish_and_expire()
    if published or expired:
        log.info("published %d and expired %d content items", published, expired)


def fetch_due_sources() -> None:
    """Queue a fetch of every source that is due."""
    for source_id in sources.claim_due_sources():
        enqueue("advocacy.feeds.jobs.fetch_source", source_id)
    db.session.commit()  # releases the jobs should a read have opened a transaction


def fetch_source(source_id: int) -> None:
    """Fetch one RSS/Atom source and import its new entries."""
    sources.fetch_source(source_id)


IMAGE_BATCH = 200


def attach_missing_images() -> int:
    """Ask for the stored image of content saved with an image address but none yet (content
    from before images were served from here); a batch per run, so an upgrade stays gentle."""
    items = db.session.scalars(
        select(Content)
        .where(Content.image_url != "", Content.image_id.is_(None))
        .order_by(Content.id.desc())
        .limit(IMAGE_BATCH)
    ).all()
    for item in items:
        item.image = stored_image(item.image_url)
    db.session.commit()
    return len(items)


def fetch_preview(content_id: int) -> None:
    """Read one item's link preview (queued when the item is created or imported)."""
    previews.fetch_preview(content_id)


SCHEDULES = [
    Schedule("feeds-publish-expire", publish_and_expire, interval=60),
    Schedule("feeds-fetch-sources", fetch_due_sources, interval=5 * 60),
    Schedule("feeds-attach-images", attach_missing_images, interval=10 * 60),
    Schedule("feeds-link-previews", previews.preview_missing, interval=5 * 60),
]


# --- e-mails --------------------------------------------------------------------------------


def _reviewers_of(content: Content) -> list[User]:
    """Curators (admins when there is none), plus the leaders who may approve it."""
    people = list(
        db.session.scalars(select(User).where(User.active.is_(True), User.role == Role.CURATOR))
    )
    if not people:
        people = list(
            db.session.scalars(select(User).where(User.active.is_(True), User.role == Role.ADMIN))
        )
    teams = content.audience_team_ids
    if teams:
        leaders = db.session.scalars(
            select(User)
            .join(TeamMembership, TeamMembership.user_id == User.id)
            .where(TeamMembership.team_id.in_(teams), TeamMembership.is_leader, User.active)
        )  # no DISTINCT: PostgreSQL cannot compare the JSON column; duplicates go below
        people += [p for p in leaders if workflow.can_approve(p, content)]
    unique = {person.id: person for person in people if person.id != content.author_id}
    return sorted(unique.values(), key=lambda person: person.id)


def notify_submission(content_id: int) -> None:
    """Tell the reviewers that content waits in their queue (skipped once it was reviewed)."""
    content = db.session.get(Content, content_id)
    if content is None or content.state != ContentState.SUBMITTED:
        return
    link = external_url("feeds.content_page", content_id=content.id)
    queue = external_url("feeds_queue.index")
    for person in _reviewers_of(content):
        send_mail(
            person.email,
            f"To review: {content.title}",
            "feeds/email/submitted",
            person=person,
            content=content,
            link=link,
            queue=queue,
        )


def notify_review(event_id: int) -> None:
    """Tell the author their content was approved or rejected (with the reviewer's note)."""
    event = db.session.get(ContentEvent, event_id)
    if event is None or event.content.author is None or not event.content.author.active:
        return
    content = event.content
    approved = event.to_state == ContentState.APPROVED
    send_mail(
        content.author.email,
        f"{'Approved' if approved else 'Not approved'}: {content.title}",
        "feeds/email/reviewed",
        person=content.author,
        content=content,
        event=event,
        approved=approved,
        link=external_url("feeds.content_page", content_id=content.id),
    )


def notify_imported(source_id: int, content_ids: list[int]) -> None:
    """Tell curators, in one message, what a feed brought in for review."""
    source = db.session.get(Source, source_id)
    items = list(
        db.session.scalars(
            select(Content)
            .where(Content.id.in_(content_ids), Content.state == ContentState.SUBMITTED)
            .order_by(Content.id)
        )
    )
    if source is None or not items:
        return
    queue = external_url("feeds_queue.index")
    for person in _reviewers_of(items[0]):
        send_mail(
            person.email,
            f"{len(items)} new from {source.name} to review",
            "feeds/email/imported",
            person=person,
            source=source,
            items=items,
            queue=queue,
        )
