"""The first-run checklist on a new employee's feed: profile, topics, picture, a first share
and a first question; it goes once every step is done, and from then on is not checked."""

from __future__ import annotations

from flask import current_app

from advocacy.discussions import threads
from advocacy.extensions import db
from advocacy.feeds import feed as feed_service
from advocacy.feeds import sharing
from advocacy.feeds.onboarding import onboarding_for
from advocacy.media.images import store_image
from tests.accounts.test_profile_page import png
from tests.discussions.factories import make_space
from tests.feeds.factories import ContentFactory, tag

STEPS = [
    "Set your time zone and languages",
    "Follow the topics you care about",
    "Add a profile picture",
    "Share your first post",
    "Ask your first question",
]


def done_steps(user) -> list[str]:
    with current_app.test_request_context():
        checklist = onboarding_for(user)
    return [step.label for step in checklist.steps if step.done] if checklist else STEPS


def test_a_new_employee_sees_the_checklist_until_everything_is_done(client, login_as, user):
    user.languages = []
    db.session.commit()
    login_as(user, client)
    page = client.get("/").get_data(as_text=True)
    assert "Get started" in page and "0 of 5 done" in page
    assert all(label in page for label in STEPS)

    item = tag(ContentFactory(title="Shareable"), "Culture")
    user.languages = ["en"]
    feed_service.subscribe(user, "culture")
    assert done_steps(user) == STEPS[:2]
    user.avatar = store_image(png(), origin="avatar", square_side=64)
    db.session.commit()
    sharing.share_content(user, item, "linkedin")
    assert done_steps(user) == STEPS[:4]
    assert "4 of 5 done" in client.get("/").get_data(as_text=True)

    threads.start_thread(user, make_space(owner=user), "My first question", "Hello?")
    page = client.get("/").get_data(as_text=True)

    assert "Get started" not in page
    db.session.refresh(user)
    assert user.onboarded_at is not None
    with current_app.test_request_context():
        assert onboarding_for(user) is None  # remembered: it is not checked again
