"""Reach pages: my reach (page and fragment), followers, a content item's reach, admin values."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.extensions import db
from advocacy.leaderboard.reach.audience import declared_followers, reach_settings
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch

YESTERDAY = datetime.now(UTC) - timedelta(days=1)


@pytest.fixture
def clicked(link):
    ingest_batch(
        [
            Hit(f"page{n}", link.id, YESTERDAY.timestamp() + n, "human", f"v{n}", "")
            for n in range(3)
        ]
    )
    return link


def chart_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_my_reach_shows_totals_chart_data_and_tables(clicked, sharer, login_as):
    client = login_as(sharer)
    response = client.get("/reach/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "My reach" in html
    data = chart_data(html)
    assert len(data["x"]) == 30 and sum(data["series"][0]["values"]) == 3
    assert "Human clicks" in html and "Potential reach" in html
    assert 'id="points-history"' in html
    fragment = client.get("/reach/?start=2020-01-01&end=2020-01-31", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "2020-01-01 to 2020-01-31" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_backwards_range_says_why(clicked, sharer, login_as):
    html = login_as(sharer).get("/reach/?start=2026-05-05&end=2026-05-01").get_data(as_text=True)
    assert "must start on or before its end" in html


def test_declaring_followers(sharer, login_as):
    client = login_as(sharer)
    assert client.get("/reach/followers").status_code == 200
    bad = client.post("/reach/followers", data={"linkedin": "-5"})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert declared_followers(sharer) == {}
    ok = client.post("/reach/followers", data={"linkedin": "1200", "x": ""})
    assert ok.status_code == 303
    assert declared_followers(sharer) == {"linkedin": 1200}


def test_content_reach_is_for_curators_and_admins(clicked, content, sharer, curator, login_as):
    assert login_as(sharer).get(f"/reach/content/{content.id}").status_code == 403
    client = login_as(curator)
    html = client.get(f"/reach/content/{content.id}").get_data(as_text=True)
    assert "Per network" in html and "Sam Sharer" in html
    panel = client.get(f"/content/{content.id}").get_data(as_text=True)
    assert "3 human clicks" in panel and f"/reach/content/{content.id}" in panel


def test_admin_sets_values_and_makes_a_secret(admin, user, login_as):
    assert login_as(user).get("/admin/reach/").status_code == 403
    client = login_as(admin)
    response = client.post(
        "/admin/reach/", data={"click_value": "0.75", "conversion_value": "30", "currency": "usd"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    settings = reach_settings()
    assert (settings.click_value, settings.conversion_value, settings.currency) == (0.75, 30, "USD")
    assert client.post("/admin/reach/secret").status_code == 303
    db.session.expire_all()
    secret = reach_settings().conversions_secret
    assert len(secret) > 30 and secret in client.get("/admin/reach/").get_data(as_text=True)
