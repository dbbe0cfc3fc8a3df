"""The content workflow: who may do what, every transition with its audit-trail row, bulk review
for the curator's queue, and the periodic publication and expiry.

    draft ──submit──▶ submitted ──approve──▶ approved ──(expire-at passes)──▶ expired
      ▲                 │   │                    │ scheduled until publish-at,   │
      └────withdraw─────┘   └──reject──▶ rejected│ published from then on        │
      └──────────────reopen/edit──────────────┘  └──archive──▶ archived ◀──archive┘

Who approves: curators and admins approve anything; a team leader approves content whose
audience is limited to teams they lead (every team in it, and at least one). Anyone may suggest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.content import content_to_input, get_content, record_event
from advocacy.feeds.feed import audience_clause, live_clause, matches_audience
from advocacy.feeds.models import (
    NOTE_MAX,
    AudienceDimension,
    Content,
    ContentAudience,
    ContentState,
)
from advocacy.feeds.signals import content_approved, content_published
from advocacy.jobs import enqueue
from advocacy.models_base import utcnow

S = ContentState
BATCH = 500
BULK_MAX = 200


# --- permissions ------------------------------------------------------------------------------


def can_approve(user: User, content: Content) -> bool:
    """Curators and admins approve anything; leaders approve content aimed only at their teams."""
    if user.is_curator:
        return True
    teams = content.audience_team_ids
    return bool(teams) and teams <= user.led_team_ids


def can_review_any(user: User) -> bool:
    """Whether the user has a review queue at all (curators, admins and team leaders)."""
    return user.is_curator or bool(user.led_team_ids)


def is_author(user: User, content: Content) -> bool:
    return content.author_id is not None and content.author_id == user.id


def can_view(user: User, content: Content, now: datetime | None = None) -> bool:
    """Authors, curators and approvers see content in any state; everyone else only what is
    live and aimed at them."""
    if user.is_curator or is_author(user, content) or can_approve(user, content):
        return True
    return content.is_live(now or utcnow()) and matches_audience(user, content)


def can_edit(user: User, content: Content) -> bool:
    """Drafts and rejected content: their author or a curator. Submitted and approved content:
    those who may approve it. Expired and archived content is never edited."""
    if content.state in (S.DRAFT, S.REJECTED):
        return is_author(user, content) or user.is_curator
    if content.state in (S.SUBMITTED, S.APPROVED):
        return can_approve(user, content)
    return False


def allowed_actions(user: User, content: Content) -> list[str]:
    """The workflow actions this user may take on this content now (for buttons)."""
    return [action for action in TRANSITIONS if _refusal(user, content, action, "n") is None]


def get_visible_content(content_id: int, user: User) -> Content:
    """Content the user may see, or NotFound (its existence is not revealed)."""
    content = get_content(content_id)
    if not can_view(user, content):
        raise NotFound("No such content.")
    return content


# --- transitions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """An action's legal starting states and where it leads."""

    sources: tuple[ContentState, ...]
    target: ContentState
    verb: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition((S.DRAFT,), S.SUBMITTED, "submitted"),
    "withdraw": Transition((S.SUBMITTED,), S.DRAFT, "withdrawn"),
    "approve": Transition((S.SUBMITTED,), S.APPROVED, "approved"),
    "reject": Transition((S.SUBMITTED,), S.REJECTED, "rejected"),
    "reopen": Transition((S.REJECTED,), S.DRAFT, "reopened"),
    "archive": Transition((S.DRAFT, S.REJECTED, S.APPROVED, S.EXPIRED), S.ARCHIVED, "archived"),
}

_WHY_NOT = {
    ("submit", S.SUBMITTED): "it is already submitted and waits for review",
    ("approve", S.APPROVED): "it is already approved",
    ("reject", S.REJECTED): "it is already rejected",
    ("archive", S.ARCHIVED): "it is already archived",
    ("archive", S.SUBMITTED): "it waits for review: reject it or withdraw it first",
    ("approve", S.DRAFT): "it is a draft that was never submitted",
    ("reject", S.DRAFT): "it is a draft that was never submitted",
}


def _permitted(user: User, content: Content, action: str) -> bool:
    if action in ("approve", "reject"):
        return can_approve(user, content)
    if action in ("submit", "withdraw", "reopen"):
        return is_author(user, content) or user.is_curator
    if action == "archive":
        if content.state in (S.DRAFT, S.REJECTED):
            return is_author(user, content) or user.is_curator
        return can_approve(user, content)
    return False


def _refusal(user: User, content: Content, action: str, note: str) -> ServiceError | None:
    """Why `user` may not take `action` now (None when they may): 403 for who, 409 for when,
    422 for a missing note. Nothing is changed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return ValidationFailed.field("action", f"Unknown action {action[:20]!r}.")
    if not _permitted(user, content, action):
        return Forbidden(_forbidden_reason(action))
    if content.state not in transition.sources:
        reason = _WHY_NOT.get((action, ContentState(content.state)), f"it is {content.state}")
        allowed = " or ".join(s.value for s in transition.sources)
        return Conflict(
            f"“{content.title}” cannot be {transition.verb}: {reason} "
            f"(only {allowed} content can be)."
        )
    if action == "reject" and not (note or "").strip():
        return ValidationFailed.field("note", "Say why it is rejected: the author will read it.")
    if len(note or "") > NOTE_MAX:
        return ValidationFailed.field("note", f"Use at most {NOTE_MAX} characters.")
    if action == "approve" and content.expire_at is not None and content.expire_at <= utcnow():
        return Conflict(
            f"“{content.title}” cannot be approved: its share window ended. Change its "
            "expiry first."
        )
    return None


def _forbidden_reason(action: str) -> str:
    if action in ("approve", "reject"):
        return (
            "Only curators, admins, and leaders of every team the content is aimed at may "
            "review it."
        )
    return "Only the author, curators and admins may do this."


def transition(content: Content, action: str, actor: User, note: str = "") -> Content:
    """Take a workflow action on content (with its audit row and e-mails) and commit."""
    if (refusal := _refusal(actor, content, action, note)) is not None:
        raise refusal
    if action in ("submit", "approve"):
        # Rules may have changed since the content was written (a newly blocked term).
        content_to_input(content).validated(previous=content)
    _apply(content, action, actor, note)
    db.session.commit()
    return content


def _apply(content: Content, action: str, actor: User | None, note: str) -> None:
    """Move content to its new state; the caller has checked the move is legal."""
    from_state = content.state
    content.state = TRANSITIONS[action].target.value
    note = (note or "").strip()
    if action == "reject":
        content.review_note = note
    now = utcnow()
    if action == "approve":
        content.review_note = note
        if content.publish_at is None or content.publish_at < now:
            content.publish_at = now
    event = record_event(
        content, action if action != "approve" else "approved", actor, from_state, note
    )
    if action == "approve" and content.publish_at <= now:
        content.published_at = now
        record_event(content, "published", None, content.state)
    db.session.flush()
    if action == "approve":
        content_approved.send(content, actor=actor)
        if content.published_at is not None:
            content_published.send(content)
    if action == "submit":
        enqueue("advocacy.feeds.jobs.notify_submission", content.id, queue="mail")
    elif action in ("approve", "reject") and content.author_id not in (None, actor.id):
        enqueue("advocacy.feeds.jobs.notify_review", event.id, queue="mail")


@dataclass
class BulkOutcome:
    """What a bulk review did: the items it changed and, for each refused one, why."""

    done: list[Content]
    refused: list[tuple[int, str, str]]  # (content id, title, reason)

    @property
    def status(self) -> int:
        return 200 if self.done or not self.refused else 409


def bulk_review(
    content_ids: Iterable[int], action: str, actor: User, note: str = ""
) -> BulkOutcome:
    """Approve or reject several items at once. Each is checked on its own: the legal ones are
    changed together in one commit, the others are left untouched and reported with the reason."""
    if action not in ("approve", "reject"):
        raise ValidationFailed.field("action", "Choose approve or reject.")
    ids = list(dict.fromkeys(int(i) for i in content_ids))
    if not ids:
        raise ValidationFailed.field("content_ids", "Select at least one item.")
    if len(ids) > BULK_MAX:
        raise ValidationFailed.field("content_ids", f"Select at most {BULK_MAX} items at once.")
    if action == "reject" and not (note or "").strip():
        raise ValidationFailed.field("note", "Say why they are rejected: the authors will read it.")
    found = {
        c.id: c
        for c in db.session.scalars(
            select(Content).where(Content.id.in_(ids)).options(selectinload(Content.audience))
        )
    }
    outcome = BulkOutcome([], [])
    for content_id in ids:
        content = found.get(content_id)
        if content is None:
            outcome.refused.append((content_id, f"#{content_id}", "No such content."))
            continue
        refusal = _refusal(actor, content, action, note)
        if refusal is None and action == "approve":
            try:
                content_to_input(content).validated(previous=content)
            except ValidationFailed as error:
                refusal = error
        if refusal is not None:
            outcome.refused.append((content.id, content.title, refusal.detail))
            continue
        _apply(content, action, actor, note)
        outcome.done.append(content)
    db.session.commit()
    return outcome


# --- the queue --------------------------------------------------------------------------------


def review_queue(user: User, limit: int = 200) -> list[Content]:
    """Submitted content this user may review, oldest first (first in, first reviewed)."""
    query = (
        select(Content)
        .where(Content.state == S.SUBMITTED)
        .options(
            selectinload(Content.author),
            selectinload(Content.source),
            selectinload(Content.topics),
            selectinload(Content.audience),
        )
        .order_by(Content.updated_at, Content.id)
        .limit(limit)
    )
    if not user.is_curator:
        query = query.where(_only_teams_clause(user.led_team_ids))
    return list(db.session.scalars(query))


def _only_teams_clause(team_ids: set[int]):
    """SQL: the content's audience names teams, all of them among `team_ids`."""
    team_rows = and_(
        ContentAudience.content_id == Content.id,
        ContentAudience.dimension == AudienceDimension.TEAM,
    )
    return and_(
        exists().where(team_rows),
        not_(exists().where(team_rows, ContentAudience.value.not_in(sorted(map(str, team_ids))))),
    )


def visible_content_query(
    user: User,
    state: str | None = None,
    kind: str | None = None,
    mine: bool = False,
    now: datetime | None = None,
):
    """A select of the content `user` may see (the rule of `can_view`), most recent first."""
    query = select(Content).options(
        selectinload(Content.captions), selectinload(Content.audience), selectinload(Content.topics)
    )
    if mine:
        query = query.where(Content.author_id == user.id)
    elif not user.is_curator:
        visible = [
            Content.author_id == user.id,
            and_(live_clause(now or utcnow()), audience_clause(user)),
        ]
        if user.led_team_ids:
            visible.append(_only_teams_clause(user.led_team_ids))
        query = query.where(or_(*visible))
    if state:
        query = query.where(Content.state == state)
    if kind:
        query = query.where(Content.kind == kind)
    return query.order_by(Content.updated_at.desc(), Content.id.desc())


# --- periodic publication and expiry ----------------------------------------------------------


def publish_and_expire(now: datetime | None = None) -> tuple[int, int]:
    """Mark approved content published once its publish-at passed and expired once its
    expire-at passed, each with an audit row. Idempotent: done rows no longer match."""
    now = now or utcnow()
    published = expired = 0
    while True:
        batch = list(
            db.session.scalars(
                select(Content)
                .where(
                    Content.state == S.APPROVED,
                    Content.expire_at.is_not(None),
                    Content.expire_at <= now,
                )
                .limit(BATCH)
            )
        )
        for content in batch:
            content.state = S.EXPIRED.value
            record_event(content, "expired", None, S.APPROVED.value)
        db.session.commit()
        expired += len(batch)
        if len(batch) < BATCH:
            break
    while True:
        batch = list(
            db.session.scalars(
                select(Content)
                .where(
                    Content.state == S.APPROVED,
                    Content.published_at.is_(None),
                    Content.publish_at <= now,
                    or_(Content.expire_at.is_(None), Content.expire_at > now),
                )
                .limit(BATCH)
            )
        )
        for content in batch:
            content.published_at = now
            record_event(content, "published", None, S.APPROVED.value)
        db.session.flush()
        for content in batch:
            content_published.send(content)
        db.session.commit()
        published += len(batch)
        if len(batch) < BATCH:
            break
    return published, expired
