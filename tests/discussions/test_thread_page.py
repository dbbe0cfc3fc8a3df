"""The thread page as redesigned: an answered question shows its accepted answer once, at the
top, and no empty "Answered" card; post actions sit in a "⋯" menu while reactions and Reply stay
in view; the discussions page offers Moderation only to moderators."""

from __future__ import annotations

import re

from advocacy.discussions import qa, threads
from tests.discussions.factories import add_member, make_space, make_thread
from tests.factories import UserFactory


def html(response) -> str:
    return response.get_data(as_text=True)


def test_an_answered_question_shows_its_answer_once_at_the_top(app, login_as):
    asker, helper = UserFactory(display_name="Ana Asker"), UserFactory(display_name="Hal Helper")
    space = make_space(owner=asker)
    add_member(space, helper)
    question = make_thread(space, asker, "How do I book a room?", "Where?", kind="question")
    threads.reply(helper, question, "Use the self-service portal: Settings, then Requests.")
    answer = threads.reply(helper, question, "Also, rooms free up at noon.")
    qa.accept_answer(asker, question, answer.id)

    page = html(login_as(asker).get(f"/discussions/threads/{question.id}"))

    assert page.count("Also, rooms free up at noon.") == 1  # not at the top and again below
    assert page.index(f'id="accepted-{answer.id}"') < page.index('id="replies"')
    assert f'href="#accepted-{answer.id}">shown above' in page
    assert "Waiting for an answer" not in page and ">Answered<" not in page
    assert re.search(r'<details class="menu post-menu">', page)
    assert "Accept this answer" in page  # the other reply can still be chosen
    assert page.count("data-reply") == 3


def test_an_open_question_says_it_waits(app, login_as):
    asker = UserFactory()
    space = make_space(owner=asker)
    question = make_thread(space, asker, "Anyone?", "Hello?", kind="question")
    page = html(login_as(asker).get(f"/discussions/threads/{question.id}"))
    assert "Waiting for an answer" in page and "Ask a colleague to answer" in page


def test_moderation_is_offered_to_moderators_only(app, login_as):
    owner, member = UserFactory(), UserFactory()
    space = make_space(owner=owner)
    add_member(space, member)
    assert "/discussions/moderation/" not in html(login_as(member).get("/discussions/"))
    assert login_as(member).get("/discussions/moderation/").status_code == 403
    owners_page = html(login_as(owner).get("/discussions/"))
    assert 'href="/discussions/moderation/"' in owners_page
