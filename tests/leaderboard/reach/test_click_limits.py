"""Rate limits on the click path: the redirect per visitor address, conversions per caller.
Both are generous by default (600 a minute); here they are set low to see them bite."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.leaderboard.reach.conversions import SIGNATURE_HEADER, sign
from advocacy.leaderboard.reach.ingest import ingest_clicks
from advocacy.leaderboard.reach.models import ClickEvent, Conversion
from tests.leaderboard.conftest import BROWSER


@pytest.fixture
def app(make_app):
    app = make_app(
        RATELIMIT_REDIRECT="3 per minute",
        RATELIMIT_CONVERSIONS="2 per minute",
        CONVERSIONS_SECRET="k",
    )
    with app.app_context():
        yield app


def test_the_redirect_is_limited_per_address_and_refused_hits_are_not_recorded(app, link):
    client = app.test_client()

    def follow(ip: str):
        return client.get(
            f"/r/{link.code}", headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": ip}
        )

    allowed = [follow("198.51.100.7").status_code for _ in range(3)]
    refused = follow("198.51.100.7")
    neighbour = follow("198.51.100.8")

    assert allowed == [302, 302, 302] and neighbour.status_code == 302
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Cache-Control"] == "no-store" and "Location" not in refused.headers
    assert "Too many links followed from your address" in refused.get_data(as_text=True)
    ingest_clicks()
    assert db.session.scalar(select(func.count()).select_from(ClickEvent)) == 4


def test_conversions_are_limited_per_caller_in_problem_json(app, link, validated_responses):
    client = app.test_client()

    def report(n: int):
        body = json.dumps({"ref": link.code, "type": "signup", "external_id": f"crm-{n}"})
        return client.post(
            "/api/v1/conversions",
            data=body,
            headers={
                SIGNATURE_HEADER: sign("k", body.encode(), int(time.time())),
                "Content-Type": "application/json",
            },
        )

    statuses = [report(n).status_code for n in range(2)]
    refused = report(2)

    assert statuses == [201, 201]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Conversion)) == 2  # none lost
