"""Sharing through the share dialog: one "Share" per card opening the item's share panel (the
same panel as on the item's page), captions picked or written, the policy acknowledged inline
on a first share, shares recorded only on a POST (a prefetched or opened GET records nothing),
and a feed page whose number of SQL queries does not grow with its cards."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.feeds import compliance
from advocacy.feeds.models import Share, TrackedLink
from advocacy.models_base import utcnow
from tests.feeds.factories import ContentFactory, caption, publish_policy, tag
from tests.feeds.querycount import queries_for

HX = {"HX-Request": "true"}


def html(response) -> str:
    return response.get_data(as_text=True)


def card_of(page: str, content_id: int) -> str:
    return re.search(rf'<article [^>]*id="content-{content_id}".*?</article>', page, re.S).group(0)


def shares() -> int:
    return db.session.scalar(select(func.count()).select_from(Share))


@pytest.fixture
def story(app, admin):
    compliance.set_disclosure("#AcmeEmployee", admin)
    item = ContentFactory(title="Acme opens in Lisbon", campaign="lisbon")
    caption(item, "linkedin", "Olá Lisbon!", "Lisbon, here we come.")
    caption(item, "x", "Acme is in Lisbon")
    return item


def test_a_card_has_one_share_button_opening_the_items_panel(client, login_as, user, story):
    login_as(user, client)
    card = card_of(html(client.get("/")), story.id)
    assert card.count("data-share-dialog=") == 1
    assert f'data-share-dialog="/content/{story.id}/share"' in card
    assert 'aria-label="Share: Acme opens in Lisbon"' in card

    panel = html(client.get(f"/content/{story.id}/share", headers=HX))

    tabs = re.findall(r'<label for="sn-\d+-(\w+)" class="share-tab">', panel)
    assert tabs == ["linkedin", "x", "facebook", "xing", "email", "link"]
    assert "Olá Lisbon!" in panel and "Lisbon, here we come." in panel
    assert "3000 characters" in panel  # LinkedIn's counter
    assert "#AcmeEmployee" in panel  # the preview shows the final caption
    forms = dict(
        re.findall(r'<form method="post" action="/content/\d+/share/(\w+)"([^>]*)>', panel)
    )
    assert 'target="_blank"' in forms["linkedin"] and 'target="_blank"' not in forms["email"]
    # the item's page shows the same panel
    assert 'class="share-panel"' in html(client.get(f"/content/{story.id}"))


def test_sharing_records_on_post_and_opens_linkedin_with_my_tracked_link(
    client, login_as, user, story
):
    login_as(user, client)
    response = client.post(
        f"/content/{story.id}/share/linkedin", data={"network": "linkedin", "variant": "1"}
    )

    assert response.status_code == 303
    intent = urlsplit(response.headers["Location"])
    assert f"{intent.scheme}://{intent.netloc}{intent.path}" == (
        "https://www.linkedin.com/sharing/share-offsite/"
    )
    link = db.session.scalar(select(TrackedLink))
    assert parse_qs(intent.query)["url"][0] == f"http://advocacy.test/r/{link.code}"
    assert (link.user_id, link.content_id, link.network) == (user.id, story.id, "linkedin")
    share = db.session.scalar(select(Share))
    assert share.caption == "Lisbon, here we come. #AcmeEmployee"
    card = html(client.get(f"/content/{story.id}/card", headers=HX))
    assert "Shared" in card and "is-shared" in card


def test_a_get_of_a_share_address_records_nothing(client, login_as, user, story):
    """Link previews, prefetchers and old bookmarks open the panel; they never share."""
    login_as(user, client)
    for network in ("linkedin", "email"):
        response = client.get(f"/content/{story.id}/share/{network}?t=whatever")
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/content/{story.id}?network={network}#share")
    assert shares() == 0
    page = html(client.get(f"/content/{story.id}?network=x"))
    assert re.search(r'id="sn-\d+-x" value="x" checked', page)


def test_an_unknown_variant_or_a_too_long_caption_is_refused_and_nothing_recorded(
    client, login_as, user, story
):
    login_as(user, client)
    refused = client.post(
        f"/content/{story.id}/share/linkedin", data={"network": "linkedin", "variant": "7"}
    )
    assert refused.status_code == 422
    assert "Pick one of the 2 suggested captions." in html(refused)
    assert (
        client.post(
            f"/content/{story.id}/share/linkedin", data={"network": "linkedin", "variant": "x1"}
        ).status_code
        == 422
    )
    story.captions_editable = True
    db.session.commit()
    too_long = client.post(
        f"/content/{story.id}/share/x", data={"network": "x", "caption": "word " * 80}
    )
    assert too_long.status_code == 422
    assert "word word" in html(too_long)  # what they wrote is kept
    assert client.post(f"/content/{story.id}/share/myspace", data={}).status_code == 422
    assert shares() == 0


def test_an_edited_caption_is_shared_only_where_captions_are_editable(
    client, login_as, user, story
):
    login_as(user, client)
    client.post(f"/content/{story.id}/share/x", data={"network": "x", "caption": "Mine!"})
    assert db.session.scalar(select(Share.caption)) == "Acme is in Lisbon #AcmeEmployee"
    story.captions_editable = True
    db.session.commit()
    client.post(f"/content/{story.id}/share/x", data={"network": "x", "caption": "Mine!"})
    latest = db.session.scalar(select(Share.caption).order_by(Share.id.desc()).limit(1))
    assert latest == "Mine! #AcmeEmployee"


def test_a_first_share_acknowledges_the_policy_inline(client, login_as, user, story):
    publish_policy(1)
    login_as(user, client)
    panel = html(client.get(f"/content/{story.id}/share", headers=HX))
    assert 'name="acknowledge" value="1" required' in panel

    refused = client.post(f"/content/{story.id}/share/linkedin", data={"network": "linkedin"})
    assert refused.status_code == 409
    assert "acknowledge the social media policy" in html(refused)
    assert shares() == 0

    shared = client.post(
        f"/content/{story.id}/share/linkedin", data={"network": "linkedin", "acknowledge": "1"}
    )
    assert shared.headers["Location"].startswith("https://www.linkedin.com/sharing/")
    assert shares() == 1
    assert compliance.has_acknowledged_current(user)
    assert 'name="acknowledge"' not in html(client.get(f"/content/{story.id}/share", headers=HX))


def test_internal_announcements_have_no_share_button(client, login_as, user):
    login_as(user, client)
    notice = ContentFactory(
        kind="announcement", internal_only=True, destination_url="", title="Office closed"
    )
    card = card_of(html(client.get("/")), notice.id)
    assert "data-share-dialog" not in card and "/share" not in card
    assert 'aria-label="Read: Office closed"' in card


def test_the_feed_page_queries_do_not_grow_with_its_cards(client, login_as, user):
    login_as(user, client)
    first = ContentFactory(title="The only one", publish_at=utcnow() - timedelta(days=2))
    tag(first, "Culture")
    client.get("/")  # the first request of a session records the visit: not what is measured
    one_card, page = queries_for(client, "/")
    assert page.count("data-share-dialog=") == 1

    for index in range(29):
        item = ContentFactory(
            title=f"Story {index}", publish_at=utcnow() - timedelta(minutes=index + 1)
        )
        tag(item, "Culture", f"Topic {index}")
    twenty_cards, page = queries_for(client, "/")
    assert page.count("data-share-dialog=") == 20 and 'id="feed-more"' in page
    cursor = re.search(r'id="feed-more"[^>]*hx-get="/\?cursor=([^"&]+)"', page).group(1)
    next_page, chunk = queries_for(client, f"/?cursor={cursor}", {**HX, "HX-Target": "feed-more"})
    assert chunk.count("data-share-dialog=") == 10

    assert twenty_cards == one_card <= 16
    assert next_page <= one_card


def test_the_pages_policy_lets_share_forms_reach_every_networks_share_page(app, client):
    """A share form's answer is a redirect to the network; browsers check it against the CSP's
    form-action, so each network's address must be listed there, and nothing more."""
    from advocacy.feeds.links import SHARE_INTENT_ORIGINS, share_intent_url
    from advocacy.feeds.models import CAPTION_NETWORKS

    policy = client.get("/login").headers["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part).split()[1:]
    assert form_action == ["'self'", *SHARE_INTENT_ORIGINS]
    for network in CAPTION_NETWORKS:
        url = share_intent_url(network.value, "https://t.example/r/x", "Hi", "Title")
        assert url.startswith(SHARE_INTENT_ORIGINS), network


def test_getting_my_link_says_so_in_plain_words(client, login_as, user, story):
    """It once said "Your Copied link link is ready"."""
    login_as(user, client)
    answer = client.post(f"/content/{story.id}/shares", data={"network": "link"}, headers=HX)
    body = html(answer)
    assert answer.status_code == 201
    assert "Your tracked link is ready" in body and "Copied link link" not in body
    assert "http://advocacy.test/r/" in body
