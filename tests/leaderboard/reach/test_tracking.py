"""The click path: redirect, counting rules (bots, HEAD, self clicks, 24 h de-duplication),
no open redirect, and what the ingest stores from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import crawleruseragents
import pytest
import time_machine
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.leaderboard.reach.bots import is_bot
from advocacy.leaderboard.reach.models import ClickEvent, ReachDaily, TeamReachDaily
from tests.leaderboard.conftest import BROWSER_UAS

LIBRARY_BOT_UAS = [
    instance
    for entry in crawleruseragents.CRAWLER_USER_AGENTS_DATA
    for instance in entry.get("instances", [])
]
PREVIEW_FETCHERS = [
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20.0 A",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
    "skype-url-preview@microsoft.com",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "",
]


def kinds() -> list[str]:
    return list(db.session.scalars(select(ClickEvent.kind).order_by(ClickEvent.occurred_at)))


def test_every_user_agent_of_the_library_list_is_a_bot():
    assert len(LIBRARY_BOT_UAS) > 1000
    assert [ua for ua in LIBRARY_BOT_UAS if not is_bot(ua)] == []


@pytest.mark.parametrize("ua", BROWSER_UAS)
def test_real_browsers_are_not_bots(ua):
    assert not is_bot(ua)


def test_a_click_redirects_to_the_stored_destination_with_tracking(link, visit, ingest):
    response = visit(link.code)
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = urlsplit(response.headers["Location"])
    assert (location.netloc, location.path, location.fragment) == ("acme.example", "/jobs", "top")
    query = parse_qs(location.query)
    assert query["x"] == ["1"]
    assert query["utm_source"] == ["linkedin"]
    assert query["utm_campaign"] == ["spring"]
    assert query["adv_ref"] == [link.code]
    assert ingest() == 1
    event = db.session.scalar(select(ClickEvent))
    assert (event.kind, event.user_id, event.network, event.campaign) == (
        "human",
        link.user_id,
        "linkedin",
        "spring",
    )
    assert "203.0.113.7" not in repr(event.__dict__)  # no raw IP anywhere
    assert len(event.visitor_key) == 32


@pytest.mark.parametrize("ua", PREVIEW_FETCHERS)
def test_preview_fetchers_get_the_redirect_but_count_as_bots(link, visit, ingest, ua):
    assert visit(link.code, ua=ua).status_code == 302
    ingest()
    assert kinds() == ["bot"]


def test_head_requests_are_bot_hits(link, visit, ingest):
    response = visit(link.code, method="HEAD")
    assert response.status_code == 302 and response.headers["Location"]
    ingest()
    assert kinds() == ["bot"]


def test_the_sharers_own_clicks_do_not_count(link, sharer, login_as, visit, ingest, client):
    login_as(sharer, client)
    visit(link.code)
    ingest()
    assert kinds() == ["self"]
    row = db.session.scalar(select(ReachDaily))
    assert (row.raw_hits, row.human_clicks) == (1, 0)


def test_a_colleague_signed_in_counts(link, user, login_as, visit, ingest, client):
    login_as(user, client)
    visit(link.code)
    ingest()
    assert kinds() == ["human"]


@pytest.mark.parametrize(
    "path",
    [
        "/r/nope-nope-no",
        "/r/https:%2F%2Fevil.example",
        "/r/%2F%2Fevil.example",
        "/r/..%2F..%2Flogin",
        "/r/" + "a" * 40,
    ],
)
def test_unknown_codes_are_a_404_page(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert "text/html" in response.content_type
    # Werkzeug merges doubled slashes with a redirect, but only ever to our own /r/ path.
    for step in response.history:
        assert urlsplit(step.headers["Location"]).netloc in ("", "localhost")


@pytest.mark.parametrize(
    "suffix",
    ["?next=https://evil.example", "?url=//evil.example&adv_ref=x", "#https://evil.example"],
)
def test_no_open_redirect_through_the_query(link, client, suffix):
    response = client.get(f"/r/{link.code}{suffix}")
    assert response.headers["Location"].startswith("https://acme.example/jobs?")
    assert "evil" not in response.headers["Location"]


def test_a_path_after_the_code_is_not_followed(link, client):
    assert client.get(f"/r/{link.code}/https://evil.example").status_code == 404


def test_a_visitor_counts_once_per_link_per_24_hours(link, visit, ingest):
    start = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # the salt changes at midnight UTC
    for offset in (0, 1, 24 * 60 - 1, 24 * 60, 24 * 60 + 5, 48 * 60):
        with time_machine.travel(start + timedelta(minutes=offset), tick=False):
            visit(link.code)
    visit(link.code, ip="198.51.100.1")  # someone else, now
    ingest()
    assert kinds() == ["human", "repeat", "repeat", "human", "repeat", "human", "human"]


def test_hits_are_rolled_up_per_person_and_per_team_on_the_organisations_day(
    link, visit, ingest, teams, user
):
    from advocacy.accounts.organisation import update_organisation

    update_organisation("Acme", "America/Vancouver")
    db.session.commit()
    # 02:00 UTC on 11 March is still 10 March in Vancouver.
    with time_machine.travel(datetime(2026, 3, 11, 2, 0, tzinfo=UTC), tick=False):
        visit(link.code)
        visit(link.code)  # repeat
        visit(link.code, ip="198.51.100.2")
        visit(link.code, ua="Twitterbot/1.0")
    assert ingest() == 4
    person = db.session.scalar(select(ReachDaily))
    assert str(person.local_day) == "2026-03-10"
    counts = (person.raw_hits, person.bot_hits, person.human_clicks, person.unique_visitors)
    assert counts == (4, 1, 2, 2)
    team_rows = db.session.scalars(select(TeamReachDaily).order_by(TeamReachDaily.team_id)).all()
    assert [(r.team_id, r.human_clicks, r.raw_hits) for r in team_rows] == [
        (teams[0].id, 2, 4),
        (teams[1].id, 2, 4),
    ]
