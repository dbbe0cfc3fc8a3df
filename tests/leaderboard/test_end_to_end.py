"""Reach and points together, through the real parts: a share, visitors following the tracked
link through the real redirect, the real ingest, then the ledger, the board, My reach, the ROI
calculator's earned media, the privacy export and an erasure."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from advocacy.analytics.roi import earned_media_value
from advocacy.extensions import db
from advocacy.feeds import sharing
from advocacy.leaderboard.points import ledger
from advocacy.leaderboard.reach import audience, metrics
from advocacy.models_base import utcnow
from advocacy.privacy.service import erase_account, export_archive
from tests.leaderboard.conftest import BROWSER_UAS

BOT = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"


def test_a_share_and_its_clicks_become_points_reach_and_earned_media(
    app, client, sharer, content, visit, ingest, admin
):
    shared = sharing.share_content(sharer, content, "linkedin")
    code = shared.tracked_url.rsplit("/", 1)[-1]
    for number, agent in enumerate(BROWSER_UAS[:4]):
        assert visit(code, ip=f"198.51.100.{number}", ua=agent).status_code == 302
    visit(code, ip="198.51.100.0", ua=BROWSER_UAS[0])  # the same visitor again: not counted
    visit(code, ua=BOT)  # a preview fetcher: a bot hit
    assert ingest() == 6

    history = ledger.points_history(sharer)
    earned = sorted((entry.action, entry.points) for entry in history)
    assert earned == [
        ("human_click", 1),
        ("human_click", 1),
        ("human_click", 1),
        ("human_click", 1),
        ("share_intent", 2),
        ("verified_share", 5),
    ]
    report = metrics.reach_report(sharer, "network", only_user_id=sharer.id)
    assert (report.totals.human_clicks, report.totals.bot_hits) == (4, 1)

    audience.update_reach_values(admin, click_value=0.5, conversion_value=10, currency="EUR")
    now = utcnow()
    assert float(earned_media_value(now - timedelta(days=1), now + timedelta(days=1))) == 2.0

    with zipfile.ZipFile(io.BytesIO(export_archive(sharer))) as archive:
        data = json.loads(archive.read("leaderboard.json"))
    assert sum(entry["points"] for entry in data["points"]) == 11
    assert data["reach_per_day"][0]["human_clicks"] == 4


def test_the_board_and_my_reach_show_the_points_and_an_erasure_hides_the_person(
    app, api, login_as, sharer, content, visit, ingest, admin, user
):
    shared = sharing.share_content(sharer, content, "linkedin")
    visit(shared.tracked_url.rsplit("/", 1)[-1], ip="198.51.100.9")
    ingest()

    page = login_as(sharer).get("/reach/").get_data(as_text=True)
    assert "Points history" in page and "Share verified by a first click" in page

    reader = api(user)
    board = reader.get("/api/v1/leaderboard?period=week").get_json()
    assert [(row["name"], row["points"]) for row in board["people"]] == [("Sam Sharer", 8)]

    erase_account(sharer, admin)
    db.session.expire_all()
    board = reader.get("/api/v1/leaderboard?period=week").get_json()
    # alone on the board, an anonymous row would still be Sam's: the row is left out
    assert board["people"] == [] and board["withheld"] == 1 and board["ranked_count"] == 1
