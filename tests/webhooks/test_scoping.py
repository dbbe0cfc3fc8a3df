"""Nothing said in a private or secret space leaves through webhooks unless an admin scoped the
subscription to that space; content for some teams reaches signed webhooks but not company-wide
chat channels; chat posts show titles as typed (no mass pings, no disguised links)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import workflow
from advocacy.webhooks.models import WebhookDelivery
from tests.discussions.factories import make_space, make_thread
from tests.factories import TeamFactory
from tests.feeds.factories import ContentFactory, target


def delivered_to(subscription) -> list[str]:
    rows = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    )
    return [row.event.type for row in rows]


@pytest.mark.parametrize("visibility", ["secret", "private"])
def test_a_closed_space_speaks_only_to_subscriptions_scoped_to_it(subscribe, visibility):
    everything, _ = subscribe("https://crm.invalid/in", events=["thread.created"], name="CRM")
    closed = make_space(visibility=visibility, name="Skunkworks")
    scoped, _ = subscribe("https://audit.invalid/in", events=["thread.created"], name="Audit")
    scoped.space_ids = [closed.id]
    db.session.commit()
    make_thread(closed, title="Acquisition of Initech")
    make_thread(make_space(visibility="public", name="Town hall"), title="Lunch?")
    db.session.commit()
    assert delivered_to(everything) == ["thread.created"]  # the public thread only
    assert delivered_to(scoped) == ["thread.created", "thread.created"]
    [event] = [
        d.event
        for d in db.session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.subscription_id == everything.id)
        )
    ]
    assert event.data["thread"]["title"] == "Lunch?"
    assert "Skunkworks" not in json.dumps(event.data)


def test_a_subscription_is_scoped_to_closed_spaces_only(admin, subscribe):
    public = make_space(visibility="public")
    with pytest.raises(ValidationFailed) as refused:
        from advocacy.webhooks.subscriptions import SubscriptionInput, create_subscription

        create_subscription(
            SubscriptionInput("CRM", "https://crm.invalid/in", events=["thread.created"],
                              space_ids=[public.id]),
            admin,
        )  # fmt: skip
    assert "space_ids" in refused.value.errors


def test_the_api_and_the_form_scope_a_subscription(app, login_as, admin, api):
    secret = make_space(visibility="secret", name="Board room")
    created = api(admin).post(
        "/api/v1/webhooks",
        json={"name": "Audit", "url": "https://audit.invalid/in", "events": ["thread.created"],
              "space_ids": [secret.id]},
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["space_ids"] == [secret.id]
    page = login_as(admin).get("/admin/webhooks/").get_data(as_text=True)
    assert "Board room (secret)" in page


def test_targeted_content_reaches_signed_webhooks_but_not_chat(subscribe, admin):
    """content.published was dropped for every subscription when content had an audience."""
    hook, _ = subscribe("https://crm.invalid/in", events=["content.published"], name="CRM")
    channel, _ = subscribe("https://hooks.slack.invalid/x", kind="slack", name="Channel")
    sales = TeamFactory(name="Sales")
    content = target(ContentFactory(state="submitted", publish_at=None), teams=[sales])
    workflow.transition(content, "approve", admin)
    assert delivered_to(hook) == ["content.published"]
    assert delivered_to(channel) == []


def test_chat_posts_show_titles_as_typed(receiver, subscribe, admin, run_jobs):
    subscribe(receiver.url, kind="slack", name="Slack")
    subscribe(receiver.url, kind="teams", name="Teams")
    content = ContentFactory(
        state="submitted",
        publish_at=None,
        title="<!channel> see <https://evil.invalid|Payroll>",
        summary="[Log in here](https://evil.invalid) **now**",
    )
    workflow.transition(content, "approve", admin)
    run_jobs()
    bodies = [json.loads(request.body) for request in receiver.requests]
    slack = next(body for body in bodies if "blocks" in body)
    teams = next(body for body in bodies if "attachments" in body)
    assert "<!channel>" not in json.dumps(slack) and "<https://evil" not in json.dumps(slack)
    assert slack["text"].startswith("New to share: &lt;!channel&gt;")
    card = teams["attachments"][0]["content"]
    assert card["body"][1]["text"].startswith("\\[Log in here\\]\\(https://evil")
    assert "**now**" not in card["body"][1]["text"]
