"""The access matrix: anonymous, member, non-member, moderator and admin × public, private and
secret spaces × every discussion page and API endpoint.

The rules the expectations encode: a secret space is 404 to outsiders everywhere (never 403);
a private one shows outsiders a 403 "ask to join" page; moderation needs a moderator or an
admin; admins see and moderate every space. One test per (role, visibility) runs every action
in an order where nothing earlier changes what a later one checks, and compares all at once.
"""

from __future__ import annotations

import pytest

from advocacy.discussions import threads
from advocacy.discussions.models import Space
from tests.discussions.factories import make_thread
from tests.factories import UserFactory

ROLES = ["anonymous", "member", "non_member", "moderator", "admin"]
VISIBILITIES = ["public", "private", "secret"]

# name: (api?, method, url, body, success status, who may: "read" or "moderate")
ACTIONS = {
    "space page": (False, "GET", "/discussions/spaces/{space}", None, 200, "read"),
    "thread page": (False, "GET", "/discussions/threads/{thread}", None, 200, "read"),
    "new thread form": (False, "GET", "/discussions/spaces/{space}/new", None, 200, "read"),
    "members page": (False, "GET", "/discussions/spaces/{space}/members", None, 200, "read"),
    "space unanswered": (False, "GET", "/discussions/spaces/{space}/unanswered", None, 200, "read"),
    "post history": (False, "GET", "/discussions/posts/{reply}/history", None, 200, "read"),
    "flag form": (False, "GET", "/discussions/posts/{reply}/flag", None, 200, "read"),
    "post link": (False, "GET", "/discussions/posts/{reply}", None, 302, "read"),
    "propose form": (False, "GET", "/discussions/posts/{reply}/propose", None, 200, "read"),
    "propose as content": (
        False, "POST", "/discussions/posts/{reply}/propose",
        {"kind": "link", "title": "Shareable", "destination_url": "https://acme.example/x"},
        303, "read",
    ),
    "edit form": (False, "GET", "/discussions/posts/{reply}/edit", None, 200, "moderate"),
    "assign form": (False, "GET", "/discussions/threads/{question}/assign", None, 200, "read"),
    "acknowledgements": (
        False, "GET", "/discussions/threads/{announcement}/acknowledgements", None, 200, "moderate"
    ),
    "start thread": (
        False, "POST", "/discussions/spaces/{space}/threads",
        {"title": "New", "body": "Text", "kind": "discussion", "tags": ""}, 303, "read",
    ),
    "reply": (False, "POST", "/discussions/threads/{thread}/replies", {"body": "Yes"}, 303, "read"),
    "react": (False, "POST", "/discussions/posts/{reply}/reactions", {"emoji": "👍"}, 303, "read"),
    "follow space": (
        False, "POST", "/discussions/spaces/{space}/follow", {"following": "1"}, 303, "read"
    ),
    "pin": (False, "POST", "/discussions/threads/{thread}/pin", {}, 303, "moderate"),
    "add member page": (
        False, "POST", "/discussions/spaces/{space}/members",
        {"email": "newcomer@example.com", "role": "member"}, 303, "moderate",
    ),
    "api threads": (True, "GET", "/api/v1/spaces/{space}/threads", None, 200, "read"),
    "api thread": (True, "GET", "/api/v1/threads/{thread}", None, 200, "read"),
    "api start thread": (
        True, "POST", "/api/v1/spaces/{space}/threads", {"title": "T", "body": "B"}, 201, "read"
    ),
    "api reply": (True, "POST", "/api/v1/threads/{thread}/posts", {"body": "B"}, 201, "read"),
    "api react": (True, "POST", "/api/v1/posts/{reply}/reactions", {"emoji": "🎉"}, 200, "read"),
    "api assign": (
        True, "POST", "/api/v1/threads/{question}/assign", {"assignee_id": "{member}"}, 200, "read"
    ),
    "api accept": (
        True, "POST", "/api/v1/threads/{question}/accept", {"post_id": "{answer}"}, 200, "moderate"
    ),
    "api pin": (True, "PATCH", "/api/v1/threads/{thread}", {"pinned": True}, 200, "moderate"),
    "api edit post": (True, "PATCH", "/api/v1/posts/{reply}", {"body": "Edited"}, 200, "moderate"),
    "api add member": (
        True, "POST", "/api/v1/spaces/{space}/members", {"user_id": "{newcomer}"}, 200, "moderate"
    ),
    "api delete post": (True, "DELETE", "/api/v1/posts/{reply}", None, 204, "moderate"),
    "api delete thread": (True, "DELETE", "/api/v1/threads/{thread}", None, 204, "moderate"),
}  # fmt: skip


def expected(role: str, visibility: str, action: str) -> int:
    """The status the rules give."""
    api, _method, _url, _body, success, needs = ACTIONS[action]
    if role == "anonymous":
        return 401 if api else 302
    if role == "non_member" and visibility == "secret":
        return 404
    if role == "non_member" and visibility == "private":
        return 403
    if needs == "moderate" and role in ("member", "non_member"):
        return 403
    return success


@pytest.fixture
def world(people, space_of):
    """Per visibility: a space with a discussion, a question with an answer, an announcement."""

    def build(visibility: str) -> dict:
        space: Space = space_of(visibility)
        owner = people["owner"]
        thread = make_thread(space, owner, "Roadmap", "What next?")
        reply = threads.reply(owner, thread, "Something good.")
        question = make_thread(space, owner, "How?", "Tell me", kind="question")
        answer = threads.reply(people["moderator"], question, "Like this.")
        if space.is_public:  # a public space takes announcements only when official
            space.official = True
        announcement = make_thread(space, owner, "Office closed", "Friday", kind="announcement")
        space.official = False
        newcomer = UserFactory(email="newcomer@example.com")
        return {
            "space": space.id,
            "thread": thread.id,
            "reply": reply.id,
            "question": question.id,
            "answer": answer.id,
            "announcement": announcement.id,
            "member": people["member"].id,
            "newcomer": newcomer.id,
        }

    return build


def _fill(value, ids: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, people, world, login_as, api, role, visibility):
    ids = world(visibility)
    person = people.get(role)
    page_client = login_as(person) if person else app.test_client()
    api_client = api(person) if person else app.test_client()
    actual, wanted = {}, {}
    for action, (is_api, method, url, body, _success, _needs) in ACTIONS.items():
        client = api_client if is_api else page_client
        kwargs = {}
        if body is not None:
            kwargs["json" if is_api else "data"] = _fill(body, ids)
        response = client.open(url.format(**ids), method=method, **kwargs)
        actual[action] = response.status_code
        wanted[action] = expected(role, visibility, action)
    assert actual == wanted


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_outsiders_only_learn_what_the_visibility_allows(people, world, login_as, api, visibility):
    """Lists: a secret space is absent for outsiders, a private one listed without content."""
    ids = world(visibility)
    outsider = people["non_member"]
    page = login_as(outsider).get("/discussions/").get_data(as_text=True)
    listed = api(outsider).get("/api/v1/spaces").get_json()["items"]
    name = f"The {visibility} space"
    if visibility == "secret":
        assert name not in page and listed == []
    else:
        assert name in page and [s["name"] for s in listed] == [name]
    private_page = login_as(outsider).get(f"/discussions/spaces/{ids['space']}")
    if visibility == "private":
        text = private_page.get_data(as_text=True)
        assert "Ask to join" in text and "Roadmap" not in text
    if visibility != "public":
        unanswered = login_as(outsider).get("/discussions/unanswered?scope=all")
        assert "How?" not in unanswered.get_data(as_text=True)


def test_admins_see_secret_spaces_in_lists(people, world, login_as):
    world("secret")
    page = login_as(people["admin"]).get("/discussions/").get_data(as_text=True)
    assert "The secret space" in page


def test_moderation_queue_is_for_moderators(people, world, login_as):
    world("public")
    assert login_as(people["member"]).get("/discussions/moderation/").status_code == 403
    assert login_as(people["owner"]).get("/discussions/moderation/").status_code == 200
    assert login_as(people["admin"]).get("/discussions/moderation/").status_code == 200
