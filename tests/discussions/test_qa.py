"""Questions and announcements: accepting an answer (shown first), the unanswered view in the
reader's time, assignment with the assignee's local time, and acknowledgements."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from advocacy.discussions import qa, threads
from advocacy.errors import Conflict, Forbidden, ValidationFailed
from tests.discussions.factories import add_member, make_space, make_thread
from tests.factories import UserFactory


@pytest.fixture
def space(space_of):
    return space_of("public")


def test_the_asker_accepts_an_answer_which_is_shown_first(people, space, login_as):
    question = make_thread(space, people["member"], "VPN on Linux?", "How?", kind="question")
    early = threads.reply(people["owner"], question, "Try turning it off and on.")
    good = threads.reply(people["moderator"], question, "Use the **WireGuard** profile.")
    with pytest.raises(Forbidden):
        qa.accept_answer(people["non_member"], question, good.id)
    client = login_as(people["member"])
    assert (
        client.post(
            f"/discussions/threads/{question.id}/accept", data={"post_id": good.id}
        ).status_code
        == 303
    )
    page = client.get(f"/discussions/threads/{question.id}").get_data(as_text=True)
    assert page.index('id="accepted-' + str(good.id)) < page.index(f'id="post-{early.id}"')
    assert "Accepted answer" in page and "<strong>WireGuard</strong>" in page
    # Moderators may change it; the question itself or another thread's post cannot be accepted.
    qa.accept_answer(people["moderator"], question, early.id)
    with pytest.raises(ValidationFailed):
        qa.accept_answer(people["member"], question, threads.opening_post(question).id)
    other = make_thread(space, people["member"], "Other")
    with pytest.raises(Conflict):
        qa.accept_answer(people["member"], other, early.id)


def test_unanswered_lists_oldest_first_with_waiting_time(people, space, login_as):
    reader = people["member"]
    reader.timezone = "America/Vancouver"
    with time_machine.travel(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False):
        old = make_thread(space, people["owner"], "Old question", "?", kind="question")
    with time_machine.travel(datetime(2026, 5, 5, 9, 0, tzinfo=UTC), tick=False):
        newer = make_thread(space, people["owner"], "Newer question", "?", kind="question")
        answered = make_thread(space, people["owner"], "Answered one", "?", kind="question")
        reply = threads.reply(people["moderator"], answered, "Here")
        qa.accept_answer(people["owner"], answered, reply.id)
        threads.reply(people["moderator"], newer, "A guess")  # a reply, but nothing accepted
        make_thread(space, people["owner"], "Just a chat")
    with time_machine.travel(datetime(2026, 5, 6, 12, 30, tzinfo=UTC), tick=False):
        page = login_as(reader).get(f"/discussions/spaces/{space.id}/unanswered")
        mine = login_as(reader).get("/discussions/unanswered").get_data(as_text=True)
    body = page.get_data(as_text=True)
    assert body.index("Old question") < body.index("Newer question")
    assert "Answered one" not in body and "Just a chat" not in body
    assert "waiting 2 days 3 h" in body and "waiting 1 day 3 h" in body
    assert "no reply yet" in body and "1 reply, none accepted" in body
    assert "04 May 2026, 02:00" in body  # 09:00 UTC, in the reader's Vancouver time
    assert "Old question" in mine  # the reader is a member of the space
    assert old.id and newer.id


def test_unanswered_across_my_spaces_or_all_i_can_read(people, login_as):
    member_of = make_space(people["owner"], name="Mine")
    add_member(member_of, people["member"])
    elsewhere = make_space(people["owner"], name="Elsewhere")
    make_thread(member_of, people["owner"], "In my space", kind="question")
    make_thread(elsewhere, people["owner"], "Somewhere else", kind="question")
    client = login_as(people["member"])
    mine = client.get("/discussions/unanswered").get_data(as_text=True)
    everything = client.get("/discussions/unanswered?scope=all").get_data(as_text=True)
    assert "In my space" in mine and "Somewhere else" not in mine
    assert "In my space" in everything and "Somewhere else" in everything
    fragment = client.get("/discussions/unanswered?scope=all", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="unanswered"')
    assert client.get("/discussions/unanswered?scope=bogus").status_code == 422


def test_assignment_shows_local_time_and_checks_who_can_see(people, space_of, login_as):
    private = space_of("private")
    question = make_thread(private, people["owner"], "Who owns billing?", kind="question")
    singapore = UserFactory(display_name="Siti Singapore", timezone="Asia/Singapore")
    add_member(private, singapore)
    with time_machine.travel(datetime(2026, 5, 6, 1, 0, tzinfo=UTC), tick=False):
        client = login_as(people["member"])  # signed sessions must not come from the future
        form = client.get(f"/discussions/threads/{question.id}/assign").get_data(as_text=True)
        assert "Siti Singapore — 09:00 Wed (+08), working now (until 17:00)" in form
        assert "Mo Member — 02:00 Wed (BST), off work; day starts in 7 h" in form
        response = client.post(
            f"/discussions/threads/{question.id}/assign", data={"assignee_id": singapore.id}
        )
        assert response.status_code == 303
        page = client.get(f"/discussions/threads/{question.id}").get_data(as_text=True)
        assert "Assigned to" in page and "09:00 Wed (+08)" in page
    with pytest.raises(ValidationFailed, match="cannot see this space"):
        qa.assign_question(people["member"], question, people["non_member"])
    discussion = make_thread(private, people["owner"], "Not a question")
    with pytest.raises(Conflict):
        qa.assign_question(people["member"], discussion, singapore)


def test_announcement_acknowledgements(people, space_of, login_as):
    space = space_of("private")
    extra = UserFactory(display_name="Zed Late")
    add_member(space, extra)
    announcement = make_thread(
        space, people["owner"], "New leave policy", "Read it", kind="announcement"
    )
    member = login_as(people["member"])
    response = member.post(
        f"/discussions/threads/{announcement.id}/acknowledge", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<section id="acknowledgement"')
    assert "You acknowledged this announcement." in response.get_data(as_text=True)
    qa.acknowledge(people["member"], announcement)  # twice is still once
    report = qa.acknowledgement_report(people["moderator"], announcement)
    assert [u.display_name for u, _at in report.acknowledged] == ["Mo Member"]
    assert [u.display_name for u in report.pending] == ["Max Moderator", "Zed Late"]
    page = login_as(people["owner"]).get(f"/discussions/threads/{announcement.id}/acknowledgements")
    assert "Acknowledged (1)" in page.get_data(as_text=True)
    assert "Not yet (2)" in page.get_data(as_text=True)
    with pytest.raises(Conflict):
        qa.acknowledge(people["member"], make_thread(space, people["owner"], "Chat"))


def test_accept_and_assign_through_the_api(people, space, api):
    question = make_thread(space, people["member"], "API?", kind="question")
    answer = threads.reply(people["owner"], question, "Yes")
    client = api(people["member"])
    accepted = client.post(f"/api/v1/threads/{question.id}/accept", json={"post_id": answer.id})
    assert accepted.get_json()["accepted_post_id"] == answer.id
    assert (
        client.post(f"/api/v1/threads/{question.id}/accept", json={"post_id": None}).get_json()[
            "accepted_post_id"
        ]
        is None
    )
    assert (
        client.post(f"/api/v1/threads/{question.id}/accept", json={"post_id": 99999}).status_code
        == 422
    )
    assigned = client.post(
        f"/api/v1/threads/{question.id}/assign", json={"assignee_id": people["owner"].id}
    ).get_json()
    assert assigned["assignee"] == {"id": people["owner"].id, "display_name": "Olive Owner"}
    missing = client.post(f"/api/v1/threads/{question.id}/assign", json={"assignee_id": 99999})
    assert missing.status_code == 404
