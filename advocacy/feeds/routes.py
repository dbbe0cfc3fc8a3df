"""The signed-in home page is the employee's feed (infinite scroll with htmx), plus topics."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_login import current_user

from advocacy.extensions import htmx
from advocacy.feeds import feed
from advocacy.feeds.models import ContentKind
from advocacy.feeds.onboarding import onboarding_for
from advocacy.feeds.panels import load_panels
from advocacy.web.htmx import fragment_or_redirect, render, wants_fragment
from advocacy.web.params import flag_arg, text_arg

bp = Blueprint("home", __name__)
topics_bp = Blueprint("feeds_topics", __name__, url_prefix="/topics")


def _filters() -> feed.FeedFilters:
    return feed.FeedFilters(
        topic=text_arg("topic", "", 200).lower(),
        kind=text_arg("kind", "", 40),
        unshared=flag_arg("unshared"),
        my_topics=flag_arg("my_topics"),
    ).validated()


def filter_args(filters: feed.FeedFilters) -> dict:
    """The filters as query arguments (empty ones left out) for links and the next page."""
    return {
        key: value
        for key, value in (
            ("topic", filters.topic),
            ("kind", filters.kind),
            ("unshared", "1" if filters.unshared else ""),
            ("my_topics", "1" if filters.my_topics else ""),
        )
        if value
    }


@bp.get("/")
def index():
    """The feed: newest first; htmx gets the next page (infinite scroll) or the filtered list."""
    filters = _filters()
    cursor = text_arg("cursor", "", 200) or None
    page = feed.feed_page(current_user, filters, cursor)
    more_only = wants_fragment() and htmx.target == "feed-more"
    return render(
        "feeds/feed.html",
        "feeds/_feed_items.html" if more_only else "feeds/_feed_list.html",
        feed=page,
        filters=filters,
        args=filter_args(filters),
        kinds=list(ContentKind),
        topics=feed.all_topics(),
        following=feed.subscribed_topics(current_user),
        later_page=bool(cursor),
        feed_url=url_for("home.index"),
        card_panels=load_panels(current_user, page.items, "card"),
        onboarding=None if more_only or cursor else onboarding_for(current_user),
    )


def _topics_page(status: int = 200, trigger: str | None = None):
    return render(
        "feeds/topics.html",
        "feeds/_topics.html",
        status=status,
        trigger=trigger,
        topics=feed.list_topics(),
        following={topic.id for topic in feed.subscribed_topics(current_user)},
    )


@topics_bp.get("/", endpoint="index")
def topics():
    """Topics in use, each with a follow or unfollow button."""
    return _topics_page()


@topics_bp.post("/<slug>/follow")
def follow(slug: str):
    """Follow a topic: its content shows under "My topics"."""
    topic = feed.subscribe(current_user, slug)
    flash(f"You follow {topic.name}.", "success")
    return fragment_or_redirect(
        lambda: _topics_page(trigger="topicsChanged"), url_for("feeds_topics.index")
    )


@topics_bp.post("/<slug>/unfollow")
def unfollow(slug: str):
    """Stop following a topic."""
    topic = feed.unsubscribe(current_user, slug)
    flash(f"You no longer follow {topic.name}.", "success")
    return fragment_or_redirect(
        lambda: _topics_page(trigger="topicsChanged"), url_for("feeds_topics.index")
    )
