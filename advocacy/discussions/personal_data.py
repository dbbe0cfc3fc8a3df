"""What discussions hold about a person, for the privacy export, and how they are anonymised.
Posts stay (replies and accepted answers depend on them) under the anonymous author; the
person's handle, settings, follows, read marks and memberships go (notifications/personal_data.py
has their notifications)."""

from __future__ import annotations

from sqlalchemy import delete, select

from advocacy.accounts.models import User
from advocacy.discussions.models import (
    Acknowledgement,
    Flag,
    JoinRequest,
    MemberProfile,
    Post,
    Reaction,
    SpaceFollow,
    SpaceMember,
    SpaceVisit,
    Thread,
    ThreadFollow,
    ThreadRead,
)
from advocacy.extensions import db


def export_person(user: User) -> dict:
    """Profile and settings, memberships, threads, posts (Markdown as written), reactions,
    reports, acknowledgements and follows."""
    uid = user.id
    profile = db.session.get(MemberProfile, uid)
    posts = db.session.scalars(select(Post).where(Post.author_id == uid).order_by(Post.id))
    threads = db.session.scalars(select(Thread).where(Thread.author_id == uid).order_by(Thread.id))
    memberships = db.session.scalars(select(SpaceMember).where(SpaceMember.user_id == uid))
    return {
        "profile": None
        if profile is None
        else {
            "handle": profile.handle,
            "digest": profile.digest,
            "digest_hour": profile.digest_hour,
            "quiet_hours": [
                profile.quiet_start.isoformat() if profile.quiet_start else None,
                profile.quiet_end.isoformat() if profile.quiet_end else None,
            ],
            "emails": {
                kind: getattr(profile, f"email_{kind}")
                for kind in ("mention", "reply", "assignment", "announcement")
            },
            "last_seen_at": profile.last_seen_at,
        },
        "space_memberships": [
            {"space": m.space.name, "role": m.role, "joined_at": m.joined_at} for m in memberships
        ],
        "threads_started": [
            {"id": t.id, "title": t.title, "kind": t.kind, "created_at": t.created_at}
            for t in threads
        ],
        "posts": [
            {
                "id": p.id,
                "thread_id": p.thread_id,
                "opening_post": p.is_opening,
                "body": p.body_source,
                "created_at": p.created_at,
                "edited_at": p.edited_at,
                "deleted_at": p.deleted_at,
            }
            for p in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "emoji": r.emoji, "created_at": r.created_at}
            for r in db.session.scalars(select(Reaction).where(Reaction.user_id == uid))
        ],
        "reports": [
            {"post_id": f.post_id, "reason": f.reason, "created_at": f.created_at}
            for f in db.session.scalars(select(Flag).where(Flag.reporter_id == uid))
        ],
        "acknowledged_announcements": [
            {"thread_id": a.thread_id, "at": a.created_at}
            for a in db.session.scalars(
                select(Acknowledgement).where(Acknowledgement.user_id == uid)
            )
        ],
        "followed_threads": list(
            db.session.scalars(
                select(ThreadFollow.thread_id).where(
                    ThreadFollow.user_id == uid, ThreadFollow.following.is_(True)
                )
            )
        ),
        "followed_spaces": list(
            db.session.scalars(select(SpaceFollow.space_id).where(SpaceFollow.user_id == uid))
        ),
    }


def anonymise_person(user: User) -> None:
    """Forget everything personal but the posts (kept under the anonymous author) and the
    reactions (counted, no longer named: the user row is anonymous)."""
    uid = user.id
    for model, column in (
        (ThreadFollow, ThreadFollow.user_id),
        (SpaceFollow, SpaceFollow.user_id),
        (ThreadRead, ThreadRead.user_id),
        (SpaceVisit, SpaceVisit.user_id),
        (SpaceMember, SpaceMember.user_id),
        (JoinRequest, JoinRequest.user_id),
        (MemberProfile, MemberProfile.user_id),
    ):
        db.session.execute(delete(model).where(column == uid))
