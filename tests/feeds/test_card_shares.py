"""One-click sharing from the feed's cards: the same sharer-bound links as the content page, the
policy gate, no buttons on internal content, accessible names, e-mail in the same tab, and a feed
page whose number of SQL queries does not grow with its cards."""

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
from tests.factories import UserFactory
from tests.feeds.factories import ContentFactory, caption, publish_policy, tag
from tests.feeds.querycount import queries_for

HX = {"HX-Request": "true"}


def html(response) -> str:
    return response.get_data(as_text=True)


def card_of(page: str, content_id: int) -> str:
    return re.search(rf'<article [^>]*id="content-{content_id}".*?</article>', page, re.S).group(0)


def share_href(card: str, title: str, network_words: str) -> str:
    """The href of the card's button named "Share <title> <network_words>"."""
    pattern = rf'<a [^>]*href="([^"]+)"[^>]*aria-label="Share {re.escape(title)} {network_words}"'
    return re.search(pattern, card).group(1).replace("&amp;", "&")


@pytest.fixture
def story(app, admin):
    compliance.set_disclosure("#AcmeEmployee", admin)
    item = ContentFactory(title="Acme opens in Lisbon", campaign="lisbon")
    caption(item, "linkedin", "Olá Lisbon!")
    caption(item, "x", "Acme is in Lisbon")
    return item


def test_the_cards_linkedin_button_opens_linkedin_with_my_tracked_link(
    client, login_as, user, story
):
    login_as(user, client)
    card = card_of(html(client.get("/")), story.id)
    href = share_href(card, "Acme opens in Lisbon", "on LinkedIn")
    assert href.startswith(f"/content/{story.id}/share/linkedin?t=")

    response = client.get(href)

    assert response.status_code == 303
    intent = urlsplit(response.headers["Location"])
    assert f"{intent.scheme}://{intent.netloc}{intent.path}" == (
        "https://www.linkedin.com/sharing/share-offsite/"
    )
    tracked = parse_qs(intent.query)["url"][0]
    link = db.session.scalar(select(TrackedLink))
    assert tracked == f"http://advocacy.test/r/{link.code}"
    assert (link.user_id, link.content_id, link.network) == (user.id, story.id, "linkedin")
    share = db.session.scalar(select(Share))
    assert share.caption == "Olá Lisbon! #AcmeEmployee"
    assert "shared by you" in card_of(html(client.get("/")), story.id)


def test_every_network_has_a_named_button_and_email_stays_in_the_tab(client, login_as, user, story):
    login_as(user, client)
    card = card_of(html(client.get("/")), story.id)
    buttons = re.findall(r'<a [^>]*class="[^"]*card-share [^"]*"[^>]*>[^<]*</a>', card)
    names = [re.search(r'aria-label="([^"]+)"', b).group(1) for b in buttons]
    assert names == [
        "Share Acme opens in Lisbon on LinkedIn",
        "Share Acme opens in Lisbon on X",
        "Share Acme opens in Lisbon on Facebook",
        "Share Acme opens in Lisbon on Xing",
        "Share Acme opens in Lisbon by e-mail",
    ]
    by_network = dict(zip(["linkedin", "x", "facebook", "xing", "email"], buttons, strict=True))
    for network, button in by_network.items():
        opens_tab = 'target="_blank"' in button
        assert opens_tab == (network != "email"), network
    x = client.get(share_href(card, "Acme opens in Lisbon", "on X"))
    assert x.headers["Location"].startswith("https://twitter.com/intent/tweet?text=Acme%20is")
    mail = client.get(share_href(card, "Acme opens in Lisbon", "by e-mail"))
    assert mail.status_code == 303 and mail.headers["Location"].startswith("mailto:?subject=")
    assert "http%3A%2F%2Fadvocacy.test%2Fr%2F" in mail.headers["Location"]


def test_the_content_pages_email_share_stays_in_the_tab(client, login_as, user, story):
    login_as(user, client)
    page = html(client.get(f"/content/{story.id}"))
    email = re.search(r'<a [^>]*href="/content/\d+/share/email[^"]*"[^>]*>', page).group(0)
    linkedin = re.search(r'<a [^>]*href="/content/\d+/share/linkedin[^"]*"[^>]*>', page).group(0)
    assert 'target="_blank"' not in email and 'target="_blank"' in linkedin
    ready = client.post(f"/content/{story.id}/shares", data={"network": "email"}, headers=HX)
    opened = re.search(r'<a [^>]*href="mailto:[^"]*"[^>]*>', html(ready)).group(0)
    assert 'target="_blank"' not in opened


def test_a_cards_link_is_bound_to_its_sharer(client, login_as, user, story):
    login_as(user, client)
    href = share_href(card_of(html(client.get("/")), story.id), "Acme opens in Lisbon", "on X")
    colleague = login_as(UserFactory(display_name="Col League"))
    assert colleague.get(href).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Share)) == 0


def test_internal_announcements_have_no_share_buttons(client, login_as, user):
    login_as(user, client)
    notice = ContentFactory(
        kind="announcement", internal_only=True, destination_url="", title="Office closed"
    )
    card = card_of(html(client.get("/")), notice.id)
    assert "card-share" not in card and "/share/" not in card
    assert 'aria-label="Read: Office closed"' in card


def test_a_first_share_from_a_card_goes_through_the_policy_and_carries_on(
    client, login_as, user, story
):
    publish_policy(1)
    login_as(user, client)
    href = share_href(
        card_of(html(client.get("/")), story.id), "Acme opens in Lisbon", "on LinkedIn"
    )
    gate = client.get(href)
    assert gate.status_code == 302
    policy_url = gate.headers["Location"]
    assert urlsplit(policy_url).path == "/policy"
    assert parse_qs(urlsplit(policy_url).query)["next"] == [href]
    assert db.session.scalar(select(func.count()).select_from(Share)) == 0

    acknowledged = client.post("/policy", data={"version": "1", "next": href})

    assert acknowledged.status_code == 303 and acknowledged.headers["Location"] == href
    shared = client.get(href)
    assert shared.headers["Location"].startswith("https://www.linkedin.com/sharing/")
    assert db.session.scalar(select(func.count()).select_from(Share)) == 1


def test_the_feed_page_queries_do_not_grow_with_its_cards(client, login_as, user):
    login_as(user, client)
    first = ContentFactory(title="The only one", publish_at=utcnow() - timedelta(days=2))
    tag(first, "Culture")
    client.get("/")  # the first request of a session records the visit: not what is measured
    one_card, page = queries_for(client, "/")
    assert page.count("card-share-linkedin") == 1

    for index in range(29):
        item = ContentFactory(
            title=f"Story {index}", publish_at=utcnow() - timedelta(minutes=index + 1)
        )
        tag(item, "Culture", f"Topic {index}")
    twenty_cards, page = queries_for(client, "/")
    assert page.count("card-share-linkedin") == 20 and 'id="feed-more"' in page
    cursor = re.search(r'id="feed-more"[^>]*hx-get="/\?cursor=([^"&]+)"', page).group(1)
    next_page, chunk = queries_for(client, f"/?cursor={cursor}", {**HX, "HX-Target": "feed-more"})
    assert chunk.count("card-share-linkedin") == 10

    assert twenty_cards == one_card <= 12
    assert next_page <= one_card
