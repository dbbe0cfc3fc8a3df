"""The workflow: every action from every state, who may take it, the audit trail, bulk review,
periodic publication and expiry, and the e-mails."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from advocacy.errors import Conflict, Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import compliance, editing, workflow
from advocacy.feeds.content import create_content
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.models import Content, ContentEvent, ContentState
from advocacy.models_base import utcnow
from tests.feeds.factories import ContentFactory, target

STATES = [s.value for s in ContentState]
LEGAL = {
    ("submit", "draft"): "submitted",
    ("withdraw", "submitted"): "draft",
    ("approve", "submitted"): "approved",
    ("reject", "submitted"): "rejected",
    ("reopen", "rejected"): "draft",
    ("archive", "draft"): "archived",
    ("archive", "rejected"): "archived",
    ("archive", "approved"): "archived",
    ("archive", "expired"): "archived",
}
CASES = [(action, state) for action in workflow.TRANSITIONS for state in STATES]


def events(content) -> list[tuple]:
    rows = db.session.scalars(
        select(ContentEvent).where(ContentEvent.content_id == content.id).order_by(ContentEvent.id)
    )
    return [(e.action, e.from_state, e.to_state, e.actor_id, e.note) for e in rows]


def test_every_action_from_every_state(org):
    """Each legal move lands where it should with its audit row; each illegal one is a 409 that
    names the content and the legal states, and changes nothing."""
    curator = org["curator"]
    for action, state in CASES:
        content = ContentFactory(state=state, author_id=curator.id)
        if (action, state) in LEGAL:
            workflow.transition(content, action, curator, note="because")
            assert content.state == LEGAL[(action, state)], (action, state)
            assert events(content)[0][:4] == (
                "approved" if action == "approve" else action,
                state,
                LEGAL[(action, state)],
                curator.id,
            )
        else:
            with pytest.raises(Conflict) as caught:
                workflow.transition(content, action, curator, note="because")
            assert content.title in caught.value.detail, (action, state)
            assert "cannot be" in caught.value.detail and "only" in caught.value.detail
            db.session.refresh(content)
            assert content.state == state and events(content) == [], (action, state)


def test_conflict_reasons_are_specific(org):
    content = ContentFactory(state="approved")
    with pytest.raises(Conflict, match="already approved"):
        workflow.transition(content, "approve", org["curator"])
    draft = ContentFactory(state="draft")
    with pytest.raises(Conflict, match="never submitted"):
        workflow.transition(draft, "approve", org["curator"])


def test_reject_needs_a_note_and_keeps_it(org):
    content = ContentFactory(state="submitted")
    with pytest.raises(ValidationFailed) as caught:
        workflow.transition(content, "reject", org["curator"], note="   ")
    assert caught.value.errors == {"note": ["Say why it is rejected: the author will read it."]}
    workflow.transition(content, "reject", org["curator"], note="Use the new logo.")
    assert content.review_note == "Use the new logo."
    assert events(content)[-1][-1] == "Use the new logo."


@pytest.mark.parametrize(
    ("who", "teams", "allowed"),
    [
        ("curator", None, True),
        ("admin", None, True),
        ("leader", ["team"], True),
        ("leader", ["team", "other_team"], False),  # one of the teams is not theirs
        ("leader", [], False),  # aimed at everyone: curators only
        ("other_leader", ["team"], False),
        ("team_member", ["team"], False),
        ("member", [], False),
    ],
)
def test_who_may_approve(org, who, teams, allowed):
    content = ContentFactory(state="submitted")
    if teams:
        target(content, teams=[org[name] for name in teams])
    actor = org[who]
    assert workflow.can_approve(actor, content) is allowed
    if allowed:
        workflow.transition(content, "approve", actor)
        assert content.state == "approved"
    else:
        with pytest.raises(Forbidden):
            workflow.transition(content, "approve", actor)
        assert db.session.get(Content, content.id).state == "submitted"


def test_anyone_suggests_and_submits_their_own(org):
    member = org["member"]
    content = create_content(
        ContentInput(title="Our new office", destination_url="https://acme.example/office"), member
    )
    workflow.transition(content, "submit", member)
    assert content.state == "submitted"
    with pytest.raises(Forbidden):
        workflow.transition(content, "withdraw", org["team_member"])
    assert [e[0] for e in events(content)] == ["created", "submit"]


def test_approval_without_publish_time_publishes_now(org):
    content = ContentFactory(state="submitted", publish_at=None)
    workflow.transition(content, "approve", org["curator"])
    assert content.publish_at is not None and content.published_at is not None
    assert [e[0] for e in events(content)] == ["approved", "published"]
    assert events(content)[1][3] is None  # the system published it


def test_approval_of_a_closed_window_is_refused(org):
    content = ContentFactory(state="submitted", expire_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(Conflict, match="share window ended"):
        workflow.transition(content, "approve", org["curator"])


def test_approval_rechecks_blocked_terms(org):
    content = ContentFactory(state="submitted", title="Get rich quick with Acme")
    compliance.add_blocked_terms("rich quick", org["admin"])
    with pytest.raises(ValidationFailed) as caught:
        workflow.transition(content, "approve", org["curator"])
    assert "“rich quick”" in caught.value.detail
    assert db.session.get(Content, content.id).state == "submitted"


def test_editing_rejected_content_returns_it_to_draft(org):
    author = org["member"]
    content = ContentFactory(state="rejected", author_id=author.id)
    editing.update_content(
        content, ContentInput(title="Better title", destination_url="https://acme.example"), author
    )
    assert content.state == "draft" and content.title == "Better title"
    assert events(content)[-1][:3] == ("reopened", "rejected", "draft")


def test_nobody_edits_expired_or_archived_content(org):
    for state in ("expired", "archived"):
        content = ContentFactory(state=state)
        with pytest.raises(Conflict, match="can no longer be edited"):
            editing.update_content(content, ContentInput(title="New"), org["admin"])


def test_members_cannot_edit_submitted_content(org):
    content = ContentFactory(state="submitted", author_id=org["member"].id)
    with pytest.raises(Forbidden):
        editing.update_content(content, ContentInput(title="New"), org["member"])


def test_bulk_review_changes_the_legal_items_and_reports_the_others(org):
    ok = [ContentFactory(state="submitted") for _ in range(2)]
    already = ContentFactory(state="approved", title="Already out")
    others = target(ContentFactory(state="submitted", title="Not yours"), teams=[org["other_team"]])
    mine = target(ContentFactory(state="submitted"), teams=[org["team"]])
    leader = org["leader"]

    outcome = workflow.bulk_review([mine.id, already.id, others.id, 999999], "approve", leader)
    assert [c.id for c in outcome.done] == [mine.id]
    reasons = {content_id: reason for content_id, _title, reason in outcome.refused}
    assert "Only curators" in reasons[already.id] and "Only curators" in reasons[others.id]
    assert reasons[999999] == "No such content."
    assert outcome.status == 200

    outcome = workflow.bulk_review([c.id for c in ok] + [already.id], "approve", org["curator"])
    assert {c.id for c in outcome.done} == {c.id for c in ok}
    assert "already approved" in outcome.refused[0][2]
    db.session.expire_all()
    assert db.session.get(Content, already.id).state == "approved"
    assert events(already) == []


def test_bulk_review_with_only_illegal_items_is_a_conflict(org):
    already = ContentFactory(state="approved")
    outcome = workflow.bulk_review([already.id], "reject", org["curator"], note="no")
    assert outcome.done == [] and outcome.status == 409


@pytest.mark.parametrize(
    ("ids", "action", "note", "field"),
    [
        ([], "approve", "", "content_ids"),
        ([1], "reject", "", "note"),
        ([1], "publish", "", "action"),
    ],
)
def test_bulk_review_bad_input(org, ids, action, note, field):
    with pytest.raises(ValidationFailed) as caught:
        workflow.bulk_review(ids, action, org["curator"], note)
    assert field in caught.value.errors


def test_review_queue_of_curators_and_leaders(org):
    everyone = ContentFactory(state="submitted")
    sales = target(ContentFactory(state="submitted"), teams=[org["team"]])
    mixed = target(ContentFactory(state="submitted"), teams=[org["team"], org["other_team"]])
    ContentFactory(state="draft")
    assert [c.id for c in workflow.review_queue(org["curator"])] == [
        everyone.id,
        sales.id,
        mixed.id,
    ]
    assert [c.id for c in workflow.review_queue(org["leader"])] == [sales.id]
    assert workflow.review_queue(org["other_leader"]) == []
    assert not workflow.can_review_any(org["member"]) and workflow.can_review_any(org["leader"])


def test_publish_and_expire_on_time_and_idempotent(org):
    now = utcnow()
    scheduled = ContentFactory(publish_at=now + timedelta(minutes=10), published_at=None)
    ending = ContentFactory(
        publish_at=now - timedelta(days=1), expire_at=now + timedelta(minutes=5)
    )
    with time_machine.travel(now + timedelta(minutes=11), tick=False):
        assert workflow.publish_and_expire() == (1, 1)  # `ending` expires, never published
        assert workflow.publish_and_expire() == (0, 0)
    db.session.expire_all()
    assert scheduled.state == "approved" and scheduled.published_at is not None
    assert ending.state == "expired"
    assert [e[0] for e in events(ending)] == ["expired"]
    assert events(scheduled)[0][:3] == ("published", "approved", "approved")


def test_mails_on_submission_and_review(org, mail_outbox, run_jobs):
    author = org["team_member"]
    content = create_content(
        ContentInput(
            title="Sales kickoff", destination_url="https://acme.example/k", teams=[org["team"].id]
        ),
        author,
    )
    workflow.transition(content, "submit", author)
    run_jobs()
    recipients = sorted(m.to[0] for m in mail_outbox)
    assert recipients == sorted([org["curator"].email, org["leader"].email])
    assert "To review: Sales kickoff" in mail_outbox[0].subject
    assert "/content/" in mail_outbox[0].body

    mail_outbox.clear()
    workflow.transition(content, "reject", org["leader"], note="Add the date, please.")
    run_jobs()
    [mail] = mail_outbox
    assert mail.to == [author.email]
    assert mail.subject == "Not approved: Sales kickoff"
    assert "Add the date, please." in mail.body
