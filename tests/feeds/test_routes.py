"""Feed pages: the feed (page, filtered fragment, next page, boosted), forms and their errors,
the content page, sharing, workflow actions, the queue, topics, the policy and admin pages."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.feeds import compliance
from advocacy.feeds.models import BlockedTerm, Content, PolicyVersion, Share, Source
from advocacy.models_base import utcnow
from tests.factories import TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory, caption, publish_policy, tag, target
from tests.feeds.querycount import queries_for

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def html(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the feed ---------------------------------------------------------------------------------


def test_feed_page_fragment_next_page_and_boosted(client, login_as, user):
    login_as(user, client)
    items = [ContentFactory(publish_at=utcnow() - timedelta(minutes=i)) for i in range(25)]
    page = client.get("/")
    body = html(page)
    assert page.status_code == 200 and "<html" in body
    assert "Welcome, Maya<" in body and 'id="feed-list"' in body
    assert items[0].title in body and items[19].title in body and items[20].title not in body
    assert "HX-Request" in page.headers["Vary"]
    cursor = re.search(r'id="feed-more"[^>]*hx-get="/\?cursor=([^"&]+)"', body).group(1)

    more = client.get(f"/?cursor={cursor}", headers={**HX, "HX-Target": "feed-more"})
    chunk = html(more)
    assert "<html" not in chunk and 'id="feed-list"' not in chunk
    assert items[20].title in chunk and items[24].title in chunk and items[0].title not in chunk
    assert 'id="feed-more"' not in chunk  # the end

    filtered = client.get("/?kind=job_opening", headers={**HX, "HX-Target": "feed-list"})
    assert html(filtered).lstrip().startswith('<div id="feed-list"')
    assert "Nothing matches these filters." in html(filtered)

    boosted = client.get(f"/?cursor={cursor}", headers=BOOSTED)
    assert "<html" in html(boosted) and "Older content" in html(boosted)


def test_feed_without_javascript_pages_with_links(client, login_as, user):
    login_as(user, client)
    [ContentFactory() for _ in range(21)]
    body = html(client.get("/"))
    href = re.search(r'<a class="button button-secondary" href="([^"]+)">Show older', body).group(1)
    older = client.get(href.replace("&amp;", "&"))
    assert older.status_code == 200 and "That is everything for now." in html(older)


def test_feed_empty_states(client, login_as, user):
    login_as(user, client)
    assert "Nothing to share yet" in html(client.get("/"))
    content = ContentFactory()
    db.session.add(
        Share(
            tracked_link_id=_link(user, content),
            user_id=user.id,
            content_id=content.id,
            network="x",
        )
    )
    db.session.commit()
    assert "You have shared everything" in html(client.get("/?unshared=1"))
    assert "You do not follow any topic yet" in html(client.get("/?my_topics=1"))
    assert client.get("/?kind=podcast").status_code == 422
    assert client.get("/?cursor=garbage").status_code == 422


def _link(user, content) -> int:
    from advocacy.feeds.sharing import get_or_create_link

    return get_or_create_link(user, content, "x").id


def test_feed_shows_topics_and_shared_badges(client, login_as, user):
    login_as(user, client)
    tag(ContentFactory(title="<b>Bold</b> & brave", summary="<script>alert(1)</script>"), "Culture")
    body = html(client.get("/"))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; brave" in body and "<script>alert(1)" not in body
    assert "#Culture" in body and 'href="/?topic=culture"' in body


# --- suggesting and editing -------------------------------------------------------------------


def form_data(**changes) -> dict:
    data = {
        "kind": "link",
        "title": "We opened a Singapore office",
        "destination_url": "https://acme.example/sg",
        "summary": "Twenty new roles.",
        "topics": "Offices, Growth",
        "campaign": "apac",
        "captions_linkedin": "Big day for us!\n---\nSingapore, here we come.",
        "captions_x": "Hello Singapore",
        "intent": "submit",
    }
    data.update(changes)
    return data


def test_suggest_and_submit(client, login_as, user, mail_outbox, run_jobs):
    curator = UserFactory(role="curator")
    login_as(user, client)
    assert client.get("/content/new").status_code == 200
    response = client.post("/content/new", data=form_data())
    assert response.status_code == 303
    content = db.session.scalar(select(Content))
    assert response.headers["Location"] == f"/content/{content.id}"
    assert content.state == "submitted" and content.author_id == user.id
    assert [c.text for c in content.captions if c.network == "linkedin"] == [
        "Big day for us!",
        "Singapore, here we come.",
    ]
    run_jobs()
    assert [m.to for m in mail_outbox] == [[curator.email]]
    page = html(client.get(f"/content/{content.id}"))
    assert "Submitted for review." in page and "History" in page


def test_form_times_are_in_the_authors_zone(client, login_as, app):
    author = UserFactory(timezone="America/Vancouver")
    login_as(author, client)
    response = client.post(
        "/content/new",
        data=form_data(intent="draft", publish_at="2031-07-01T09:00", expire_at="2031-07-02T00:00"),
    )
    assert response.status_code == 303
    content = db.session.scalar(select(Content))
    assert content.publish_at.isoformat() == "2031-07-01T16:00:00+00:00"
    assert content.expire_at.isoformat() == "2031-07-02T07:00:00+00:00"
    edit = html(client.get(f"/content/{content.id}/edit"))
    assert 'value="2031-07-01T09:00"' in edit


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"destination_url": "javascript:alert(1)"}, "Use a web address starting with http"),
        ({"destination_url": "data:text/html,hi"}, "Use a web address starting with http"),
        ({"image_url": "http://acme.example/a.png"}, "starting with https://"),
        ({"title": "t" * 201}, "Field cannot be longer than 200 characters."),
        ({"captions_x": "x" * 300}, "Use at most 256 characters"),
        ({"publish_at": "2020-01-01T09:00"}, "This time is in the past."),
        (
            {"publish_at": "2031-01-02T09:00", "expire_at": "2031-01-01T09:00"},
            "must end after it starts",
        ),
        ({"publish_at": "2031-03-30T01:30"}, "does not exist in Europe/London"),
        ({"publish_at": "not a date"}, "Not a valid datetime value."),
        ({"kind": "podcast"}, "Not a valid choice."),
        ({"teams": "999"}, "is not a valid choice for this field."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, login_as, user, changes, message):
    login_as(user, client)
    response = client.post("/content/new", data=form_data(**changes))
    assert response.status_code == 422
    assert message in html(response)
    assert count(Content) == 0


def test_blocked_terms_are_named_in_the_form(client, login_as, user, admin):
    compliance.add_blocked_terms("guaranteed", admin)
    login_as(user, client)
    response = client.post("/content/new", data=form_data(captions_x="Guaranteed fun"))
    assert response.status_code == 422
    assert "Remove the blocked term “guaranteed”." in html(response)
    assert 'id="captions_x-error"' in html(response)


def test_html_in_captions_is_shown_as_text(client, login_as, user):
    login_as(user, client)
    content = caption(ContentFactory(), "linkedin", '<img src=x onerror="alert(1)"> Hi')
    page = html(client.get(f"/content/{content.id}"))
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; Hi" in page
    assert "<img src=x" not in page


def test_edit_rights(client, login_as, user):
    content = ContentFactory(state="submitted", author_id=user.id)
    login_as(user, client)
    assert client.get(f"/content/{content.id}/edit").status_code == 409
    other = ContentFactory(state="draft", author_id=UserFactory().id)
    assert client.get(f"/content/{other.id}/edit").status_code == 404  # not even visible


# --- the content page and sharing ---------------------------------------------------------------


@pytest.fixture
def shareable(app, admin):
    compliance.set_disclosure("#AcmeEmployee", admin)
    content = ContentFactory(title="Hiring in Berlin", captions_editable=True, campaign="berlin")
    caption(content, "linkedin", "Join us in Berlin!")
    caption(content, "x", "Berlin is hiring")
    return content


def test_content_page_shows_captions_with_disclosure_and_the_share_panel(
    client, login_as, user, shareable
):
    login_as(user, client)
    page = html(client.get(f"/content/{shareable.id}"))
    assert "Join us in Berlin! #AcmeEmployee" in page and "Berlin is hiring #AcmeEmployee" in page
    assert "Share on LinkedIn" in page and "Share on X" in page and "Share on Facebook" in page
    assert "History" not in page  # readers do not see the audit trail

    response = client.post(f"/content/{shareable.id}/share/linkedin", data={"network": "linkedin"})
    assert response.status_code == 303
    target_url = response.headers["Location"]
    assert target_url.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    tracked = parse_qs(urlsplit(target_url).query)["url"][0]
    assert tracked.startswith("http://advocacy.test/r/")
    assert count(Share) == 1
    assert "Shared" in html(client.get("/"))


def test_a_share_needs_the_sharers_own_session(client, login_as, user, shareable):
    """The share is a POST carrying the CSRF token: another site cannot make a signed-in
    employee's browser record one."""
    login_as(user, client)
    forged = client.post(
        f"/content/{shareable.id}/share/linkedin", data={"network": "linkedin"}, csrf=False
    )
    assert forged.status_code == 400
    assert count(Share) == 0


def test_first_share_acknowledges_the_policy_inline(client, login_as, user, shareable):
    publish_policy(1)
    login_as(user, client)
    page = html(client.get(f"/content/{shareable.id}"))
    assert "Before your first share" in page and 'name="acknowledge" value="1"' in page
    refused = client.post(f"/content/{shareable.id}/share/x", data={"network": "x"})
    assert refused.status_code == 409 and count(Share) == 0
    policy = client.get(f"/policy?next=/content/{shareable.id}")
    assert "Be kind. Be honest." in html(policy)
    ack = client.post("/policy", data={"version": "1", "next": f"/content/{shareable.id}"})
    assert ack.status_code == 303 and ack.headers["Location"] == f"/content/{shareable.id}"
    assert client.post(f"/content/{shareable.id}/share/x", data={"network": "x"}).status_code == 303
    stale = client.post("/policy", data={"version": "0"})
    assert stale.status_code == 409
    wrong = client.post(
        f"/content/{shareable.id}/share/x", data={"network": "x", "acknowledge": "0"}
    )
    assert wrong.status_code == 303  # already acknowledged: the field is ignored


def test_edited_caption_share_htmx(client, login_as, user, shareable, admin):
    compliance.add_blocked_terms("best ever", admin)
    login_as(user, client)
    url = f"/content/{shareable.id}/shares"
    bad = client.post(url, data={"network": "x", "caption": "The best EVER team"}, headers=HX)
    assert bad.status_code == 422
    body = html(bad)
    assert body.lstrip().startswith(f'<section id="share-{shareable.id}-x"')
    assert "Remove the blocked term “best ever”." in body and "The best EVER team" in body
    good = client.post(url, data={"network": "x", "caption": "Great team"}, headers=HX)
    assert good.status_code == 201
    body = html(good)
    assert "Your X post is ready." in body and "Great team #AcmeEmployee" in body
    assert "https://twitter.com/intent/tweet?text=Great%20team%20%23AcmeEmployee" in body
    link = client.post(url, data={"network": "link"}, headers=HX)
    assert link.status_code == 201 and "http://advocacy.test/r/" in html(link)
    unknown = client.post(url, data={"network": "myspace"}, headers=HX)
    assert unknown.status_code == 422 and "Unknown network" in html(unknown)
    plain = client.post(url, data={"network": "linkedin", "caption": "Plain form"})
    assert plain.status_code == 201 and "<html" in html(plain)
    assert count(Share) == 3


def test_internal_content_has_no_share_buttons(client, login_as, user):
    login_as(user, client)
    content = ContentFactory(kind="announcement", internal_only=True, destination_url="")
    page = html(client.get(f"/content/{content.id}"))
    assert "For employees only" in page and "Share on" not in page


# --- workflow actions and the queue -----------------------------------------------------------


def test_actions_redirect_or_refresh_and_conflicts_are_pages(client, login_as, curator):
    login_as(curator, client)
    content = ContentFactory(state="submitted")
    page = html(client.get(f"/content/{content.id}"))
    assert "Approve" in page and "Reject" in page and "Edit" in page
    response = client.post(f"/content/{content.id}/approve")
    assert response.status_code == 303
    again = client.post(f"/content/{content.id}/approve")
    assert again.status_code == 409 and "already approved" in html(again)
    htmx = client.post(f"/content/{content.id}/archive", headers=HX)
    assert htmx.status_code == 200 and "HX-Location" in htmx.headers
    rejected = ContentFactory(state="submitted")
    no_note = client.post(f"/content/{rejected.id}/reject", data={"note": ""})
    assert no_note.status_code == 422 and "Say why it is rejected" in html(no_note)


def test_queue_bulk_with_some_illegal_items(client, login_as, curator):
    login_as(curator, client)
    waiting = [ContentFactory(state="submitted") for _ in range(2)]
    approved = ContentFactory(state="approved", title="Old news")
    page = client.get("/queue/")
    assert page.status_code == 200 and waiting[0].title in html(page)
    response = client.post(
        "/queue/",
        data={"content_ids": [waiting[0].id, approved.id], "action": "approve"},
        headers={**HX, "HX-Target": "queue"},
    )
    body = html(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="queue"')
    assert "1 item approved." in body and "Not approved: Old news" in body
    assert waiting[0].title not in body and waiting[1].title in body
    none = client.post("/queue/", data={"content_ids": [approved.id], "action": "approve"})
    assert none.status_code == 409
    reject = client.post("/queue/", data={"content_ids": [waiting[1].id], "action": "reject"})
    assert reject.status_code == 422 and "Say why they are rejected" in html(reject)


def test_the_queue_queries_do_not_grow_with_its_items(client, login_as, curator):
    login_as(curator, client)
    teams = [TeamFactory(name=f"Team {index}") for index in range(3)]
    target(ContentFactory(state="submitted"), teams=teams[:1], locations=["Lyon"])
    client.get("/queue/")
    one_item, _ = queries_for(client, "/queue/")
    for index in range(12):
        target(ContentFactory(state="submitted"), teams=teams[index % 3 :], locations=["Paris"])
    thirteen, page = queries_for(client, "/queue/")
    assert page.count("Team 2") >= 8 and "paris" in page.lower()
    assert thirteen == one_item


def test_leaders_have_a_queue_members_do_not(client, login_as, user, app):
    assert login_as(user, client).get("/queue/").status_code == 403
    assert 'href="/queue/"' not in html(client.get("/"))


# --- topics, policy and admin pages -------------------------------------------------------------


def test_follow_and_unfollow_topics(client, login_as, user):
    tag(ContentFactory(), "Culture")
    login_as(user, client)
    page = client.get("/topics/")
    assert "Follow" in html(page)
    followed = client.post("/topics/culture/follow", headers={**HX, "HX-Target": "topics"})
    assert followed.status_code == 200 and 'aria-pressed="true"' in html(followed)
    assert "You follow Culture." in html(followed)
    assert client.post("/topics/culture/unfollow").status_code == 303
    assert client.post("/topics/unknown/follow").status_code == 404


def test_admin_sets_sharing_rules(client, login_as, admin):
    login_as(admin, client)
    assert client.get("/admin/compliance").status_code == 200
    assert (
        client.post(
            "/admin/compliance/disclosure", data={"disclosure": "#AcmeEmployee"}
        ).status_code
        == 303
    )
    assert compliance.disclosure() == "#AcmeEmployee"
    added = client.post("/admin/compliance/terms", data={"terms": "crypto\nget rich"}, headers=HX)
    assert added.status_code == 200 and "get rich" in html(added)
    empty = client.post("/admin/compliance/terms", data={"terms": ""})
    assert empty.status_code == 422
    term = db.session.scalar(select(BlockedTerm).where(BlockedTerm.term == "crypto"))
    assert client.post(f"/admin/compliance/terms/{term.id}/remove").status_code == 303
    assert (
        client.post(
            "/admin/compliance/policy", data={"title": "Policy", "body": "Be nice"}
        ).status_code
        == 303
    )
    assert count(PolicyVersion) == 1


def test_admin_manages_sources(client, login_as, admin):
    login_as(admin, client)
    bad = client.post(
        "/admin/sources", data={"name": "Blog", "url": "javascript:x", "content_kind": "link"}
    )
    assert bad.status_code == 422 and "starting with http" in html(bad)
    ok = client.post(
        "/admin/sources",
        data={"name": "Blog", "url": "https://blog.acme.example/rss", "content_kind": "link"},
    )
    assert ok.status_code == 303
    dupe = client.post(
        "/admin/sources",
        data={"name": "Blog", "url": "https://blog.acme.example/rss", "content_kind": "link"},
        headers=HX,
    )
    assert dupe.status_code == 409 and "Already registered." in html(dupe)
    source = db.session.scalar(select(Source))
    assert client.post(f"/admin/sources/{source.id}/pause").status_code == 303
    db.session.refresh(source)
    assert source.active is False
    assert "paused" in html(client.get("/admin/sources"))
