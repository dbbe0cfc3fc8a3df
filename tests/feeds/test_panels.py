"""Content panels: what other features register shows on content pages and in the review queue,
loaded once per page for every item shown, only where the feature has something to say."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader

from advocacy.feeds.panels import ContentPanel, register_content_panel
from tests.feeds.factories import ContentFactory


@pytest.fixture
def stars(app):
    """A feature that rates content: a page panel and a queue line, with its loader's calls."""
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "test/_stars.html": (
                        '<p class="stars">{{ panel_value }} stars: {{ item.title }}</p>'
                    ),
                    "test/_stars_queue.html": '<span class="star-line">{{ panel_value }}★</span>',
                    "test/_notes.html": '<p class="notes">{{ panel_value }}</p>',
                }
            ),
            app.jinja_env.loader,
        ]
    )
    calls = {"stars": [], "notes": []}

    def load_stars(reader, items):
        calls["stars"].append((reader.id, [item.id for item in items]))
        return {item.id: len(item.title) for item in items if "star" in item.title}

    def load_notes(reader, items):
        calls["notes"].append([item.id for item in items])
        return {item.id: "A note" for item in items}

    register_content_panel(
        app, ContentPanel("stars", load_stars, "test/_stars.html", "test/_stars_queue.html")
    )
    register_content_panel(app, ContentPanel("stars", load_stars))  # a name registers once
    register_content_panel(app, ContentPanel("notes", load_notes, page_template="test/_notes.html"))
    return calls


def test_the_queue_loads_each_panel_once_for_all_its_items(client, login_as, curator, stars):
    items = [
        ContentFactory(state="submitted", title=title)
        for title in ("A star is born", "Plain news", "Starry night? no: star")
    ]
    login_as(curator, client)

    page = client.get("/queue/").get_data(as_text=True)

    assert stars["stars"] == [(curator.id, [item.id for item in items])]
    assert stars["notes"] == []  # no queue template: not loaded for the queue
    assert page.count('class="star-line"') == 2
    assert f'<span class="star-line">{len("A star is born")}★</span>' in page


def test_a_content_page_shows_the_panels_with_something_to_say(client, login_as, user, stars):
    starred = ContentFactory(title="A star is born")
    plain = ContentFactory(title="Plain news")
    login_as(user, client)

    page = client.get(f"/content/{starred.id}").get_data(as_text=True)
    other = client.get(f"/content/{plain.id}").get_data(as_text=True)

    assert '<p class="stars">14 stars: A star is born</p>' in page
    assert '<p class="notes">A note</p>' in page
    assert 'class="stars"' not in other and '<p class="notes">A note</p>' in other
    assert stars["stars"] == [(user.id, [starred.id]), (user.id, [plain.id])]
