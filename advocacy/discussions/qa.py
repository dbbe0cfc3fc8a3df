"""Questions and announcements: accepting an answer, assigning a question to a colleague, the
unanswered list, and acknowledging announcements.

"Unanswered" means a question with no accepted answer (whether or not it has replies), oldest
first, so the question that has waited longest is seen first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.discussions import access
from advocacy.discussions.models import (
    Acknowledgement,
    Post,
    Space,
    SpaceFollow,
    Thread,
    ThreadKind,
)
from advocacy.discussions.signals import answer_accepted, question_assigned
from advocacy.errors import Conflict, Forbidden, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow

UNANSWERED_LIMIT = 100
ASSIGNEE_CHOICES_LIMIT = 200


def accept_answer(acting: User, thread: Thread, post_id: int | None) -> Thread:
    """Accept a reply as the answer (the question's author or a moderator); None un-accepts."""
    if not thread.is_question:
        raise Conflict("Only questions have an accepted answer.")
    if thread.author_id != acting.id and not access.can_moderate(acting, thread.space):
        raise Forbidden("Only the person who asked and moderators accept an answer.")
    if thread.deleted:
        raise Conflict("This thread was deleted.")
    if post_id is None:
        thread.accepted_post_id = None
        db.session.commit()
        return thread
    post = db.session.get(Post, post_id)
    if post is None or post.thread_id != thread.id:
        raise ValidationFailed.field("post_id", "Accept a reply of this question.")
    if post.is_opening:
        raise ValidationFailed.field("post_id", "The question itself cannot be its answer.")
    if post.deleted:
        raise Conflict("This reply was deleted.")
    thread.accepted_post_id = post.id
    answer_accepted.send(thread, post=post, acting=acting)
    db.session.commit()
    return thread


def assign_question(acting: User, thread: Thread, assignee: User | None) -> Thread:
    """Hand a question to a colleague who can read it (they are notified); None unassigns.
    Anyone who can read the question may hand it on: that is how questions get answered."""
    access.check_can_read(acting, thread.space)
    if not thread.is_question:
        raise Conflict("Only questions are assigned.")
    if thread.deleted:
        raise Conflict("This thread was deleted.")
    if assignee is None:
        thread.assignee_id, thread.assigned_at = None, None
        db.session.commit()
        return thread
    if not assignee.active or not access.readers_among(thread.space, [assignee.id]):
        raise ValidationFailed.field(
            "assignee_id", f"{assignee.display_name} cannot see this space, so cannot answer here."
        )
    thread.assignee_id, thread.assigned_at = assignee.id, utcnow()
    question_assigned.send(thread, assignee=assignee, acting=acting)
    db.session.commit()
    return thread


def assignee_choices(thread: Thread, limit: int = ASSIGNEE_CHOICES_LIMIT) -> list[User]:
    """People who could take the question: those who can read its space (members for a private
    space), at most `limit`, by name."""
    if thread.space.is_public:
        ids_query = select(User.id).where(User.active.is_(True))
    else:
        ids_query = list(access.space_member_ids(thread.space))
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(ids_query), User.active.is_(True))
            .order_by(func.lower(User.display_name))
            .limit(limit)
        )
    )


def unanswered_query(user: User, space: Space | None = None, scope: str = "mine"):
    """A select of questions without an accepted answer that the user may read, oldest first:
    in one space, in the spaces the user belongs to or follows (`mine`), or in all they read."""
    query = (
        select(Thread)
        .where(
            Thread.kind == ThreadKind.QUESTION.value,
            Thread.accepted_post_id.is_(None),
            Thread.deleted_at.is_(None),
            Thread.space_id.in_(access.visible_space_ids(user)),
        )
        .options(
            selectinload(Thread.author), selectinload(Thread.space), selectinload(Thread.assignee)
        )
        .order_by(Thread.created_at, Thread.id)
    )
    if space is not None:
        query = query.where(Thread.space_id == space.id)
    elif scope == "mine":
        followed = select(SpaceFollow.space_id).where(SpaceFollow.user_id == user.id)
        query = query.where(
            Thread.space_id.in_(access.member_space_ids(user)) | Thread.space_id.in_(followed)
        )
    return query


@dataclass
class WaitingQuestion:
    """A question in the unanswered list: how long it has waited, and whether anyone replied."""

    thread: Thread
    waited_seconds: int


def unanswered(
    user: User, space: Space | None = None, scope: str = "mine", now: datetime | None = None
) -> list[WaitingQuestion]:
    """The unanswered questions the reader should see, oldest first, with their waiting time."""
    if scope not in ("mine", "all"):
        raise ValidationFailed.field("scope", "Choose mine or all.")
    now = now or utcnow()
    return [
        WaitingQuestion(thread, int((now - thread.created_at).total_seconds()))
        for thread in db.session.scalars(
            unanswered_query(user, space, scope).limit(UNANSWERED_LIMIT)
        )
    ]


def count_unanswered(user: User, space: Space | None = None, scope: str = "mine") -> int:
    """How many unanswered questions the unanswered view would list."""
    query = unanswered_query(user, space, scope).order_by(None).options()
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


# --- announcements ------------------------------------------------------------------------


def acknowledge(user: User, thread: Thread) -> Acknowledgement:
    """Confirm having read an announcement (once)."""
    access.check_can_read(user, thread.space)
    if not thread.is_announcement:
        raise Conflict("Only announcements are acknowledged.")
    existing = db.session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.thread_id == thread.id, Acknowledgement.user_id == user.id
        )
    )
    if existing is not None:
        return existing
    acknowledgement = Acknowledgement(thread_id=thread.id, user_id=user.id)
    db.session.add(acknowledgement)
    db.session.commit()
    return acknowledgement


def has_acknowledged(user: User, thread: Thread) -> bool:
    """Has the user acknowledged this announcement?"""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Acknowledgement.thread_id == thread.id, Acknowledgement.user_id == user.id
                )
            )
        )
    )


@dataclass
class AcknowledgementReport:
    """Who of the announcement's audience has acknowledged it, and who has not yet."""

    acknowledged: list[tuple[User, datetime]]
    pending: list[User]


def acknowledgement_report(acting: User, thread: Thread) -> AcknowledgementReport:
    """For moderators: the audience (everyone who can read the space) split by acknowledgement."""
    access.check_can_moderate(acting, thread.space)
    if not thread.is_announcement:
        raise NotFound("Only announcements are acknowledged.")
    audience = access.audience_ids(thread.space)
    done = {
        ack.user_id: ack
        for ack in db.session.scalars(
            select(Acknowledgement)
            .where(Acknowledgement.thread_id == thread.id)
            .options(selectinload(Acknowledgement.user))
        )
    }
    people = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_(audience | set(done))))
    }
    acknowledged = sorted(
        ((done[i].user, done[i].created_at) for i in done), key=lambda pair: pair[1]
    )
    pending = sorted(
        (people[i] for i in audience - set(done) if i != thread.author_id),
        key=lambda u: u.display_name.lower(),
    )
    return AcknowledgementReport(acknowledged, pending)


def acknowledgement_count(thread: Thread) -> int:
    """How many people acknowledged the announcement."""
    return (
        db.session.scalar(select(func.count()).where(Acknowledgement.thread_id == thread.id)) or 0
    )
