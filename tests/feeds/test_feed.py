"""The feed: targeting (the SQL and Python rules agree), share windows, order, keyset pages,
filters and topic subscriptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import feed
from advocacy.feeds.models import Content, Share, TrackedLink
from advocacy.feeds.times import local_to_utc
from advocacy.models_base import utcnow
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory, tag, target


def ids(user, **kwargs) -> list[int]:
    return [c.id for c in feed.feed_page(user, **kwargs).items]


@pytest.fixture
def people(app):
    sales, hr = TeamFactory(name="Sales"), TeamFactory(name="HR")
    london_sales = MembershipFactory(
        team=sales, user__location="London, United Kingdom", user__languages=["en-gb", "fr"]
    ).user
    vancouver_hr = MembershipFactory(
        team=hr, user__location="Vancouver, Canada", user__languages=["en"]
    ).user
    nowhere = UserFactory(location="", languages=[])
    return {
        "sales": sales,
        "hr": hr,
        "london_sales": london_sales,
        "vancouver_hr": vancouver_hr,
        "nowhere": nowhere,
    }


AUDIENCES = {
    "everyone": {},
    "sales": {"teams": ["sales"]},
    "sales_or_hr": {"teams": ["sales", "hr"]},
    "london": {"locations": ["london, united kingdom"]},  # case-insensitive
    "french": {"languages": ["fr"]},
    "english": {"languages": ["en"]},  # en-gb speakers match content for en
    "sales_in_vancouver": {"teams": ["sales"], "locations": ["Vancouver, Canada"]},
    "hr_in_vancouver_en": {
        "teams": ["hr"],
        "locations": ["Vancouver, Canada"],
        "languages": ["en"],
    },
}
EXPECTED = {
    "london_sales": {"everyone", "sales", "sales_or_hr", "london", "french", "english"},
    "vancouver_hr": {"everyone", "sales_or_hr", "english", "hr_in_vancouver_en"},
    "nowhere": {"everyone"},
}


def test_targeting_rule_in_sql_and_python_agree(people):
    made = {}
    for name, audience in AUDIENCES.items():
        content = ContentFactory(title=name)
        target(
            content,
            teams=[people[t] for t in audience.get("teams", [])],
            locations=audience.get("locations", []),
            languages=audience.get("languages", []),
        )
        made[content.id] = name
    for person, expected in EXPECTED.items():
        user = people[person]
        in_feed = {made[i] for i in ids(user)}
        assert in_feed == expected, person
        python = {
            name
            for content_id, name in made.items()
            if feed.matches_audience(user, db.session.get(Content, content_id))
        }
        assert python == expected, person


def test_only_live_approved_content_newest_first(app):
    user = UserFactory()
    now = utcnow()
    old = ContentFactory(publish_at=now - timedelta(days=2))
    new = ContentFactory(publish_at=now - timedelta(minutes=1))
    ContentFactory(publish_at=now + timedelta(minutes=1))  # scheduled
    ContentFactory(expire_at=now - timedelta(seconds=1))  # window closed, job not run yet
    for state in ("draft", "submitted", "rejected", "expired", "archived"):
        ContentFactory(state=state)
    assert ids(user) == [new.id, old.id]


def test_share_window_is_exact_around_midnight_in_each_zone(app):
    user = UserFactory()
    for zone in ("Europe/London", "America/Vancouver", "Asia/Singapore"):
        start = local_to_utc(datetime(2026, 3, 29, 0, 0), zone, "publish_at")  # a DST day in London
        end = local_to_utc(datetime(2026, 3, 30, 0, 0), zone, "expire_at")
        content = ContentFactory(publish_at=start, expire_at=end, title=zone)
        with time_machine.travel(start - timedelta(seconds=1), tick=False):
            assert content.id not in ids(user)
        with time_machine.travel(start, tick=False):
            assert content.id in ids(user)
        with time_machine.travel(end - timedelta(seconds=1), tick=False):
            assert content.id in ids(user)
        with time_machine.travel(end, tick=False):
            assert content.id not in ids(user)
    london = local_to_utc(datetime(2026, 3, 30, 0, 0), "Europe/London", "x") - local_to_utc(
        datetime(2026, 3, 29, 0, 0), "Europe/London", "x"
    )
    assert london == timedelta(hours=23)  # the short day of the clock change


def test_keyset_pages_cover_everything_once(app):
    user = UserFactory()
    same_time = utcnow() - timedelta(hours=3)
    made = [ContentFactory(publish_at=same_time) for _ in range(5)]
    made += [ContentFactory(publish_at=utcnow() - timedelta(minutes=i)) for i in range(7)]
    seen, cursor = [], None
    while True:
        page = feed.feed_page(user, cursor=cursor, limit=3)
        seen += [c.id for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(c.id for c in made) and len(seen) == len(set(seen))
    assert seen[-5:] == sorted((c.id for c in made[:5]), reverse=True)


@pytest.mark.parametrize("cursor", ["nonsense", "12-x", "99999999999999999999-1"])
def test_a_tampered_cursor_is_refused(app, cursor):
    with pytest.raises(ValidationFailed):
        feed.feed_page(UserFactory(), cursor=cursor)


def test_filters_by_kind_topic_unshared_and_followed_topics(app):
    user = UserFactory()
    job = tag(ContentFactory(kind="job_opening"), "Careers")
    story = tag(ContentFactory(kind="culture_story"), "Culture", "Careers")
    news = ContentFactory()
    assert ids(user, filters=feed.FeedFilters(kind="job_opening")) == [job.id]
    assert ids(user, filters=feed.FeedFilters(topic="careers")) == [story.id, job.id]
    link = TrackedLink(code="code0001", user_id=user.id, content_id=story.id, network="x")
    db.session.add(link)
    db.session.flush()
    db.session.add(Share(tracked_link=link, user_id=user.id, content_id=story.id, network="x"))
    db.session.commit()
    page = feed.feed_page(user)
    assert page.shared_ids == {story.id}
    assert ids(user, filters=feed.FeedFilters(unshared=True)) == [news.id, job.id]
    assert ids(user, filters=feed.FeedFilters(my_topics=True)) == []
    feed.subscribe(user, "CULTURE")
    feed.subscribe(user, "culture")
    assert [t.name for t in feed.subscribed_topics(user)] == ["Culture"]
    assert ids(user, filters=feed.FeedFilters(my_topics=True)) == [story.id]
    feed.unsubscribe(user, "culture")
    feed.unsubscribe(user, "culture")
    assert feed.subscribed_topics(user) == []
    with pytest.raises(ValidationFailed):
        feed.FeedFilters(kind="podcast").validated()


def test_topics_listed_by_use(app):
    tag(ContentFactory(), "Culture", "AI")
    tag(ContentFactory(), "AI")
    tag(ContentFactory(state="draft"), "Secret")
    assert [t.name for t in feed.list_topics()] == ["AI", "Culture"]


def test_cursor_round_trip(app):
    content = ContentFactory(publish_at=datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC))
    assert feed.decode_cursor(feed.encode_cursor(content)) == (content.publish_at, content.id)


def test_locations_entered_in_any_spelling_match(people):
    from advocacy.feeds.content import create_content
    from advocacy.feeds.content_input import ContentInput
    from advocacy.feeds.workflow import transition

    curator = UserFactory(role="curator")
    data = ContentInput(
        title="London drinks",
        destination_url="https://acme.example/drinks",
        locations=["  LONDON,   united Kingdom "],
    )
    content = create_content(data, curator)
    transition(content, "submit", curator)
    transition(content, "approve", curator)
    assert content.audience_values("location") == ["london, united kingdom"]
    assert content.id in ids(people["london_sales"])
    assert content.id not in ids(people["vancouver_hr"])
