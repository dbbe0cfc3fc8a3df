"""Proposing a thread or a post as shareable content: through the feed's own services (validation,
blocked terms, audit trail, curators' e-mails), with a link back that reviewers see and that opens
only for the space's readers; once per post; nothing copied out of private or secret spaces."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from advocacy.discussions import threads
from advocacy.discussions.bridge.models import ContentProposal
from advocacy.extensions import db
from advocacy.feeds import compliance
from advocacy.feeds.models import Content, ContentEvent
from tests.discussions.concurrency import rival_commits_before_flush
from tests.discussions.factories import make_thread
from tests.factories import UserFactory
from tests.feeds.factories import ContentFactory

HX = {"HX-Request": "true"}
GOOD = {
    "kind": "culture_story",
    "title": "We won the Green IT award",
    "destination_url": "https://acme.example/news/green-it?from=intranet",
    "summary": "Our data centre team cut energy use by 40%.",
}


def html(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def field_value(page: str, name: str) -> str:
    textarea = re.search(rf'<textarea [^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    if textarea:
        return textarea.group(1).strip()
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


@pytest.fixture
def curator(app):
    return UserFactory(display_name="Cora Curator", email="cora@example.com", role="curator")


@pytest.fixture
def award(people, space_of):
    """A public thread whose opening post has a link, and a reply."""
    space = space_of("public")
    thread = make_thread(
        space,
        people["owner"],
        "Green IT award!",
        "We won the **Green IT award**. Details: https://acme.example/news/green-it",
    )
    reply = threads.reply(people["member"], thread, "Congratulations, team!")
    return thread, threads.opening_post(thread), reply


def test_a_public_post_is_proposed_with_its_text_as_defaults(
    people, award, curator, login_as, mail_outbox, run_jobs
):
    thread, opening, _reply = award
    run_jobs()  # the reply's notifications, before what is measured
    mail_outbox.clear()
    member = login_as(people["member"])
    form = html(member.get(f"/discussions/posts/{opening.id}/propose"))
    assert field_value(form, "title") == "Green IT award!"
    assert field_value(form, "summary") == (
        "We won the Green IT award. Details: https://acme.example/news/green-it"
    )
    assert field_value(form, "destination_url") == "https://acme.example/news/green-it"

    response = member.post(f"/discussions/posts/{opening.id}/propose", data=GOOD)

    item = db.session.scalar(select(Content))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/content/{item.id}"
    assert (item.state, item.kind, item.author_id) == (
        "submitted",
        "culture_story",
        people["member"].id,
    )
    assert (item.title, item.destination_url) == (GOOD["title"], GOOD["destination_url"])
    events = db.session.scalars(select(ContentEvent).order_by(ContentEvent.id)).all()
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("created", None, "draft"),
        ("submit", "draft", "submitted"),
    ]
    run_jobs()
    assert [(m.to, m.subject) for m in mail_outbox] == [
        ([curator.email], "To review: We won the Green IT award")
    ]
    proposal = db.session.scalar(select(ContentProposal))
    assert (proposal.post_id, proposal.content_id) == (opening.id, item.id)

    reviewer = login_as(curator)
    page = html(reviewer.get(f"/content/{item.id}"))
    origin = re.search(r'<section id="proposal-origin".*?</section>', page, re.S).group(0)
    assert "From the thread “Green IT award!” in The public space, written by Olive Owner." in (
        " ".join(origin.split())
    )
    link = f"/discussions/posts/{opening.id}"
    assert f'href="{link}"' in origin
    assert reviewer.get(link).headers["Location"] == (
        f"/discussions/threads/{thread.id}#post-{opening.id}"
    )
    queue = html(reviewer.get("/queue/"))
    assert f'Proposed from <a href="{link}">“Green IT award!”</a> in The public space' in queue


def test_a_reply_can_be_proposed_and_the_thread_page_says_so(people, award, login_as):
    thread, opening, reply = award
    member = login_as(people["member"])
    page = html(member.get(f"/discussions/threads/{thread.id}"))
    assert re.search(
        rf'href="/discussions/posts/{opening.id}/propose">.*?Propose the thread as', page
    )
    assert re.search(
        rf'href="/discussions/posts/{reply.id}/propose">(<svg.*?</svg>)?Propose as', page
    )
    defaults = html(member.get(f"/discussions/posts/{reply.id}/propose"))
    assert field_value(defaults, "title") == "Green IT award!"
    assert field_value(defaults, "summary") == "Congratulations, team!"
    assert field_value(defaults, "destination_url") == ""

    member.post(f"/discussions/posts/{reply.id}/propose", data=GOOD)

    page = html(member.get(f"/discussions/threads/{thread.id}"))
    assert f'href="/discussions/posts/{reply.id}/propose"' not in page
    assert "proposed as content" in page
    assert f'href="/discussions/posts/{opening.id}/propose"' in page


def test_the_form_as_a_fragment_with_every_bad_input_explained(people, award, login_as):
    _thread, opening, _reply = award
    compliance.add_blocked_terms("guaranteed returns", people["admin"])
    member = login_as(people["member"])
    url = f"/discussions/posts/{opening.id}/propose"
    fragment = member.get(url, headers=HX)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert html(fragment).lstrip().startswith('<section id="propose"')

    cases = [
        ({"destination_url": ""}, "destination_url", "Give the web address people will share."),
        (
            {"destination_url": "javascript:alert(1)"},
            "destination_url",
            "Use a web address starting with http:// or https://.",
        ),
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "Field cannot be longer than 200 characters."),
        ({"kind": "announcement"}, "kind", "Not a valid choice."),
        ({"summary": "Guaranteed RETURNS for all"}, "summary", "guaranteed returns"),
    ]
    for change, name, message in cases:
        answer = member.post(url, data={**GOOD, **change}, headers=HX)
        body = html(answer)
        assert answer.status_code == 422, change
        assert body.lstrip().startswith('<section id="propose"'), change
        error = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', body, re.S)
        assert error and message in error.group(1), (change, body[:2000])
        if name != "title":
            assert field_value(body, "title") == GOOD["title"]  # nothing typed is lost
    assert count(Content) == 0 and count(ContentProposal) == 0

    done = member.post(url, data=GOOD, headers=HX)
    item = db.session.scalar(select(Content))
    assert done.status_code == 200 and done.headers["HX-Location"] == f"/content/{item.id}"


def test_a_post_is_proposed_once(people, award, login_as):
    thread, opening, _reply = award
    url = f"/discussions/posts/{opening.id}/propose"
    member = login_as(people["member"])
    assert member.post(url, data=GOOD).status_code == 303
    item = db.session.scalar(select(Content))

    again = member.post(url, data={**GOOD, "title": "Second try"})
    assert again.status_code == 409
    assert "You already proposed this post as shareable content." in html(again)
    assert field_value(html(again), "title") == "Second try"
    notice = html(member.get(url))
    assert "You already proposed this post" in notice
    assert f'href="/content/{item.id}"' in notice and 'id="propose-form"' not in notice

    colleague = login_as(people["moderator"])
    other = colleague.post(url, data=GOOD, headers=HX)
    assert other.status_code == 409
    assert "A colleague already proposed this post as shareable content" in html(other)
    assert "A colleague already proposed this post" in html(colleague.get(url))
    assert count(Content) == 1 and count(ContentProposal) == 1


def test_a_concurrent_duplicate_is_refused_and_leaves_no_draft(people, award, login_as):
    _thread, opening, _reply = award
    rival = ContentFactory(state="submitted", title="Proposed a moment earlier")
    member = login_as(people["member"])
    rival_row = {"post_id": opening.id, "content_id": rival.id, "proposer_id": people["owner"].id}

    with rival_commits_before_flush(
        ContentProposal, ContentProposal.__table__, lambda: rival_row
    ) as raced:
        response = member.post(f"/discussions/posts/{opening.id}/propose", data=GOOD)

    assert raced == [True]
    assert response.status_code == 409
    assert "A colleague already proposed this post" in html(response)
    db.session.expire_all()
    assert db.session.scalars(select(Content.title)).all() == ["Proposed a moment earlier"]
    assert count(ContentEvent) == 0


@pytest.mark.parametrize(("visibility", "link_status"), [("private", 403), ("secret", 404)])
def test_nothing_leaves_a_private_or_secret_space_but_what_the_proposer_writes(
    people, space_of, curator, login_as, visibility, link_status
):
    space = space_of(visibility)
    thread = make_thread(space, people["owner"], "Codename Heron", "Heron ships on **May 3**.")
    opening = threads.opening_post(thread)
    member = login_as(people["member"])
    form = html(member.get(f"/discussions/posts/{opening.id}/propose"))
    assert [field_value(form, name) for name in ("title", "summary", "destination_url")] == [
        "",
        "",
        "",
    ]
    assert "nothing from the post is copied here" in form
    proposal = {
        **GOOD,
        "title": "A new way to plan your week",
        "summary": "Coming soon, on our blog.",
    }
    assert member.post(f"/discussions/posts/{opening.id}/propose", data=proposal).status_code == 303
    item = db.session.scalar(select(Content))

    reviewer = login_as(curator)
    for page in (html(reviewer.get(f"/content/{item.id}")), html(reviewer.get("/queue/"))):
        assert "A new way to plan your week" in page
        assert "Heron" not in page and "May 3" not in page
        assert f'href="/discussions/posts/{opening.id}"' in page
        assert (space.name in page) == (visibility == "private")
    assert reviewer.get(f"/discussions/posts/{opening.id}").status_code == link_status
    assert reviewer.get(f"/discussions/threads/{thread.id}").status_code == link_status

    inside = html(login_as(people["admin"]).get(f"/content/{item.id}"))
    assert "From the thread “Codename Heron”" in inside


def test_only_reviewers_and_readers_see_where_content_came_from(
    people, space_of, curator, login_as
):
    space = space_of("private")
    opening = threads.opening_post(make_thread(space, people["owner"], "Heron", "Secret plans"))
    member = login_as(people["member"])
    member.post(f"/discussions/posts/{opening.id}/propose", data=GOOD)
    item = db.session.scalar(select(Content))
    login_as(curator).post(f"/content/{item.id}/approve")
    assert db.session.get(Content, item.id).state == "approved"

    outsider_page = html(login_as(people["non_member"]).get(f"/content/{item.id}"))
    member_page = html(member.get(f"/content/{item.id}"))

    assert GOOD["title"] in outsider_page and 'id="proposal-origin"' not in outsider_page
    assert "From the thread “Heron”" in member_page


def test_deleted_posts_are_not_proposed(people, award, login_as):
    _thread, _opening, reply = award
    threads.delete_post(people["member"], reply)
    moderator = login_as(people["moderator"])
    response = moderator.post(f"/discussions/posts/{reply.id}/propose", data=GOOD)
    assert response.status_code == 409
    assert "This post was deleted" in html(response)
    assert count(Content) == 0


def test_a_posts_permalink_finds_its_page(people, space_of, login_as):
    thread = make_thread(space_of("public"), people["owner"], "Long one", "Start")
    replies = [threads.reply(people["member"], thread, f"Reply {n}") for n in range(52)]
    client = login_as(people["member"])
    first = client.get(f"/discussions/posts/{replies[0].id}")
    late = client.get(f"/discussions/posts/{replies[51].id}")
    opening = client.get(f"/discussions/posts/{threads.opening_post(thread).id}")
    assert first.headers["Location"] == f"/discussions/threads/{thread.id}#post-{replies[0].id}"
    assert late.headers["Location"] == (
        f"/discussions/threads/{thread.id}?page=2#post-{replies[51].id}"
    )
    assert opening.status_code == 302
    assert f'id="post-{replies[51].id}"' in html(client.get(late.headers["Location"]))
    assert client.get("/discussions/posts/999999").status_code == 404
