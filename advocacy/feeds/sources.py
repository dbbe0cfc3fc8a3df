"""RSS and Atom sources: admins register feeds (the company blog, the careers page); a periodic job
fetches the due ones with a conditional GET and turns new entries into submitted content.

Rules: only http(s) feeds; a fetch has a timeout and a size cap; entries are de-duplicated by
their id (or link) per source and by their link across all content; a failing feed keeps its
error for admins to see and is retried with a growing delay (5 min, 10, 20... at most 6 h)."""

from __future__ import annotations

import hashlib
import html
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser

import feedparser
from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import Headers

from advocacy import outbound
from advocacy.accounts.models import User
from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.content import ensure_topics, record_event
from advocacy.feeds.content_input import TOPICS_MAX, topic_name
from advocacy.feeds.links import shorten, url_problem
from advocacy.feeds.models import (
    SUMMARY_MAX,
    TITLE_MAX,
    URL_MAX,
    Content,
    ContentKind,
    ContentState,
    Source,
    SourceEntry,
)
from advocacy.feeds.previews import ask_for_preview
from advocacy.jobs import enqueue
from advocacy.models_base import utcnow

log = logging.getLogger("advocacy.feeds.sources")

DEFAULT_TIMEOUT = 10.0  # seconds; FEEDS_FETCH_TIMEOUT
DEFAULT_INTERVAL = 30 * 60  # seconds between fetches of a healthy feed; FEEDS_FETCH_INTERVAL
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # FEEDS_FETCH_MAX_BYTES
ENTRIES_PER_FETCH = 100
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
USER_AGENT = "Advocacy feed reader (+https://github.com/advocacy)"
FEED_REDIRECTS = 5  # hops followed, each checked again by the outbound client


# --- registering ------------------------------------------------------------------------------


def add_source(name: str, url: str, content_kind: str, acting: User) -> Source:
    """Register a feed; it is fetched on the next run of the periodic job."""
    errors: dict[str, list[str]] = {}
    name, url = (name or "").strip(), (url or "").strip()
    if not name:
        errors["name"] = ["Give the source a name."]
    elif len(name) > TITLE_MAX:
        errors["name"] = [f"Use at most {TITLE_MAX} characters."]
    if not url:
        errors["url"] = ["Give the feed's web address."]
    elif problem := url_problem(url) or outbound.destination_refusal(url):
        errors["url"] = [problem]
    if (
        content_kind not in {k.value for k in ContentKind}
        or content_kind == ContentKind.ANNOUNCEMENT
    ):
        errors["content_kind"] = ["Choose link, culture_story or job_opening."]
    if errors:
        raise ValidationFailed("The source could not be added.", errors)
    if db.session.scalar(select(Source.id).where(Source.url == url)) is not None:
        raise Conflict("This feed is already registered.", {"url": ["Already registered."]})
    source = Source(name=name, url=url, content_kind=content_kind, created_by_id=acting.id)
    db.session.add(source)
    db.session.commit()
    return source


def sources_query():
    """A select of every source, failing ones first, then by name."""
    return select(Source).order_by(Source.last_error == "", Source.name, Source.id)


def list_sources() -> list[Source]:
    """Every source, failing ones first, then by name."""
    return list(db.session.scalars(sources_query()))


def get_source(source_id: int) -> Source:
    """A source by id, or NotFound."""
    source = db.session.get(Source, source_id)
    if source is None:
        raise NotFound("No such source.")
    return source


def set_source_active(source: Source, active: bool) -> Source:
    """Pause or resume fetching a source."""
    source.active = active
    if active:
        source.next_fetch_at = utcnow()
    db.session.commit()
    return source


def fetch_now(source: Source) -> None:
    """Queue a fetch of one source at once (an admin's "fetch now")."""
    enqueue("advocacy.feeds.jobs.fetch_source", source.id)
    source.next_fetch_at = utcnow()
    db.session.commit()


def claim_due_sources(now: datetime | None = None) -> list[int]:
    """Ids of active sources due for a fetch; each is pushed back a full interval at once, so a
    slow queue does not get the same source twice."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Source).where(Source.active.is_(True), Source.next_fetch_at <= now)
        )
    )
    ids = [source.id for source in due]  # read before the commit expires the rows
    for source in due:
        source.next_fetch_at = now + timedelta(seconds=_setting("FEEDS_FETCH_INTERVAL"))
    db.session.commit()
    return ids


def _setting(name: str):
    defaults = {
        "FEEDS_FETCH_TIMEOUT": DEFAULT_TIMEOUT,
        "FEEDS_FETCH_INTERVAL": DEFAULT_INTERVAL,
        "FEEDS_FETCH_MAX_BYTES": DEFAULT_MAX_BYTES,
    }
    return current_app.config.get(name, defaults[name])


# --- fetching ---------------------------------------------------------------------------------


class FetchFailed(Exception):
    """The feed could not be fetched or parsed; the message is shown to admins."""


@dataclass
class FetchOutcome:
    """What one fetch did."""

    not_modified: bool = False
    created: list[int] = field(default_factory=list)
    duplicates: int = 0
    skipped: int = 0
    error: str = ""


def fetch_source(source_id: int, now: datetime | None = None) -> FetchOutcome:
    """Fetch one source and import its new entries; failures are recorded on the source."""
    source = db.session.get(Source, source_id)
    if source is None:
        return FetchOutcome(error="no such source")
    now = now or utcnow()
    source.last_fetched_at = now
    try:
        response = _download(source)
        if response is None:
            outcome = FetchOutcome(not_modified=True)
        else:
            body, headers = response
            parsed = _parse(body, headers)
            outcome = _import_entries(source, parsed.entries[:ENTRIES_PER_FETCH])
    except FetchFailed as error:
        db.session.rollback()
        return _record_failure(source_id, str(error), now)
    if response is not None and (problem := _xml_problem(parsed)):
        # feedparser recovered entries from broken XML: keep them, but show the feed as failing
        # so an admin gets it fixed (a stricter reader elsewhere may see nothing at all).
        outcome.error = problem
        _mark_failing(source, problem, now)
    else:
        if response is not None:  # remembered only for a good feed: a broken one is re-read
            source.etag = (headers.get("etag") or "")[:255]
            source.last_modified = (headers.get("last-modified") or "")[:64]
        source.last_success_at = now
        source.last_error = ""
        source.failure_count = 0
        source.next_fetch_at = now + timedelta(seconds=_setting("FEEDS_FETCH_INTERVAL"))
    if outcome.created:
        enqueue("advocacy.feeds.jobs.notify_imported", source.id, outcome.created, queue="mail")
    db.session.commit()
    return outcome


def _record_failure(source_id: int, message: str, now: datetime) -> FetchOutcome:
    source = db.session.get(Source, source_id)
    source.last_fetched_at = now
    _mark_failing(source, message, now)
    db.session.commit()
    return FetchOutcome(error=message)


def _mark_failing(source: Source, message: str, now: datetime) -> None:
    """Keep the error for admins and retry later, waiting longer after each failure."""
    source.last_error = message[:1000]
    source.failure_count += 1
    source.next_fetch_at = now + min(FIRST_RETRY * 2 ** (source.failure_count - 1), LONGEST_RETRY)
    log.warning("feed %s (%s) failed: %s", source.id, source.url, message)


def _xml_problem(parsed) -> str:
    """Why the feed's XML is broken ("" when fine, or only mislabelled: encoding, media type)."""
    error = parsed.get("bozo_exception")
    if not parsed.bozo or error is None or isinstance(error, _HARMLESS):
        return ""
    return f"The feed is not well-formed XML: {error}"


def _download(source: Source) -> tuple[bytes, Headers] | None:
    """The feed's bytes and headers, or None when unchanged since the last fetch (304), through
    the safe outbound client (public addresses only, every redirect hop checked again)."""
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    }
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    timeout = float(_setting("FEEDS_FETCH_TIMEOUT"))
    use = outbound.Use(
        "feed",
        max_bytes=int(_setting("FEEDS_FETCH_MAX_BYTES")),
        connect_timeout=timeout,
        read_timeout=timeout,
        total_seconds=3 * timeout,
        redirects=FEED_REDIRECTS,
    )
    try:
        answer = outbound.fetch(source.url, use, headers=headers)
    except outbound.OutboundRefused as refused:
        raise FetchFailed(f"The feed is not fetched: {refused.reason}") from None
    except outbound.OutboundFailed as error:
        if error.kind == "timeout":
            raise FetchFailed(f"The feed did not answer within {timeout:g} seconds.") from None
        if error.kind == "too_large":
            raise FetchFailed(
                f"The feed is larger than {use.max_bytes // 1024 // 1024} MB."
            ) from None
        raise FetchFailed(f"The feed could not be reached: {error.reason}") from None
    if answer.status == 304:
        return None
    if answer.status >= 400:
        raise FetchFailed(
            f"The feed answered HTTP {answer.status} {answer.reason}.".replace(" .", ".")
        )
    if answer.status >= 300:
        raise FetchFailed(f"The feed redirects to {answer.location or 'nowhere'}.")
    return answer.body, answer.headers


_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _parse(body: bytes, headers: Headers):
    parsed = feedparser.parse(
        body, response_headers={"content-type": headers.get("content-type", "application/xml")}
    )
    if parsed.bozo and not parsed.entries and _xml_problem(parsed):
        raise FetchFailed(_xml_problem(parsed))
    if not parsed.version and not parsed.entries:
        raise FetchFailed("This is not an RSS or Atom feed.")
    return parsed


# --- importing --------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment (feed summaries are HTML; we show plain text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(fragment or "")
    extractor.close()
    return " ".join(html.unescape(" ".join(extractor.parts)).split())


def _entry_image(entry) -> str:
    candidates = [m.get("url", "") for m in entry.get("media_thumbnail", [])]
    candidates += [
        m.get("url", "")
        for m in entry.get("media_content", [])
        if m.get("medium") == "image" or str(m.get("type", "")).startswith("image/")
    ]
    candidates += [
        link.get("href", "")
        for link in entry.get("links", [])
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")
    ]
    return next((url for url in candidates if url and not url_problem(url, https_only=True)), "")


def _entry_topics(entry) -> list[str]:
    """The entry's categories that are valid topics (the rule authors and the API follow);
    the others are left out: a feed is not told, it is not ours."""
    names = []
    for tag in entry.get("tags", []):
        term = topic_name(tag.get("term"))
        if term and term.lower() not in {n.lower() for n in names}:
            names.append(term)
    return names[:TOPICS_MAX]


def _import_entries(source: Source, entries: list) -> FetchOutcome:
    outcome = FetchOutcome()
    for entry in entries:
        url = (entry.get("link") or "").strip()
        key = (entry.get("id") or url).strip()
        if not key:
            outcome.skipped += 1
            continue
        key, url_hash = _digest(key), _digest(url)
        seen = db.session.scalar(
            select(SourceEntry.id).where(
                SourceEntry.source_id == source.id, SourceEntry.entry_key == key
            )
        )
        if seen is not None:
            outcome.duplicates += 1
            continue
        record = SourceEntry(
            source_id=source.id, entry_key=key, url_hash=url_hash, url=url[:URL_MAX]
        )
        db.session.add(record)
        db.session.flush()
        if not url or url_problem(url):
            outcome.skipped += 1
            continue
        known = db.session.scalar(
            select(Content.id).where(Content.destination_url == url).limit(1)
        ) or db.session.scalar(
            select(SourceEntry.id)
            .where(SourceEntry.url_hash == url_hash, SourceEntry.id != record.id)
            .limit(1)
        )
        if known is not None:
            outcome.duplicates += 1
            continue
        content = _content_from_entry(source, entry, url)
        db.session.flush()
        record.content_id = content.id
        outcome.created.append(content.id)
    return outcome


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _content_from_entry(source: Source, entry, url: str) -> Content:
    title = shorten(plain_text(entry.get("title", "")) or url, TITLE_MAX)
    summary = shorten(plain_text(entry.get("summary", "")), SUMMARY_MAX)
    content = Content(
        kind=source.content_kind,
        state=ContentState.SUBMITTED.value,
        title=title,
        destination_url=url,
        summary=summary,
        image_url=_entry_image(entry),
        source_id=source.id,
    )
    content.topics = ensure_topics(_entry_topics(entry))
    db.session.add(content)
    record_event(content, "imported", None, None, f"From the feed “{source.name}”")
    ask_for_preview(content)
    return content
