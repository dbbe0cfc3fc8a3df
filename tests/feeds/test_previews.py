"""Link previews: a new item's destination is read once, through the outbound client, and its
Open Graph picture (stored and served from here), description and site name fill what the item
lacks; a curator's own text wins, a page that cannot be read changes nothing but the site."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.feeds import previews
from advocacy.feeds.content import create_content
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.models import Content
from advocacy.media.models import StoredImage
from tests.feeds.factories import ContentFactory
from tests.loopback import Server

PAGE = b"""<!doctype html><html><head><title>Lisbon office</title>
<meta property="og:site_name" content="Acme Newsroom">
<meta property="og:description" content="Our new office opens   by the river.">
<meta property="og:image" content="/images/lisbon.png">
<meta name="description" content="Not this one">
</head><body><meta property="og:image" content="/late.png"></body></html>"""


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 630), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def host():
    server = Server("127.0.0.1")
    server.serve("/news/lisbon", PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    server.serve("/images/lisbon.png", png(), headers={"Content-Type": "image/png"})
    server.serve("/broken", b"nope", status=500, headers={"Content-Type": "text/html"})
    yield server
    server.close()


@pytest.fixture
def app(make_app):
    app = make_app(OUTBOUND_ALLOW="127.0.0.1/32", LINK_PREVIEWS=True)
    with app.app_context():
        yield app


def test_the_page_tags_are_read_from_the_head_only():
    found = previews.read_preview(PAGE.decode(), "https://news.example/news/lisbon")
    assert found == {
        "image": "https://news.example/images/lisbon.png",
        "description": "Our new office opens by the river.",
        "site_name": "Acme Newsroom",
    }
    assert previews.read_preview("<html><head></head></html>", "https://www.acme.example/x") == {
        "image": "",
        "description": "",
        "site_name": "www.acme.example",
    }
    hostile = '<meta property="og:image" content="javascript:alert(1)">'
    assert previews.read_preview(hostile, "https://a.example/")["image"] == ""


def test_a_new_item_gets_its_links_picture_summary_and_site(app, host, curator, run_jobs):
    url = f"{host.url}/news/lisbon"
    item = create_content(
        ContentInput(kind="link", title="We open in Lisbon", destination_url=url), curator
    )
    run_jobs()
    db.session.refresh(item)
    assert item.site_name == "Acme Newsroom"
    assert item.summary == "Our new office opens by the river."
    assert item.image_url == f"{host.url}/images/lisbon.png"
    run_jobs()  # the picture's own fetch
    image = db.session.get(StoredImage, item.image_id)
    assert image.ready and image.width == 1200
    assert item.preview_fetched_at is not None
    asked = len(host.requests)
    previews.fetch_preview(item.id)  # once only
    assert len(host.requests) == asked


def test_what_the_curator_wrote_wins_and_a_broken_page_changes_nothing(app, host, curator):
    mine = ContentFactory(
        destination_url=f"{host.url}/news/lisbon", summary="Curated words", image_url=""
    )
    previews.fetch_preview(mine.id)
    assert mine.summary == "Curated words" and mine.site_name == "Acme Newsroom"
    broken = ContentFactory(destination_url=f"{host.url}/broken", summary="", image_url="")
    previews.fetch_preview(broken.id)
    assert (broken.summary, broken.image_id, broken.site_name) == ("", None, "127.0.0.1")
    assert broken.preview_fetched_at is not None


def test_the_sweep_reads_what_has_no_preview_yet_and_can_be_turned_off(make_app, host):
    app = make_app(OUTBOUND_ALLOW="127.0.0.1/32", LINK_PREVIEWS=False)
    with app.app_context():
        ContentFactory(destination_url=f"{host.url}/news/lisbon", summary="", image_url="")
        assert previews.preview_missing() == 0
        app.config["LINK_PREVIEWS"] = True
        assert previews.preview_missing() == 1
        assert db.session.scalar(select(Content.site_name)) == "Acme Newsroom"
        assert previews.preview_missing() == 0
