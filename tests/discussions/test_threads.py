"""Threads and posts through the services and pages: bad input, edit history, soft delete and
restore, pin and close, tags, reactions, follows and what is new to a reader."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.accounts.teams import add_team_member, create_team
from advocacy.discussions import reading, threads
from advocacy.discussions.models import Post, PostRevision, Reaction, Space, Thread, ThreadTag
from advocacy.errors import Conflict, Forbidden, ValidationFailed
from advocacy.extensions import db
from tests.discussions.factories import add_member, make_space, make_thread
from tests.factories import UserFactory


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def space(people, space_of):
    return space_of("public")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "body": "x"}, "title", "This field is required."),
        ({"title": "x" * 201, "body": "x"}, "title", "Field cannot be longer than 200 characters."),
        ({"title": "Fine", "body": "   "}, "body", "This field is required."),
        ({"title": "Fine", "body": "x", "tags": "ok, not ok!"}, "tags", "is not a tag"),
        ({"title": "Fine", "body": "x", "tags": "a,b,c,d,e,f"}, "tags", "at most 5 tags"),
    ],
)
def test_bad_thread_input_is_refused_whole(people, space, login_as, data, field, message):
    client = login_as(people["member"])
    form = {"kind": "discussion", "tags": "", **data}
    response = client.post(f"/discussions/spaces/{space.id}/threads", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body and message in body
    assert count(Thread) == 0 and count(Post) == 0


def test_members_cannot_post_announcements_or_start_threads_in_official_spaces(people):
    official = make_space(people["admin"], name="HR Announcements", official=True)
    with pytest.raises(Forbidden, match="Only moderators start threads"):
        threads.start_thread(people["member"], official, "Hi", "Hello")
    open_space = make_space(people["owner"])
    with pytest.raises(Forbidden, match="announcements"):
        threads.start_thread(people["member"], open_space, "Hi", "Hello", kind="announcement")
    assert count(Thread) == 0


def test_edit_history_is_kept_and_viewable(people, space, login_as):
    thread = make_thread(space, people["member"], "First title", "First **body**")
    opening = threads.opening_post(thread)
    client = login_as(people["member"])
    response = client.post(
        f"/discussions/posts/{opening.id}/edit", data={"title": "Second title", "body": "Second"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (thread.title, opening.body_source) == ("Second title", "Second")
    [revision] = db.session.scalars(select(PostRevision)).all()
    assert (revision.title, revision.body_source) == ("First title", "First **body**")
    history = client.get(f"/discussions/posts/{opening.id}/history").get_data(as_text=True)
    assert "First title" in history and "<strong>body</strong>" in history
    assert "edited" in client.get(f"/discussions/threads/{thread.id}").get_data(as_text=True)


def test_others_cannot_edit_and_a_bad_edit_changes_nothing(people, space, login_as):
    thread = make_thread(space, people["member"], "Mine", "Original")
    opening = threads.opening_post(thread)
    with pytest.raises(Forbidden):
        threads.edit_post(people["non_member"], opening, "Hijacked")
    response = login_as(people["member"]).post(
        f"/discussions/posts/{opening.id}/edit", data={"title": "", "body": ""}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert (thread.title, opening.body_source, count(PostRevision)) == ("Mine", "Original", 0)
    # Moderators may edit anyone's post.
    threads.edit_post(people["moderator"], opening, "Fixed a typo")
    assert count(PostRevision) == 1


def test_soft_delete_and_moderator_restore(people, space, login_as):
    thread = make_thread(space, people["owner"])
    reply = threads.reply(people["member"], thread, "Regrettable")
    member = login_as(people["member"])
    assert member.post(f"/discussions/posts/{reply.id}/delete").status_code == 303
    db.session.expire_all()
    assert reply.deleted and thread.reply_count == 0
    page = member.get(f"/discussions/threads/{thread.id}").get_data(as_text=True)
    assert "This reply was deleted." in page and "Regrettable" not in page
    assert member.post(f"/discussions/posts/{reply.id}/restore").status_code == 403
    moderator = login_as(people["moderator"])
    assert "Regrettable" in moderator.get(f"/discussions/threads/{thread.id}").get_data(
        as_text=True
    )
    assert moderator.post(f"/discussions/posts/{reply.id}/restore").status_code == 303
    db.session.expire_all()
    assert not reply.deleted and thread.reply_count == 1
    with pytest.raises(Conflict, match="delete the thread"):
        threads.delete_post(people["owner"], threads.opening_post(thread))


def test_deleted_threads_are_hidden_until_restored(people, space, login_as):
    thread = make_thread(space, people["member"], "Gone soon")
    threads.delete_thread(people["member"], thread)
    assert login_as(people["member"]).get(f"/discussions/threads/{thread.id}").status_code == 404
    listing = login_as(people["non_member"]).get(f"/discussions/spaces/{space.id}")
    assert "Gone soon" not in listing.get_data(as_text=True)
    moderator = login_as(people["moderator"])
    assert moderator.get(f"/discussions/threads/{thread.id}").status_code == 200
    assert moderator.post(f"/discussions/threads/{thread.id}/restore").status_code == 303
    assert login_as(people["member"]).get(f"/discussions/threads/{thread.id}").status_code == 200


def test_closed_threads_take_replies_from_moderators_only(people, space, login_as):
    thread = make_thread(space, people["owner"])
    assert (
        login_as(people["moderator"]).post(f"/discussions/threads/{thread.id}/close").status_code
        == 303
    )
    response = login_as(people["member"]).post(
        f"/discussions/threads/{thread.id}/replies", data={"body": "Too late"}
    )
    assert response.status_code == 409
    threads.reply(people["moderator"], thread, "Closing note")
    assert count(Post) == 2


def test_pinned_threads_come_first(people, space):
    first = make_thread(space, people["owner"], "Older but pinned")
    make_thread(space, people["owner"], "Newer")
    threads.update_thread(people["moderator"], first, pinned=True)
    rows, _pages = reading.thread_list(people["member"], space)
    assert [r.thread.title for r in rows] == ["Older but pinned", "Newer"]


def test_tags_are_stored_one_row_each_and_filter_the_list(people, space, login_as):
    make_thread(space, people["owner"], "Payroll", tags="#Payroll, onboarding")
    make_thread(space, people["owner"], "Other")
    assert sorted(db.session.scalars(select(ThreadTag.tag))) == ["onboarding", "payroll"]
    page = login_as(people["member"]).get(f"/discussions/spaces/{space.id}?tag=payroll")
    assert "Payroll" in page.get_data(as_text=True)
    assert ">Other<" not in page.get_data(as_text=True)


def test_reactions_toggle_one_per_person_and_emoji(people, space):
    thread = make_thread(space, people["owner"])
    post = threads.reply(people["member"], thread, "Nice")
    assert reading.toggle_reaction(people["member"], post, "👍") is True
    assert reading.toggle_reaction(people["owner"], post, "👍") is True
    assert reading.toggle_reaction(people["owner"], post, "🎉") is True
    assert reading.toggle_reaction(people["member"], post, "👍") is False
    counts = reading.post_reactions(people["owner"], post)
    assert [(r.emoji, r.count, r.mine) for r in counts] == [("👍", 1, True), ("🎉", 1, True)]
    with pytest.raises(ValidationFailed):
        reading.toggle_reaction(people["member"], post, "💩")
    assert count(Reaction) == 2


def test_new_threads_and_replies_since_my_last_visit(people, space, login_as):
    reader = login_as(people["member"])
    thread = make_thread(space, people["owner"], "Fresh")
    index = reader.get("/discussions/").get_data(as_text=True)
    assert "1 new" in index
    assert ">new<" in reader.get(f"/discussions/spaces/{space.id}").get_data(as_text=True)
    assert "1 new" not in reader.get("/discussions/").get_data(as_text=True)
    reader.get(f"/discussions/threads/{thread.id}")
    threads.reply(people["owner"], thread, "One")
    threads.reply(people["owner"], thread, "Two")
    listing = reader.get(f"/discussions/spaces/{space.id}").get_data(as_text=True)
    assert "2 new replies" in listing
    page = reader.get(f"/discussions/threads/{thread.id}").get_data(as_text=True)
    assert "Jump to the first new reply" in page
    assert "new replies" not in reader.get(f"/discussions/spaces/{space.id}").get_data(as_text=True)


def test_quoting_prefills_the_reply_and_links_the_quoted_post(people, space, login_as):
    thread = make_thread(space, people["owner"])
    post = threads.reply(people["owner"], thread, "Line one\nLine two")
    client = login_as(people["member"])
    page = client.get(f"/discussions/threads/{thread.id}?quote={post.id}").get_data(as_text=True)
    assert "Olive Owner wrote:\n&gt; Line one\n&gt; Line two" in page
    response = client.post(
        f"/discussions/threads/{thread.id}/replies",
        data={"body": "> Line one\n\nAgreed", "quote_of": str(post.id)},
    )
    assert response.status_code == 303
    latest = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert latest.quote_of_id == post.id and "<blockquote>" in latest.body_html


def test_follow_and_unfollow_beats_the_automatic_follow(people, space):
    thread = make_thread(space, people["owner"])
    assert reading.is_following_thread(people["owner"], thread)
    reading.set_thread_follow(people["owner"], thread, False)
    threads.reply(people["owner"], thread, "Still here")
    assert not reading.is_following_thread(people["owner"], thread)


def test_a_500_reply_thread_pages_and_shows_everything_on_request(people, space, login_as):
    thread = make_thread(space, people["owner"], "Long")
    for number in range(120):
        db.session.add(
            Post(
                thread_id=thread.id,
                author_id=people["owner"].id,
                body_source=f"r{number}",
                body_html=f"<p>r{number}</p>",
            )
        )
    thread.reply_count = 120
    db.session.commit()
    client = login_as(people["member"])
    first = client.get(f"/discussions/threads/{thread.id}").get_data(as_text=True)
    assert (
        "<p>r0</p>" in first and "<p>r100</p>" not in first and 'aria-label="Reply pages"' in first
    )
    last = client.get(f"/discussions/threads/{thread.id}?page=last").get_data(as_text=True)
    assert "<p>r119</p>" in last
    everything = client.get(f"/discussions/threads/{thread.id}?per_page=500").get_data(as_text=True)
    assert "<p>r0</p>" in everything and "<p>r119</p>" in everything


def test_team_spaces_follow_team_membership(app, login_as):
    leader, member, outsider = UserFactory(), UserFactory(), UserFactory()
    team = create_team("Platform")
    add_team_member(team, leader, leader=True)
    add_team_member(team, member)
    space = db.session.scalar(select(Space))
    assert (space.name, space.visibility, space.team_id) == ("Platform", "private", team.id)
    assert login_as(member).get(f"/discussions/spaces/{space.id}").status_code == 200
    assert login_as(outsider).get(f"/discussions/spaces/{space.id}").status_code == 403
    thread = make_thread(space, member, "Team matter")
    reply = threads.reply(member, thread, "x")
    threads.delete_post(leader, reply)  # the team's leaders moderate its space
    add_member(space, outsider)
    assert login_as(outsider).get(f"/discussions/threads/{thread.id}").status_code == 200


def test_an_announcement_to_the_whole_company_needs_an_official_space(people, mail_outbox):
    """A member could open a public space of their own and e-mail everyone an announcement."""
    own_space = make_space(people["member"], name="My soapbox")
    with pytest.raises(Forbidden, match="official spaces"):
        threads.start_thread(people["member"], own_space, "Buy now", "…", kind="announcement")
    assert count(Thread) == 0 and mail_outbox == []
    official = make_space(people["admin"], name="HR Announcements", official=True)
    threads.start_thread(people["admin"], official, "Office closed", "Friday", kind="announcement")
    club = make_space(people["member"], "private", name="Book club")
    threads.start_thread(people["member"], club, "Next book", "Dune", kind="announcement")
    assert count(Thread) == 2  # a private space reaches its members only
