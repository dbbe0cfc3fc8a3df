"""The app shell: navigation grouped by role (each person sees their own tools), the current
entry marked (a content item belongs to the feed), the Admin page listing only what one may
manage, the header search keeping its query, and the favicon."""

from __future__ import annotations

import re

from tests.feeds.factories import ContentFactory


def html(response) -> str:
    return response.get_data(as_text=True)


def nav_groups(page: str) -> dict[str, list[str]]:
    sidebar = re.search(r'<nav id="sidebar".*?</nav>', page, re.S).group(0)
    groups = {}
    for name, body in re.findall(r'<h2 id="nav-\w+">(\w+)</h2>\s*<ul>(.*?)</ul>', sidebar, re.S):
        groups[name] = [
            re.sub(r"<[^>]+>", "", item).strip()
            for item in re.findall(r"<li>(.*?)</li>", body, re.S)
        ]
    return groups


def test_a_member_sees_share_discuss_reach_and_no_manage(client, login_as, user):
    login_as(user, client)
    groups = nav_groups(html(client.get("/")))
    assert groups == {
        "Share": ["Feed", "My content", "Topics"],
        "Discuss": ["Discussions", "Unanswered", "Teams"],
        "Reach": ["My reach", "Leaderboard"],
    }
    assert client.get("/manage").status_code == 404


def test_an_admin_has_every_tool_under_manage(client, login_as, admin):
    login_as(admin, client)
    groups = nav_groups(html(client.get("/")))
    assert groups["Manage"] == ["Review queue", "Moderation", "Analytics", "Referrals", "Admin"]
    tools = html(client.get("/manage"))
    for label in (
        "People",
        "Organisation",
        "Content sources",
        "Points",
        "Webhooks",
        "Privacy",
        "Search index",
        "Style guide",
    ):
        assert f"<strong>{label}</strong>" in tools, label
    assert client.get("/admin/styleguide").status_code == 200


def test_a_content_page_is_part_of_the_feed_and_the_search_keeps_its_query(client, login_as, user):
    login_as(user, client)
    item = ContentFactory(title="Lisbon")
    page = html(client.get(f"/content/{item.id}"))
    current = re.findall(r'class="nav-link" href="([^"]+)" aria-current="page"', page)
    assert current == ["/"]
    results = html(client.get("/search?q=Lisbon+office"))
    assert 'id="nav-search-q" name="q"' in results and 'value="Lisbon office"' in results
    assert 'value="Lisbon office"' not in page


def test_the_favicon_is_served_to_anyone(client):
    with client.get("/favicon.ico") as icon:  # closes the file behind the response
        assert icon.status_code == 200 and icon.mimetype == "image/png"
        assert icon.data.startswith(b"\x89PNG")
    assert 'rel="icon" href="/static/icons/favicon.svg"' in html(client.get("/login"))
