"""The bridge to the advocacy feed: posts proposed as shareable content, and the one "discuss
internally" thread of a content item. Dependencies run one way: this module calls the feed's
services; the feed shows what it needs through its content panels (see bridge_panels.py).

The rules:
- Proposing. Anyone who can read a post may propose it (a thread is proposed through its
  opening post). The proposal becomes content written by the proposer, created and submitted
  through the feed's own services: the same validation, blocked terms, audit trail and curator
  e-mails as any suggestion, and the proposer hears about the review like any author. It needs
  an outward web address (the link back to the post is kept apart, for the reviewers) and is a
  link/article or a culture story. A post is proposed once: a second proposal is a 409.
- Nothing leaks out of a space. The form is prefilled (title from the thread, summary from the
  post's text, its first outward link) only in public spaces; in private and secret spaces the
  proposer writes it in their own words. Reviewers see only what the proposer typed, and a link
  back that answers 403 (private) or 404 (secret) to whoever cannot read the space; the panel
  names the thread to its readers only, and a secret space to nobody else.
- Discussing. Approved content (also once expired) aimed at everyone gets one internal thread,
  in the public space named by CONTENT_DISCUSSION_SPACE ("Company news", created with no owner
  when first needed: admins moderate it), started by whoever opens it first. Content aimed at
  part of the company gets none: a thread everyone reads would show it outside its audience.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.models import User
from advocacy.discussions import access, threads
from advocacy.discussions.bridge.models import ContentDiscussion, ContentProposal
from advocacy.discussions.markdown import escape_markdown, plain_text
from advocacy.discussions.models import Post, Space, Thread, Visibility
from advocacy.errors import Conflict, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import content as feed_content
from advocacy.feeds import workflow
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.links import shorten, url_problem
from advocacy.feeds.models import SUMMARY_MAX, Content, ContentKind, ContentState
from advocacy.web.urls import external_url

PROPOSABLE_KINDS = (ContentKind.LINK, ContentKind.CULTURE_STORY)
DISCUSSED_STATES = (ContentState.APPROVED, ContentState.EXPIRED)
DEFAULT_CONTENT_SPACE = "Company news"
CONTENT_SPACE_DESCRIPTION = (
    "What we share outside, talked about inside: one thread per approved item of the feed."
)
DISCUSSION_TAG = "advocacy"
QUOTED_SUMMARY_MAX = 600
LINK_LIKE = re.compile(r'<a href="([^"]+)"')
ALREADY_PROPOSED = (
    "A colleague already proposed this post as shareable content: a post is proposed once."
)


# --- proposing a post -------------------------------------------------------------------------


@dataclass
class Proposal:
    """What the proposer typed: the content the curators will review."""

    title: str = ""
    destination_url: str = ""
    summary: str = ""
    kind: str = ContentKind.LINK.value


def proposal_defaults(post: Post) -> Proposal:
    """The form's starting values: from the post in a public space, nothing elsewhere (what
    leaves a private or secret space is what the proposer chooses to write)."""
    if not post.thread.space.is_public:
        return Proposal()
    return Proposal(
        title=post.thread.title,
        destination_url=first_outward_link(post.body_html),
        summary=plain_text(post.body_html, SUMMARY_MAX),
    )


def first_outward_link(body_html: str) -> str:
    """The first http(s) link of a rendered post (mentions are relative links: skipped)."""
    for match in LINK_LIKE.finditer(body_html or ""):
        url = html.unescape(match.group(1))
        if url_problem(url) is None:
            return url
    return ""


def find_proposal(post: Post) -> ContentProposal | None:
    """The proposal made of this post, if any."""
    return db.session.scalar(select(ContentProposal).where(ContentProposal.post_id == post.id))


def proposed_post_ids(post_ids: list[int]) -> set[int]:
    """Which of these posts were proposed as content (one query, for a thread page)."""
    if not post_ids:
        return set()
    return set(
        db.session.scalars(
            select(ContentProposal.post_id).where(ContentProposal.post_id.in_(post_ids))
        )
    )


def proposal_content(proposal: ContentProposal, reader: User) -> Content | None:
    """The content a proposal became, when `reader` may see it (else None)."""
    item = db.session.get(Content, proposal.content_id)
    return item if item is not None and workflow.can_view(reader, item) else None


def check_proposable(proposer: User, post: Post) -> None:
    """NotFound/Forbidden unless the proposer reads the post; Conflict when it is deleted or
    was proposed already."""
    access.check_can_read(proposer, post.thread.space)
    if post.deleted or post.thread.deleted:
        raise Conflict("This post was deleted: it cannot be proposed as content.")
    existing = find_proposal(post)
    if existing is not None:
        if existing.proposer_id == proposer.id:
            raise Conflict("You already proposed this post as shareable content.")
        raise Conflict(ALREADY_PROPOSED)


def propose_post(proposer: User, post: Post, proposal: Proposal) -> Content:
    """Propose a post as shareable content: the content is created and submitted for review
    through the feed's services, with the link back to the post, in one commit."""
    check_proposable(proposer, post)
    if proposal.kind not in {kind.value for kind in PROPOSABLE_KINDS}:
        raise ValidationFailed.field("kind", "Propose a link or article, or a culture story.")
    data = ContentInput(
        title=proposal.title,
        kind=proposal.kind,
        destination_url=proposal.destination_url,
        summary=proposal.summary,
    )
    item = feed_content.create_content(data, proposer, commit=False)  # 422 before any write
    db.session.add(ContentProposal(post_id=post.id, content=item, proposer_id=proposer.id))
    try:
        db.session.flush()
        # Submitting commits everything: the draft, the link back, the submission and the
        # curators' e-mail (which leaves only once all of it is saved).
        workflow.transition(item, "submit", proposer)
    except IntegrityError:
        db.session.rollback()  # a concurrent proposal of the same post won
        raise Conflict(ALREADY_PROPOSED) from None
    except Exception:
        db.session.rollback()
        raise
    return item


# --- discussing content internally ------------------------------------------------------------


def discussion_refusal(item: Content) -> str | None:
    """Why content cannot get an internal discussion thread (None when it can)."""
    if item.state not in DISCUSSED_STATES:
        return f"Only approved content is discussed internally: “{item.title}” is {item.state}."
    if item.targets_teams or item.targets_locations or item.targets_languages:
        return (
            "This content is aimed at part of the company, so it has no company-wide "
            "discussion: talk about it in your team's space."
        )
    return None


def content_space_name() -> str:
    """The name of the public space where content is discussed."""
    return current_app.config.get("CONTENT_DISCUSSION_SPACE") or DEFAULT_CONTENT_SPACE


def content_space() -> Space:
    """The space for content discussions, created (public, no owner) the first time."""
    name = content_space_name()
    query = select(Space).where(func.lower(Space.name) == name.lower())
    space = db.session.scalar(query)
    if space is not None:
        return space
    space = Space(
        name=name, description=CONTENT_SPACE_DESCRIPTION, visibility=Visibility.PUBLIC.value
    )
    db.session.add(space)
    try:
        db.session.commit()
    except IntegrityError:  # created meanwhile by someone else
        db.session.rollback()
        space = db.session.scalar(query)
    return space


def discussion_of(item: Content) -> Thread | None:
    """The content's internal discussion thread (deleted or not), if it was started."""
    row = db.session.get(ContentDiscussion, item.id)
    return row.thread if row is not None else None


def open_content_discussion(opener: User, item: Content) -> Thread:
    """The content's internal discussion thread, started by `opener` on first use. Two people
    opening it at once get the same thread: the content id is a key, the loser rolls back."""
    thread = discussion_of(item)
    if thread is not None:
        if thread.deleted and not access.can_moderate(opener, thread.space):
            raise Conflict(f"The internal discussion of “{item.title}” was removed by a moderator.")
        return thread
    if (refusal := discussion_refusal(item)) is not None:
        raise Conflict(refusal)
    space = content_space()
    thread = threads.start_thread(
        opener,
        space,
        item.title,
        opening_text(item),
        tags=[DISCUSSION_TAG],
        link=("content", item.id),
        commit=False,
    )
    db.session.add(ContentDiscussion(content_id=item.id, thread_id=thread.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # drops our thread, its post and its notifications
        winner = db.session.get(ContentDiscussion, item.id)
        if winner is None:
            raise
        return winner.thread
    return thread


def opening_text(item: Content) -> str:
    """The opening post of a content's discussion: its title linked to its page, its summary
    quoted, all shown as written (escaped: a title makes no mention, link or heading)."""
    url = external_url("feeds.content_page", content_id=item.id)
    lines = [f"**[{escape_markdown(item.title)}]({url})** ({item.kind_label}, in the feed)"]
    if item.summary:
        summary = escape_markdown(shorten(item.summary, QUOTED_SUMMARY_MAX))
        lines += ["", "\n".join(f"> {line}" for line in summary.splitlines())]
    lines += ["", "What do you think? This thread stays inside the company."]
    return "\n".join(lines)
