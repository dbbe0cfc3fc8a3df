""" "Discuss internally": approved content aimed at everyone gets one thread in the Company news
space, started on first use (and only once, even when two people open it at once), shown on the
content page with its reply count."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from advocacy.discussions import threads
from advocacy.discussions.bridge.models import ContentDiscussion
from advocacy.discussions.models import Space, SpaceFollow, SpaceMember, Thread
from advocacy.discussions.notifications.models import Notification
from advocacy.extensions import db
from tests.discussions.concurrency import rival_commits_before_flush
from tests.discussions.factories import make_space, make_thread
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory, target


def html(response) -> str:
    return response.get_data(as_text=True)


def panel(page: str) -> str:
    found = re.search(r'<section id="discussion".*?</section>', page, re.S)
    return " ".join(found.group(0).split()) if found else ""


@pytest.fixture
def news(app):
    return ContentFactory(title="Acme joins the Climate Pledge", summary="Net zero by 2035.")


def test_the_first_opener_starts_the_thread_and_everyone_lands_in_it(
    people, news, login_as, run_jobs
):
    member, colleague = login_as(people["member"]), login_as(people["non_member"])
    page = html(member.get(f"/content/{news.id}"))
    assert "Talk about it with colleagues in Company news." in panel(page)
    assert f'action="/discussions/content/{news.id}/discussion"' in panel(page)

    opened = member.post(f"/discussions/content/{news.id}/discussion")
    again = colleague.post(f"/discussions/content/{news.id}/discussion")

    thread = db.session.scalar(select(Thread))
    assert opened.status_code == again.status_code == 303
    assert (
        opened.headers["Location"]
        == again.headers["Location"]
        == (f"/discussions/threads/{thread.id}")
    )
    assert db.session.scalar(select(func.count()).select_from(Thread)) == 1
    space = thread.space
    assert (space.name, space.visibility, space.official) == ("Company news", "public", False)
    assert db.session.scalar(select(func.count()).select_from(SpaceMember)) == 0  # no owner
    assert (thread.link_kind, thread.link_id, thread.author_id) == (
        "content",
        news.id,
        people["member"].id,
    )
    assert thread.title == news.title and thread.tags == ["advocacy"]
    opening = threads.opening_post(thread)
    assert f'href="http://advocacy.test/content/{news.id}"' in opening.body_html
    assert "<blockquote>\n<p>Net zero by 2035.</p>" in opening.body_html
    assert [t.id for t in threads.threads_linked_to("content", news.id)] == [thread.id]

    assert "0 replies" in panel(html(colleague.get(f"/content/{news.id}")))
    threads.reply(people["non_member"], thread, "Proud of this!")
    threads.reply(people["moderator"], thread, "Same here.")
    run_jobs()
    shown = panel(html(colleague.get(f"/content/{news.id}")))
    assert "<strong>2 replies</strong>" in shown
    assert f'href="/discussions/threads/{thread.id}">Discuss internally</a>' in shown


def test_the_title_and_summary_are_quoted_as_written(people, login_as, run_jobs):
    item = ContentFactory(title="**Big** news [for](javascript:x) @mo", summary="# Not a heading")
    login_as(people["member"]).post(f"/discussions/content/{item.id}/discussion")
    run_jobs()
    body = threads.opening_post(db.session.scalar(select(Thread))).body_html
    assert "**Big** news [for](javascript:x) @mo" in body
    assert "<h1>" not in body and "# Not a heading" in body
    mentions = select(func.count()).select_from(Notification).where(Notification.kind == "mention")
    assert db.session.scalar(mentions) == 0


def test_only_approved_content_for_everyone_is_discussed(people, login_as):
    curator = UserFactory(role="curator")
    team = TeamFactory(name="Sales")
    MembershipFactory(team=team, user=people["member"])
    waiting = ContentFactory(state="submitted", title="Still in review")
    for_sales = target(ContentFactory(title="Sales kick-off"), teams=[team])
    expired = ContentFactory(state="expired", title="Last year's news")
    reviewer, member = login_as(curator), login_as(people["member"])

    refused = reviewer.post(f"/discussions/content/{waiting.id}/discussion")
    assert refused.status_code == 409
    assert "Only approved content is discussed internally" in html(refused)
    assert 'id="discussion"' not in html(reviewer.get(f"/content/{waiting.id}"))

    targeted = member.post(f"/discussions/content/{for_sales.id}/discussion")
    assert targeted.status_code == 409
    assert "aimed at part of the company" in panel(html(member.get(f"/content/{for_sales.id}")))
    outsider = login_as(people["non_member"])
    assert outsider.post(f"/discussions/content/{for_sales.id}/discussion").status_code == 404

    assert reviewer.post(f"/discussions/content/{expired.id}/discussion").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Thread)) == 1
    assert login_as(people["member"]).post("/discussions/content/999/discussion").status_code == 404


def test_a_removed_discussion_is_not_started_again(people, news, login_as):
    member = login_as(people["member"])
    member.post(f"/discussions/content/{news.id}/discussion")
    thread = db.session.scalar(select(Thread))
    threads.delete_thread(people["admin"], thread)

    refused = member.post(f"/discussions/content/{news.id}/discussion")

    assert refused.status_code == 409 and "removed by a moderator" in html(refused)
    assert "removed by a moderator" in panel(html(member.get(f"/content/{news.id}")))
    admin = login_as(people["admin"])
    moderated = admin.post(f"/discussions/content/{news.id}/discussion")
    assert moderated.headers["Location"] == f"/discussions/threads/{thread.id}"


def test_two_people_opening_it_at_once_share_one_thread(people, news, login_as, run_jobs):
    space = make_space(people["admin"], "public", name="Company news")
    rival = make_thread(space, people["owner"], news.title, "Opened a moment earlier")
    run_jobs()  # the rival thread's own notifications
    follower = UserFactory(display_name="Fay Follower")
    db.session.add(SpaceFollow(space_id=space.id, user_id=follower.id))
    db.session.commit()
    rival_row = {"content_id": news.id, "thread_id": rival.id}

    with rival_commits_before_flush(
        Thread, ContentDiscussion.__table__, lambda: rival_row
    ) as raced:
        response = login_as(people["member"]).post(f"/discussions/content/{news.id}/discussion")

    run_jobs()
    assert raced == [True]
    assert response.headers["Location"] == f"/discussions/threads/{rival.id}"
    db.session.expire_all()
    assert db.session.scalars(select(Thread.id)).all() == [rival.id]
    assert db.session.get(ContentDiscussion, news.id).thread_id == rival.id
    # Our rolled-back thread notified nobody.
    notified = select(Notification).where(Notification.recipient_id == follower.id)
    assert db.session.scalars(notified).all() == []


def test_an_existing_space_of_that_name_is_used(people, news, login_as):
    existing = make_space(people["owner"], "public", name="company NEWS")
    login_as(people["member"]).post(f"/discussions/content/{news.id}/discussion")
    assert db.session.scalar(select(Thread)).space_id == existing.id
    assert db.session.scalar(select(func.count()).select_from(Space)) == 1


def test_the_space_is_a_setting(make_app, login_as):
    app = make_app(CONTENT_DISCUSSION_SPACE="Newsroom")
    with app.app_context():
        person = UserFactory()
        item = ContentFactory()
        login_as(person, app.test_client()).post(f"/discussions/content/{item.id}/discussion")
        assert db.session.scalar(select(Space.name)) == "Newsroom"
