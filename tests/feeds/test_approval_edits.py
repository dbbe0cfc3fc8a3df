"""An approval cannot be widened by an edit: every role × every field of approved content. A team
leader approved content for their team; editing it to reach the company, another team, or to
point elsewhere must not keep that approval unless the editor may approve the new version."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.errors import Forbidden
from advocacy.extensions import db
from advocacy.feeds import editing, feed
from advocacy.feeds.content import merged_input
from advocacy.feeds.models import ContentEvent
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory, caption, target


@pytest.fixture
def org(app):
    sales, ops = TeamFactory(name="Sales"), TeamFactory(name="Ops")
    people = {
        "curator": UserFactory(role="curator"),
        "admin": UserFactory(role="admin"),
        "leader": MembershipFactory(team=sales, is_leader=True).user,
        "other_leader": MembershipFactory(team=ops, is_leader=True).user,
        "author": UserFactory(),
        "ops_member": MembershipFactory(team=ops).user,
    }
    return {"sales": sales, "ops": ops, **people}


def approved_for_sales(org):
    item = target(ContentFactory(author_id=org["author"].id), teams=[org["sales"]])
    caption(item, "linkedin", "Our Q3 numbers")
    db.session.commit()
    return item


EDITS = {
    "audience: everyone": lambda o: {"teams": []},
    "audience: another team": lambda o: {"teams": [o["ops"].id]},
    "audience: one more team": lambda o: {"teams": [o["sales"].id, o["ops"].id]},
    "audience: narrower (a place)": lambda o: {"teams": [o["sales"].id], "locations": ["Berlin"]},
    "destination": lambda o: {"destination_url": "https://elsewhere.example/offer"},
    "captions": lambda o: {"captions": {"linkedin": ["Buy now!"]}},
    "kind": lambda o: {"kind": "culture_story"},
    "internal only": lambda o: {"internal_only": True},
    "title": lambda o: {"title": "Q3 numbers, corrected"},
}  # fmt: skip
# What each editor's edit leaves: approved, sent back to review (submitted), or refused.
WIDENING = {"audience: everyone", "audience: another team", "audience: one more team"}
EXPECTED = {
    "curator": dict.fromkeys(EDITS, "approved"),
    "admin": dict.fromkeys(EDITS, "approved"),
    "leader": {edit: "submitted" if edit in WIDENING else "approved" for edit in EDITS},
    "other_leader": dict.fromkeys(EDITS, Forbidden),
    "author": dict.fromkeys(EDITS, Forbidden),
}


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("role", list(EXPECTED))
def test_an_edit_keeps_the_approval_only_if_the_editor_could_give_it(org, role, edit):
    item = approved_for_sales(org)
    expected = EXPECTED[role][edit]
    changes = EDITS[edit](org)
    if expected is Forbidden:
        before = (item.state, item.title, item.destination_url, item.audience_team_ids)
        with pytest.raises(Forbidden):
            editing.update_content(item, merged_input(item, changes), org[role])
        db.session.rollback()
        assert (item.state, item.title, item.destination_url, item.audience_team_ids) == before
        return
    editing.update_content(item, merged_input(item, changes), org[role])
    assert item.state == expected
    last = db.session.scalars(select(ContentEvent).order_by(ContentEvent.id.desc())).first()
    if expected == "submitted":
        assert last.action == "sent back to review" and last.actor_id == org[role].id
        assert "audience" in last.note and last.from_state == "approved"
    else:
        assert last.action == "edited"


def test_content_sent_back_to_review_leaves_the_feed_and_reviewers_hear_of_it(
    org, mail_outbox, run_jobs
):
    item = approved_for_sales(org)
    editing.update_content(item, merged_input(item, {"teams": []}), org["leader"])
    run_jobs()
    assert item.id not in [
        c.id for c in feed.feed_page(org["ops_member"], feed.FeedFilters()).items
    ]
    assert item.published_at is None
    assert any(org["curator"].email in message.to for message in mail_outbox)


def test_the_api_patch_follows_the_same_rule(org, api):
    item = approved_for_sales(org)
    response = api(org["leader"]).patch(
        f"/api/v1/content/{item.id}", json={"audience": {"teams": []}}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "submitted"
