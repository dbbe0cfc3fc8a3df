"""Editing content, and what an edit may not do behind a reviewer's back.

An approval covers what the reviewer saw. So an edit of approved content that changes what it
is or whom it reaches (its audience, destination, captions or kind, or whether it is internal)
needs the right to approve the *new* version: a curator's or an admin's edit stays approved; a
team leader's stays approved while the content still reaches only teams they lead. Any other
such edit sends the content back to review, out of the feed until someone approves it again,
and the history says so (who, which fields). Edits of the rest (title, summary, picture, topics,
campaign, dates) keep the approval and are in the history like every edit.
"""

from __future__ import annotations

from advocacy.accounts.models import User
from advocacy.errors import Conflict, Forbidden
from advocacy.extensions import db
from advocacy.feeds.content import apply_values, record_event
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.models import Content, ContentState
from advocacy.feeds.workflow import can_approve, can_edit
from advocacy.jobs import enqueue

S = ContentState

# What an approval is of: changing any of these needs the right to approve the new version.
REVIEWED = {
    "kind": "kind",
    "destination_url": "destination",
    "captions": "captions",
    "internal_only": "internal only",
    "captions_editable": "editable captions",
    "audience": "audience",
}


def reviewed_version(content: Content) -> dict:
    """What a reviewer approved: the values that make up `REVIEWED`."""
    return {
        "kind": content.kind,
        "destination_url": content.destination_url,
        "captions": sorted((c.network, c.position, c.text) for c in content.captions),
        "internal_only": content.internal_only,
        "captions_editable": content.captions_editable,
        "audience": sorted((str(a.dimension), a.value) for a in content.audience),
    }


def update_content(content: Content, data: ContentInput, actor: User) -> Content:
    """Save edits (commits). Editing rejected content takes it back to draft; an edit of
    approved content its editor could not approve sends it back to review (module docstring)."""
    if not can_edit(actor, content):
        if content.state in (S.EXPIRED, S.ARCHIVED):
            raise Conflict(f"“{content.title}” is {content.state} and can no longer be edited.")
        raise Forbidden("You may not edit this content.")
    values = data.validated(previous=content)
    from_state, before = content.state, reviewed_version(content)
    apply_values(content, values)
    db.session.flush()  # the new audience and captions, for the checks below
    changed = [
        label for name, label in REVIEWED.items() if before[name] != reviewed_version(content)[name]
    ]
    if content.state == S.REJECTED:
        content.state = S.DRAFT.value
        record_event(content, "reopened", actor, from_state, "Edited after rejection")
    elif content.state == S.APPROVED and changed and not can_approve(actor, content):
        content.state = S.SUBMITTED.value
        content.published_at = None
        record_event(
            content,
            "sent back to review",
            actor,
            from_state,
            f"Edited ({', '.join(changed)}): this version needs a new approval.",
        )
        enqueue("advocacy.feeds.jobs.notify_submission", content.id, queue="mail")
    else:
        note = f"Changed: {', '.join(changed)}." if changed and from_state == S.APPROVED else ""
        record_event(content, "edited", actor, from_state, note)
    db.session.commit()
    return content
