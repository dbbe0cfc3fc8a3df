"""RSS/Atom import from a real local HTTP server: real-world-shaped feeds, conditional GET,
malformed XML, a 500, a timeout, duplicates, and the retry of a failing source."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from advocacy.errors import Conflict, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import sources
from advocacy.feeds.content_input import topic_name
from advocacy.feeds.jobs import fetch_due_sources
from advocacy.feeds.models import Content, Source
from advocacy.models_base import utcnow
from tests.factories import UserFactory
from tests.feeds.factories import ContentFactory

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Acme Engineering Blog</title>
  <link>https://blog.acme.example/</link>
  <atom:link href="https://blog.acme.example/feed.xml" rel="self" type="application/rss+xml"/>
  <description>Stories from the people building Acme</description>
  <lastBuildDate>Mon, 04 May 2026 09:00:00 +0000</lastBuildDate>
  <item>
    <title>How we cut build times in half</title>
    <link>https://blog.acme.example/2026/05/faster-builds?utm_source=rss</link>
    <guid isPermaLink="false">acme-blog-1042</guid>
    <pubDate>Mon, 04 May 2026 08:00:00 +0000</pubDate>
    <category>Engineering</category><category>CI</category>
    <description><![CDATA[<p>Our CI went from <b>40</b> to 18 minutes &amp; here is how.</p>
      <script>alert(1)</script>]]></description>
    <media:thumbnail url="https://blog.acme.example/img/builds.png"/>
  </item>
  <item>
    <title>Meet the SRE team</title>
    <link>https://blog.acme.example/2026/04/meet-sre</link>
    <guid>https://blog.acme.example/2026/04/meet-sre</guid>
    <description>Who keeps the lights on.</description>
    <enclosure url="http://insecure.example/sre.jpg" type="image/jpeg" length="1000"/>
  </item>
  <item>
    <title>Dangerous link</title>
    <link>javascript:alert(1)</link>
    <guid>acme-blog-evil</guid>
  </item>
  <item>
    <title>Meet the SRE team (again, under another id)</title>
    <link>https://blog.acme.example/2026/04/meet-sre</link>
    <guid>acme-blog-1000</guid>
  </item>
</channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Acme Careers</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-05-04T09:00:00Z</updated>
  <link href="https://careers.acme.example/"/>
  <entry>
    <title type="html">Senior Backend Engineer &amp;lt;Python&amp;gt;
      &lt;em&gt;London&lt;/em&gt;</title>
    <link rel="alternate" href="https://careers.acme.example/jobs/123"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2026-05-03T18:30:02Z</updated>
    <summary>Join the platform team in London or remotely.</summary>
    <category term="Careers"/>
  </entry>
</feed>"""


class FeedServer:
    """A real HTTP server on loopback; `routes` maps paths to (status, headers, body, delay)."""

    def __init__(self):
        self.routes: dict[str, tuple] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.requests.append({"path": self.path, **dict(self.headers)})
                status, headers, body, delay = server.routes.get(self.path, (404, {}, b"", 0))
                if callable(status):
                    status, headers, body, delay = status(self.headers)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(self, path, body, status=200, headers=None, delay=0.0):
        self.routes[path] = (
            status,
            headers or {"Content-Type": "application/rss+xml"},
            body.encode() if isinstance(body, str) else body,
            delay,
        )


@pytest.fixture(scope="module")
def feed_server():
    server = FeedServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def fast_app(make_app, feed_server):
    feed_server.routes.clear()
    feed_server.requests.clear()
    # The feed server listens on loopback: allowed as an operator allows intranet hosts.
    app = make_app(FEEDS_FETCH_TIMEOUT=0.5, OUTBOUND_ALLOW="127.0.0.1/32")
    with app.app_context():
        yield app


@pytest.fixture
def app(fast_app):
    """Every fixture of this module (mail_outbox, run_jobs...) works on the fast app."""
    return fast_app


@pytest.fixture
def admin(fast_app):
    return UserFactory(role="admin")


def add(admin, url, kind="link") -> Source:
    return sources.add_source("Acme blog", url, kind, admin)


def imported() -> list[Content]:
    return list(db.session.scalars(select(Content).order_by(Content.id)))


def test_rss_entries_become_submitted_content(feed_server, admin, mail_outbox, run_jobs):
    curator = UserFactory(role="curator")
    feed_server.serve(
        "/blog.xml",
        RSS,
        headers={
            "Content-Type": "application/rss+xml",
            "ETag": '"v1"',
            "Last-Modified": "Mon, 04 May 2026 09:00:00 GMT",
        },
    )
    source = add(admin, f"{feed_server.url}/blog.xml")

    outcome = sources.fetch_source(source.id)

    assert len(outcome.created) == 2 and outcome.duplicates == 1 and outcome.skipped == 1
    first, second = imported()
    assert first.state == "submitted" and first.author_id is None and first.source_id == source.id
    assert first.title == "How we cut build times in half"
    assert first.destination_url == "https://blog.acme.example/2026/05/faster-builds?utm_source=rss"
    assert first.summary == "Our CI went from 40 to 18 minutes & here is how."
    assert first.image_url == "https://blog.acme.example/img/builds.png"
    assert [t.name for t in first.topics] == ["CI", "Engineering"]
    assert second.image_url == ""  # http images are not used
    assert first.events[0].action == "imported" and first.events[0].to_state == "submitted"
    db.session.refresh(source)
    assert (source.etag, source.last_error, source.failure_count) == ('"v1"', "", 0)
    assert source.last_success_at is not None

    run_jobs()
    [mail] = mail_outbox
    assert mail.to == [curator.email] and mail.subject == "2 new from Acme blog to review"


def test_conditional_get_and_duplicates_on_the_next_fetch(feed_server, admin):
    def conditional(headers):
        if headers.get("If-None-Match") == '"v1"':
            return 304, {}, b"", 0
        return 200, {"ETag": '"v1"', "Content-Type": "application/rss+xml"}, RSS.encode(), 0

    feed_server.routes["/cond.xml"] = (conditional, None, None, None)
    source = add(admin, f"{feed_server.url}/cond.xml")
    assert len(sources.fetch_source(source.id).created) == 2
    assert sources.fetch_source(source.id).not_modified
    assert feed_server.requests[-1]["If-None-Match"] == '"v1"'

    source.etag = ""  # the server forgot: a full answer, every entry already known
    db.session.commit()
    again = sources.fetch_source(source.id)
    assert again.created == [] and again.duplicates == 4 and again.skipped == 0
    assert len(imported()) == 2


def test_atom_feeds_and_urls_known_from_other_content(feed_server, admin):
    ContentFactory(destination_url="https://careers.acme.example/jobs/999")
    feed_server.serve("/careers.atom", ATOM, headers={"Content-Type": "application/atom+xml"})
    source = add(admin, f"{feed_server.url}/careers.atom", kind="job_opening")
    outcome = sources.fetch_source(source.id)
    [content] = [c for c in imported() if c.id in outcome.created]
    assert content.kind == "job_opening"
    assert content.title == "Senior Backend Engineer <Python> London"
    assert content.destination_url == "https://careers.acme.example/jobs/123"

    other = sources.add_source(
        "Careers mirror", f"{feed_server.url}/careers.atom?mirror", "link", admin
    )
    feed_server.serve(
        "/careers.atom?mirror", ATOM, headers={"Content-Type": "application/atom+xml"}
    )
    assert sources.fetch_source(other.id).duplicates == 1  # same URL, other source


@pytest.mark.parametrize(
    ("path", "body", "status", "delay", "message"),
    [
        ("/broken.xml", "<rss><channel><item><title>Unclosed", 200, 0, "not well-formed XML"),
        ("/garbage.xml", "\x00\x01<<<>>>", 200, 0, "not well-formed XML"),
        ("/error.xml", "oops", 500, 0, "HTTP 500 Internal Server Error"),
        ("/slow.xml", RSS, 200, 1.5, "did not answer within 0.5 seconds"),
        ("/html", "<html><body><p>Not a feed</p></body></html>", 200, 0, "not an RSS or Atom feed"),
        ("/missing.xml", "", 404, 0, "HTTP 404"),
    ],
)
def test_failing_feeds_keep_their_error_and_are_retried_later(
    feed_server, admin, path, body, status, delay, message
):
    feed_server.serve(
        path,
        body,
        status=status,
        delay=delay,
        headers={"Content-Type": "text/html" if path == "/html" else "application/xml"},
    )
    source = add(admin, f"{feed_server.url}{path}")
    before = utcnow()
    outcome = sources.fetch_source(source.id)
    assert message.lower() in outcome.error.lower()
    db.session.refresh(source)
    assert source.failing and message.lower() in source.last_error.lower()
    assert source.failure_count == 1
    assert before + timedelta(minutes=4) < source.next_fetch_at <= utcnow() + timedelta(minutes=5)
    assert imported() == []

    sources.fetch_source(source.id)
    db.session.refresh(source)
    assert source.failure_count == 2
    assert source.next_fetch_at > utcnow() + timedelta(minutes=9)  # the delay doubles


def test_entries_recovered_from_broken_xml_are_kept_but_the_feed_is_failing(feed_server, admin):
    broken = RSS.replace("</channel>", "<item><title>Unclosed &nbsp; entity</title></channel>")
    feed_server.serve("/sloppy.xml", broken, headers={"ETag": '"sloppy"'})
    source = add(admin, f"{feed_server.url}/sloppy.xml")
    outcome = sources.fetch_source(source.id)
    assert len(outcome.created) == 2 and "not well-formed" in outcome.error
    db.session.refresh(source)
    assert source.failing and source.etag == ""  # re-read in full until it is fixed


def test_a_recovered_feed_clears_its_error(feed_server, admin):
    feed_server.serve("/flaky.xml", "down", status=503)
    source = add(admin, f"{feed_server.url}/flaky.xml")
    sources.fetch_source(source.id)
    feed_server.serve("/flaky.xml", RSS)
    sources.fetch_source(source.id)
    db.session.refresh(source)
    assert not source.failing and source.failure_count == 0 and len(imported()) == 2


def test_the_periodic_job_fetches_due_sources_once(feed_server, admin, run_jobs):
    feed_server.serve("/due.xml", RSS)
    due = add(admin, f"{feed_server.url}/due.xml")
    later = add(admin, f"{feed_server.url}/later.xml")
    later.next_fetch_at = utcnow() + timedelta(hours=1)
    paused = add(admin, f"{feed_server.url}/paused.xml")
    sources.set_source_active(paused, False)
    db.session.commit()
    fetch_due_sources()
    run_jobs()  # a real RQ worker in the services run; already done in-process otherwise
    paths = [r["path"] for r in feed_server.requests]
    assert paths == ["/due.xml"]
    assert sources.claim_due_sources() == []
    db.session.refresh(due)
    assert due.last_success_at is not None


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("javascript:alert(1)", "url"),
        ("file:///etc/passwd", "url"),
        ("", "url"),
        ("ftp://x.example/f", "url"),
    ],
)
def test_only_http_feeds_can_be_registered(admin, url, field):
    with pytest.raises(ValidationFailed) as caught:
        sources.add_source("Bad", url, "link", admin)
    assert field in caught.value.errors


def test_a_feed_is_registered_once(admin):
    sources.add_source("Blog", "https://blog.acme.example/feed", "link", admin)
    with pytest.raises(Conflict):
        sources.add_source("Blog again", "https://blog.acme.example/feed", "link", admin)
    with pytest.raises(ValidationFailed):
        sources.add_source("Announcements", "https://x.example/feed", "announcement", admin)


def test_rss_categories_become_topics_only_when_the_api_would_accept_them(feed_server, admin):
    """RSS import made topics the API refuses ("<b>x</b>", 80 characters, "a/../b?")."""
    feed_server.serve(
        "/categories.xml",
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Cats</title><item>
        <title>Many categories</title><link>https://acme.example/categories</link>
        <category>Engineering</category><category>&lt;b&gt;Bold&lt;/b&gt;</category>
        <category>%s</category><category>What? Why!</category>
        <category>  Site  reliability </category>
        </item></channel></rss>"""
        % ("x" * 80),
    )
    source = add(admin, f"{feed_server.url}/categories.xml")
    sources.fetch_source(source.id)
    content = db.session.scalars(select(Content)).one()
    assert sorted(topic.name for topic in content.topics) == ["Engineering", "Site reliability"]
    assert all(topic_name(topic.name) == topic.name for topic in content.topics)  # the API's rule
