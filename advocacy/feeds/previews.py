"""Link previews: the Open Graph picture, description and site name of a content item's
destination, read once when the item is created or a source brings it, through the one safe
outbound client, so a feed card looks like the link it shares. The picture itself is stored
and served from here (advocacy.media); what the curator wrote always wins over the page."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import current_app
from sqlalchemy import select

from advocacy import outbound
from advocacy.extensions import db
from advocacy.feeds.models import SUMMARY_MAX, URL_MAX, Content
from advocacy.jobs import enqueue
from advocacy.media.images import stored_image
from advocacy.models_base import utcnow

PREVIEW_JOB = "advocacy.feeds.jobs.fetch_preview"
PAGE_USE = outbound.Use(
    "link preview",
    max_bytes=512 * 1024,  # the <head> is near the top; a page cut short still has it
    connect_timeout=5,
    read_timeout=10,
    total_seconds=20,
    redirects=3,
    truncate=True,
)
SWEEP_BATCH = 20
SITE_NAME_MAX = 120


class _HeadMeta(HTMLParser):
    """The <meta> properties and <title> of a page's head (stops reading at <body>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if tag == "body":
            self.done = True
        elif tag == "meta":
            values = dict(attrs)
            key = (values.get("property") or values.get("name") or "").strip().lower()
            content = (values.get("content") or "").strip()
            if key and content and key not in self.meta:
                self.meta[key] = content
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data):
        if self._in_title and not self.done:
            self.title += data


def read_preview(html: str, page_url: str) -> dict[str, str]:
    """Image (absolute), description and site name from a page's Open Graph and Twitter tags,
    with the plain description and the host as fallbacks; empty strings for what is missing."""
    parser = _HeadMeta()
    parser.feed(html)
    meta = parser.meta
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image") or ""
    image = urljoin(page_url, image) if image else ""
    if urlsplit(image).scheme not in ("http", "https"):
        image = ""
    description = meta.get("og:description") or meta.get("description") or ""
    site = meta.get("og:site_name") or urlsplit(page_url).hostname or ""
    return {
        "image": image[:URL_MAX],
        "description": " ".join(description.split())[:SUMMARY_MAX],
        "site_name": " ".join(site.split())[:SITE_NAME_MAX],
    }


def ask_for_preview(content: Content) -> None:
    """Queue the preview of a new item's link (after the commit; once per item), unless the
    operator turned link previews off (LINK_PREVIEWS)."""
    if not current_app.config.get("LINK_PREVIEWS", True):
        return
    if content.destination_url and content.preview_fetched_at is None:
        db.session.flush()
        enqueue(PREVIEW_JOB, content.id, queue="default")


def fetch_preview(content_id: int) -> Content | None:
    """Read the item's link preview once and fill what the item lacks: its picture, summary and
    site name. A page that cannot be read leaves the item as it is (the host's name stands in
    for the site). Commits; safe to run twice."""
    content = db.session.get(Content, content_id)
    if content is None or content.preview_fetched_at is not None or not content.destination_url:
        return content
    found = {"image": "", "description": "", "site_name": ""}
    try:
        page = outbound.fetch(content.destination_url, PAGE_USE, headers={"Accept": "text/html"})
        if page.status == 200 and "html" in page.headers.get("Content-Type", "text/html"):
            found = read_preview(page.body.decode("utf-8", "replace"), page.url)
    except (outbound.OutboundRefused, outbound.OutboundFailed):
        pass
    content.site_name = content.site_name or found["site_name"] or _host(content.destination_url)
    if not content.summary and found["description"]:
        content.summary = found["description"]
    if not content.image_url and found["image"]:
        content.image_url = found["image"]
        content.image = stored_image(found["image"])
    content.preview_fetched_at = utcnow()
    db.session.commit()
    return content


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")[:SITE_NAME_MAX]


def preview_missing() -> int:
    """The sweep: previews of items that have none yet (an upgrade, a lost job), a batch a run."""
    if not current_app.config.get("LINK_PREVIEWS", True):
        return 0
    ids = db.session.scalars(
        select(Content.id)
        .where(Content.destination_url != "", Content.preview_fetched_at.is_(None))
        .order_by(Content.id.desc())
        .limit(SWEEP_BATCH)
    ).all()
    for content_id in ids:
        fetch_preview(content_id)
    return len(ids)
