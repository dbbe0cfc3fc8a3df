"""Mentions, replies, assignments and announcements notify the right people, in the app and by
e-mail through a real SMTP server; nobody outside a space hears about it; quiet hours delay
e-mail; the bell and marking read."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from sqlalchemy import select

from advocacy.accounts.service import deactivate_user
from advocacy.accounts.teams import add_team_member, create_team
from advocacy.discussions import membership, profiles, qa, threads
from advocacy.discussions.notifications.jobs import send_due_notification_emails
from advocacy.discussions.notifications.models import Notification
from advocacy.extensions import db
from tests.discussions.factories import add_member, make_thread
from tests.factories import UserFactory


@pytest.fixture
def app(smtp_app):
    """Every test here sends its e-mail through real SMTP."""
    return smtp_app


def notified(user, kind: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.recipient_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def subject(message) -> str:
    """The decoded subject, without the space that folding non-ASCII headers may leave."""
    return " ".join(str(message["Subject"]).split())


def handle(user) -> str:
    return profiles.get_profile(user).handle


def test_a_mention_notifies_and_emails_the_person(people, space_of, smtp_inbox, run_jobs):
    space = space_of("public")
    reader = people["non_member"]
    thread = make_thread(
        space, people["owner"], "Launch plan", f"What do you think, @{handle(reader)}?"
    )
    run_jobs()
    [notification] = notified(reader)
    assert (notification.kind, notification.thread_id) == ("mention", thread.id)
    [message] = smtp_inbox.to(reader.email)
    assert subject(message) == "Olive Owner mentioned you in “Launch plan”"
    body = message.get_content()
    assert f"http://advocacy.test/discussions/threads/{thread.id}#post-" in body
    assert "What do you think" in body
    assert 'class="mention"' in threads.opening_post(thread).body_html


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_mentions_of_people_who_cannot_see_the_space_notify_nobody(
    people, space_of, smtp_inbox, run_jobs, visibility
):
    space = space_of(visibility)
    outsider = people["non_member"]
    thread = make_thread(space, people["owner"], "Secret plan", f"Ping @{handle(outsider)}")
    threads.reply(
        people["member"], thread, f"Also @{handle(outsider)} and @{handle(people['moderator'])}"
    )
    run_jobs()
    assert notified(outsider) == []
    assert smtp_inbox.to(outsider.email) == []
    assert [n.kind for n in notified(people["moderator"])] == ["mention"]


def test_team_mentions_notify_the_team_members_who_can_see(people, space_of, run_jobs):
    team = create_team("Customer Success")
    inside, outside = people["member"], people["non_member"]
    add_team_member(team, inside)
    add_team_member(team, outside)
    private = space_of("private")
    make_thread(private, people["owner"], "Escalation", "Can @customer-success help?")
    run_jobs()
    assert [n.kind for n in notified(inside)] == ["mention"]
    assert notified(outside) == []


def test_a_team_mention_in_a_public_space_reaches_the_whole_team(people, space_of, run_jobs):
    team = create_team("Platform")
    add_team_member(team, people["non_member"])
    make_thread(space_of("public"), people["owner"], "Outage", "Over to @platform")
    run_jobs()
    assert [n.kind for n in notified(people["non_member"])] == ["mention"]


def test_replies_notify_followers_and_email_only_the_author(people, space_of, smtp_inbox, run_jobs):
    space = space_of("public")
    author, follower = people["member"], people["moderator"]
    thread = make_thread(space, author, "Desk booking")
    threads.reply(follower, thread, "I use the app")  # repliers follow too
    threads.reply(people["owner"], thread, "Me too")
    run_jobs()
    assert len(notified(author, "reply")) == 2
    assert len(notified(follower, "reply")) == 1
    assert notified(people["owner"], "reply") == []  # not about your own reply
    assert len(smtp_inbox.to(author.email)) == 2
    assert smtp_inbox.to(follower.email) == []


def test_switched_off_emails_are_not_sent_but_notifications_stay(
    people, space_of, smtp_inbox, run_jobs
):
    reader = people["member"]
    profile = profiles.get_profile(reader)
    profile.email_mention = False
    db.session.commit()
    make_thread(space_of("public"), people["owner"], "Hello", f"@{profile.handle} hi")
    run_jobs()
    assert len(notified(reader, "mention")) == 1
    assert smtp_inbox.to(reader.email) == []


def test_quiet_hours_hold_email_until_they_end(people, space_of, smtp_inbox, run_jobs):
    reader = people["member"]  # Europe/London
    profile = profiles.get_profile(reader)
    profile.quiet_start, profile.quiet_end = time(22, 0), time(7, 0)
    db.session.commit()
    space = space_of("public")
    with time_machine.travel(datetime(2026, 6, 10, 22, 30, tzinfo=UTC), tick=False):
        make_thread(space, people["owner"], "Late thought", f"@{profile.handle} when you can")
        run_jobs()
        [notification] = notified(reader)
        # 22:30 UTC is 23:30 BST: the e-mail waits for 07:00 BST (06:00 UTC).
        assert notification.email_due_at == datetime(2026, 6, 11, 6, 0, tzinfo=UTC)
        send_due_notification_emails()
        run_jobs()
        assert smtp_inbox.to(reader.email) == []
    with time_machine.travel(datetime(2026, 6, 11, 6, 5, tzinfo=UTC), tick=False):
        send_due_notification_emails()
        run_jobs()
        send_due_notification_emails()  # a second pass sends nothing again
        run_jobs()
    assert len(smtp_inbox.to(reader.email)) == 1


def test_a_notification_read_during_quiet_hours_is_not_emailed(
    people, space_of, smtp_inbox, run_jobs, login_as
):
    reader = people["member"]
    profile = profiles.get_profile(reader)
    profile.quiet_start, profile.quiet_end = time(0, 0), time(23, 59)
    db.session.commit()
    thread = make_thread(space_of("public"), people["owner"], "Read me", f"@{profile.handle}")
    run_jobs()
    login_as(reader).get(f"/discussions/threads/{thread.id}")  # reading marks it read
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        send_due_notification_emails()
        run_jobs()
    assert smtp_inbox.to(reader.email) == []
    assert all(n.read_at for n in notified(reader))


def test_assignment_and_announcement_notify(people, space_of, smtp_inbox, run_jobs):
    space = space_of("private")
    question = make_thread(space, people["owner"], "Who knows?", "Help", kind="question")
    qa.assign_question(people["owner"], question, people["member"])
    make_thread(space, people["owner"], "New policy", "Read it", kind="announcement")
    run_jobs()
    kinds = sorted(n.kind for n in notified(people["member"]))
    assert kinds == ["announcement", "assignment"]
    assert notified(people["non_member"]) == []  # the announcement reaches the space's members
    subjects = sorted(subject(m) for m in smtp_inbox.to(people["member"].email))
    assert subjects == [
        "Olive Owner asked you to answer “Who knows?”",
        "Olive Owner posted an announcement: “New policy”",
    ]


def test_editing_in_a_mention_notifies_only_the_newcomer(people, space_of, run_jobs):
    space = space_of("public")
    first, second = people["member"], people["moderator"]
    thread = make_thread(space, people["owner"], "Plan", f"@{handle(first)}")
    run_jobs()
    threads.edit_post(
        people["owner"], threads.opening_post(thread), f"@{handle(first)} @{handle(second)}"
    )
    run_jobs()
    assert len(notified(first, "mention")) == 1
    assert len(notified(second, "mention")) == 1


def test_bell_page_fragment_and_mark_read(people, space_of, login_as, run_jobs):
    reader = people["member"]
    thread = make_thread(space_of("public"), people["owner"], "Hi", f"@{handle(reader)}")
    run_jobs()
    client = login_as(reader)
    page = client.get("/discussions/").get_data(as_text=True)
    assert 'aria-label="Notifications: 1 unread"' in page
    bell = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert bell.get_data(as_text=True).lstrip().startswith('<a id="bell"')
    assert '<span class="count-badge" aria-hidden="true">1</span>' in bell.get_data(as_text=True)
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Olive Owner mentioned you in “Hi”" in listing
    response = client.post("/notifications/read", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "notificationsChanged" in response.headers["HX-Trigger"]
    assert "<html" not in response.get_data(as_text=True)
    assert notified(reader)[0].read_at is not None
    assert "count-badge" not in client.get("/notifications/bell").get_data(as_text=True)
    assert client.post("/notifications/read", data={"id": "x"}).status_code == 422
    assert thread.id


def test_notifications_api(people, space_of, api, run_jobs):
    reader = people["member"]
    make_thread(space_of("public"), people["owner"], "One", f"@{handle(reader)}")
    make_thread(space_of("private"), people["owner"], "Two", f"@{handle(reader)}")
    run_jobs()
    client = api(reader)
    listed = client.get("/api/v1/notifications?unread=true").get_json()
    assert [n["text"] for n in listed["items"]] == [
        "Olive Owner mentioned you in “Two”",
        "Olive Owner mentioned you in “One”",
    ]
    first = listed["items"][0]["id"]
    result = client.post("/api/v1/notifications/read", json={"ids": [first]}).get_json()
    assert result == {"marked": 1, "unread": 1}
    assert client.post("/api/v1/notifications/read", json={}).get_json() == {
        "marked": 1,
        "unread": 0,
    }


def test_deactivated_people_are_not_notified(people, space_of, run_jobs):
    gone = UserFactory(email="gone@example.com")
    target = handle(gone)
    deactivate_user(gone, people["admin"])
    space = space_of("public")
    add_member(space, gone)
    make_thread(space, people["owner"], "Hi", f"@{target}")
    run_jobs()
    assert notified(gone) == []


def test_leaving_a_private_space_hides_its_notifications(people, space_of, login_as, run_jobs):
    space = space_of("private")
    reader = people["member"]
    make_thread(space, people["owner"], "Reorganisation draft", f"@{handle(reader)} see this")
    run_jobs()
    client = login_as(reader)
    assert "Reorganisation draft" in client.get("/notifications").get_data(as_text=True)
    membership.remove_member(reader, space, reader)
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Reorganisation draft" not in listing and "all caught up" in listing
    assert "count-badge" not in client.get("/notifications/bell").get_data(as_text=True)
