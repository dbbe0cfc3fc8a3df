"""Events from the other features' signals, and chat posts in Slack's and Teams' formats."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.feeds import sharing, workflow
from advocacy.leaderboard.points.signals import period_closed
from advocacy.leaderboard.reach.ingest import Click
from advocacy.leaderboard.reach.signals import conversion_recorded, human_clicks_recorded
from advocacy.models_base import utcnow
from advocacy.recruiting.signals import referral_stage_changed
from advocacy.webhooks.models import WebhookEvent
from tests.discussions.factories import make_space, make_thread
from tests.factories import TeamFactory
from tests.feeds.factories import ContentFactory, target
from tests.leaderboard.conftest import Conversion

ALL_EVENTS = [
    "content.approved",
    "content.published",
    "share.created",
    "click.human",
    "conversion.recorded",
    "referral.stage_changed",
    "thread.created",
    "leaderboard.period_closed",
]


@pytest.fixture
def everything(subscribe):
    # Nothing listens there: each delivery fails fast, once; these tests read the outbox.
    return subscribe("http://127.0.0.1:9/in", events=ALL_EVENTS)[0]


def _events(event_type: str | None = None) -> list[WebhookEvent]:
    query = select(WebhookEvent).order_by(WebhookEvent.id)
    if event_type:
        query = query.where(WebhookEvent.type == event_type)
    return list(db.session.scalars(query))


def test_approval_records_approved_and_published(everything, admin):
    content = ContentFactory(state="submitted", publish_at=None, title="Launch day")
    workflow.transition(content, "approve", admin)
    [approved] = _events("content.approved")
    assert approved.data["content"]["title"] == "Launch day"
    assert approved.data["content"]["url"] == f"http://advocacy.test/content/{content.id}"
    assert approved.data["approved_by"] == {"id": admin.id, "name": admin.display_name}
    [published] = _events("content.published")
    assert published.data["content"]["id"] == content.id


def test_scheduled_content_is_published_by_the_periodic_job(everything, admin):
    later = utcnow() + timedelta(days=1)
    content = ContentFactory(state="submitted", publish_at=later)
    workflow.bulk_review([content.id], "approve", admin)
    assert len(_events("content.approved")) == 1
    assert _events("content.published") == []
    workflow.publish_and_expire(now=later + timedelta(minutes=1))
    assert [e.data["content"]["id"] for e in _events("content.published")] == [content.id]


def test_targeted_content_reaches_signed_webhooks_with_its_audience(everything, admin):
    """Only chat channels (company-wide) skip it: test_scoping.py."""
    content = target(ContentFactory(state="submitted", publish_at=None), teams=[TeamFactory()])
    workflow.transition(content, "approve", admin)
    assert len(_events("content.approved")) == 1
    [published] = _events("content.published")
    assert published.data["content"]["everyone"] is False


def test_a_share_records_share_created(everything, user):
    content = ContentFactory()
    sharing.share_content(user, content, "linkedin")
    [event] = _events("share.created")
    assert event.data["share"]["content_id"] == content.id
    assert event.data["share"]["network"] == "linkedin"
    assert event.data["share"]["user_id"] == user.id


def test_a_new_thread_records_thread_created(everything, user):
    space = make_space(name="Engineering")
    thread = make_thread(space, author=user, title="Who owns the build?")
    [event] = _events("thread.created")
    assert event.data["thread"]["title"] == "Who owns the build?"
    assert event.data["thread"]["space"]["name"] == "Engineering"
    assert event.data["thread"]["url"].endswith(f"/discussions/threads/{thread.id}")


def _clicks(user, content, at) -> list[Click]:
    """Clicks shaped exactly as the click ingest sends them."""
    return [
        Click(f"evt-{n}", 4, user.id, content.id, "linkedin", "spring", (), at, at.date())
        for n in (1, 2)
    ]


def test_human_clicks_are_one_event_per_batch(everything, user):
    at = utcnow()
    content = ContentFactory()
    human_clicks_recorded.send(None, clicks=_clicks(user, content, at))
    human_clicks_recorded.send(None, clicks=[])  # an empty batch says nothing
    db.session.commit()
    [event] = _events("click.human")
    assert event.data["count"] == 2
    assert event.data["clicks"][0] == {
        "event_id": "evt-1",
        "link_id": 4,
        "user_id": user.id,
        "content_id": content.id,
        "network": "linkedin",
        "campaign": "spring",
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
    }


def test_conversions_referrals_and_periods_are_recorded(everything, user):
    at = utcnow()
    conversion = Conversion(id=3, user_id=user.id, occurred_at=at, local_day=at.date())
    conversion_recorded.send(None, conversion=conversion)
    referral_stage_changed.send(None, data={"referral_id": 5, "to": "hired"})
    period_closed.send(None, data={"period": "2026-10"})
    db.session.commit()
    assert _events("conversion.recorded")[0].data["conversion"]["id"] == 3
    assert _events("referral.stage_changed")[0].data == {"referral_id": 5, "to": "hired"}
    assert _events("leaderboard.period_closed")[0].data == {"period": "2026-10"}


def test_events_that_roll_back_are_forgotten(everything, user):
    make_space(name="Ops")
    at = utcnow()
    conversion_recorded.send(
        None, conversion=Conversion(id=1, user_id=user.id, occurred_at=at, local_day=at.date())
    )
    db.session.rollback()
    assert _events() == []


@pytest.mark.parametrize("kind", ["slack", "teams"])
def test_chat_targets_get_published_content_in_their_format(
    receiver, subscribe, admin, run_jobs, kind
):
    hook, secret = subscribe(receiver.url, events=[], kind=kind)
    assert secret == "" and hook.events == ["content.published"]
    content = ContentFactory(
        state="submitted", publish_at=None, title="Q3 <results> & more", summary="Up 12%."
    )
    workflow.transition(content, "approve", admin)
    run_jobs()
    [request] = receiver.requests
    body = json.loads(request.body)
    assert "webhook-signature" not in request.headers
    url = f"http://advocacy.test/content/{content.id}"
    if kind == "slack":
        assert body["text"] == "New to share: Q3 &lt;results&gt; &amp; more"  # fallback too
        heading = body["blocks"][0]["text"]["text"]
        assert heading == f"*<{url}|New to share: Q3 &lt;results&gt; &amp; more>*"
        assert body["blocks"][2]["elements"][0]["url"] == url
    else:
        [attachment] = body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
        assert card["body"][0]["text"] == "New to share: Q3 \\<results\\> & more"
        assert card["actions"][0]["url"] == url
