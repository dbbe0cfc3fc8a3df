"""htmx routes: each gives the whole page, only its fragment for a targeted htmx request, and the
page (or a redirect) for a boosted one; always with `Vary: HX-Request`. Plus the thread API."""

from __future__ import annotations

import pytest

from advocacy.discussions import threads
from tests.discussions.factories import make_thread
from tests.openapi_validation import problem_of

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


@pytest.fixture
def setting(people, space_of):
    space = space_of("public")
    thread = make_thread(space, people["owner"], "Lunch options", "Where?", kind="question")
    reply = threads.reply(people["moderator"], thread, "The canteen")
    return {"space": space, "thread": thread, "reply": reply}


GETS = [
    ("/discussions/spaces/{space}?filter=questions", '<section id="threads"'),
    ("/discussions/spaces/{space}/members", '<section id="members"'),
    ("/discussions/unanswered?scope=all", '<section id="unanswered"'),
    ("/notifications", '<section id="notifications"'),
    ("/notifications/bell", '<a id="bell"'),
]


@pytest.mark.parametrize(("path", "fragment"), GETS)
def test_get_page_fragment_and_boosted(people, setting, login_as, path, fragment):
    client = login_as(people["member"])
    url = path.format(space=setting["space"].id)
    page = client.get(url)
    partial = client.get(url, headers=HX)
    boosted = client.get(url, headers=BOOSTED)
    if fragment != '<a id="bell"':
        assert "<html" in page.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)
    assert partial.get_data(as_text=True).lstrip().startswith(fragment)
    assert "<html" in boosted.get_data(as_text=True) or fragment == '<a id="bell"'
    for response in (page, partial, boosted):
        assert response.status_code == 200
        assert "HX-Request" in response.headers["Vary"]


POSTS = [
    ("/discussions/threads/{thread}/replies", {"body": "Also the park"}, '<section id="replies"'),
    ("/discussions/posts/{reply}/reactions", {"emoji": "❤️"}, '<form id="reactions-'),
    ("/discussions/threads/{thread}/follow", {"following": "0"}, '<form id="follow-thread"'),
    ("/discussions/spaces/{space}/follow", {"following": "1"}, '<form id="follow-space"'),
]


@pytest.mark.parametrize(("path", "data", "fragment"), POSTS)
def test_post_fragment_plain_and_boosted(people, setting, login_as, path, data, fragment):
    client = login_as(people["member"])
    url = path.format(
        space=setting["space"].id, thread=setting["thread"].id, reply=setting["reply"].id
    )
    partial = client.post(url, data=data, headers=HX)
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200, body
    assert body.lstrip().startswith(fragment) and "<html" not in body
    assert 'hx-swap-oob="true"' in body or "HX-Trigger" in partial.headers
    assert "HX-Request" in partial.headers["Vary"]
    plain = client.post(url, data=data)
    assert plain.status_code == 303
    boosted = client.post(url, data=data, headers=BOOSTED)
    assert boosted.status_code == 303


def test_a_reply_with_errors_comes_back_in_the_fragment(people, setting, login_as):
    client = login_as(people["member"])
    response = client.post(
        f"/discussions/threads/{setting['thread'].id}/replies", data={"body": ""}, headers=HX
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="replies"') and 'id="body-error"' in body
    assert setting["thread"].reply_count == 1


def test_reaction_fragment_shows_the_count_and_mine(people, setting, login_as):
    client = login_as(people["member"])
    url = f"/discussions/posts/{setting['reply'].id}/reactions"
    body = client.post(url, data={"emoji": "🎉"}, headers=HX).get_data(as_text=True)
    assert 'aria-pressed="true" aria-label="party: 1"' in body
    body = client.post(url, data={"emoji": "🎉"}, headers=HX).get_data(as_text=True)
    assert 'aria-label="party: 0"' in body
    assert client.post(url, data={"emoji": "nope"}, headers=HX).status_code == 422


def test_thread_api_lifecycle(people, setting, api):
    client = api(people["member"])
    space_id = setting["space"].id
    bad = client.post(f"/api/v1/spaces/{space_id}/threads", json={"title": "", "body": "x"})
    assert problem_of(bad, 422)["errors"]["title"]
    created = client.post(
        f"/api/v1/spaces/{space_id}/threads",
        json={"title": "API thread", "body": "Hello **there**", "tags": ["api", "docs"]},
    )
    assert created.status_code == 201
    thread = created.get_json()
    assert thread["tags"] == ["api", "docs"] and thread["posts"][0]["body_html"].startswith(
        "<p>Hello <strong>there</strong>"
    )
    post = client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "A reply"}).get_json()
    edited = client.patch(f"/api/v1/posts/{post['id']}", json={"body": "Edited reply"})
    assert edited.get_json()["edited_at"] is not None
    reacted = client.post(f"/api/v1/posts/{post['id']}/reactions", json={"emoji": "👍"}).get_json()
    assert reacted == {"added": True, "reactions": [{"emoji": "👍", "count": 1, "mine": True}]}
    problem_of(client.post(f"/api/v1/posts/{post['id']}/reactions", json={"emoji": "x"}), 422)
    renamed = client.patch(f"/api/v1/threads/{thread['id']}", json={"title": "Renamed"})
    assert renamed.get_json()["title"] == "Renamed"
    problem_of(client.patch(f"/api/v1/threads/{thread['id']}", json={"pinned": True}), 403)
    assert client.delete(f"/api/v1/posts/{post['id']}").status_code == 204
    problem_of(client.delete(f"/api/v1/posts/{post['id']}"), 409)
    detail = client.get(f"/api/v1/threads/{thread['id']}").get_json()
    assert [p["deleted"] for p in detail["posts"]] == [False, True]
    assert detail["posts"][1]["body"] == ""
    listed = client.get(f"/api/v1/spaces/{space_id}/threads").get_json()
    assert [t["title"] for t in listed["items"]][:1] == ["Renamed"]
    assert client.delete(f"/api/v1/threads/{thread['id']}").status_code == 204
    problem_of(client.get(f"/api/v1/threads/{thread['id']}"), 404)
    problem_of(client.get("/api/v1/threads/99999"), 404)
