"""POST /api/v1/conversions: signed server-to-server reports, counted once."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.leaderboard.reach.conversions import SIGNATURE_HEADER, sign
from advocacy.leaderboard.reach.models import Conversion, ReachDaily, ReachSettings, TeamReachDaily
from advocacy.leaderboard.reach.signals import conversion_recorded
from tests.leaderboard.conftest import post_signed

SECRET = "s3cret-for-tests"


@pytest.fixture
def app(make_app):
    app = make_app(CONVERSIONS_SECRET=SECRET)
    with app.app_context():
        yield app


@pytest.fixture
def post(client):
    def send(payload, secret=SECRET, timestamp=None, header=None):
        return post_signed(client, "/api/v1/conversions", payload, secret, timestamp, header)

    return send


def test_a_signed_conversion_is_recorded_once(app, post, link, teams, validated_responses):
    payload = {"ref": link.code, "type": "signup", "external_id": "crm-42"}
    received = []
    with conversion_recorded.connected_to(lambda sender, conversion: received.append(conversion)):
        first = post(payload)
        again = post(payload)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.json["duplicate"] is False and first.json["ref"] == link.code
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert again.json["id"] == first.json["id"]
    assert [c.external_id for c in received] == ["crm-42"]
    assert db.session.scalar(select(ReachDaily.conversions)) == 1
    assert sorted(db.session.scalars(select(TeamReachDaily.conversions))) == [1, 1]
    conversion = db.session.scalar(select(Conversion))
    assert (conversion.user_id, conversion.network, conversion.campaign) == (
        link.user_id,
        "linkedin",
        "spring",
    )
    assert sorted(conversion.team_ids) == sorted(t.id for t in teams)


@pytest.mark.parametrize(
    "case",
    ["no header", "wrong secret", "tampered body", "old timestamp", "garbage header"],
)
def test_bad_signatures_are_401_and_record_nothing(app, client, link, case):
    body = json.dumps({"ref": link.code, "type": "lead", "external_id": "x1"}).encode()
    now = int(time.time())
    header = {
        "no header": None,
        "wrong secret": sign("not-the-secret", body, now),
        "tampered body": sign(SECRET, body.replace(b"x1", b"x2"), now),
        "old timestamp": sign(SECRET, body, now - 3600),
        "garbage header": "v1=deadbeef",
    }[case]
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[SIGNATURE_HEADER] = header
    response = client.post("/api/v1/conversions", data=body, headers=headers)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert db.session.scalar(select(Conversion)) is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ref": "nope", "type": "lead", "external_id": "1"}, "ref"),
        ({"ref": "LINK", "type": "Not a Type!", "external_id": "1"}, "type"),
        ({"ref": "LINK", "type": "lead", "external_id": ""}, "external_id"),
        ({"ref": "LINK", "type": "lead"}, "external_id"),
        (
            {"ref": "LINK", "type": "lead", "external_id": "1", "occurred_at": "yesterday"},
            "occurred_at",
        ),
    ],
)
def test_bad_fields_are_422_with_the_field(app, post, link, payload, field):
    if isinstance(payload, dict) and payload.get("ref") == "LINK":
        payload["ref"] = link.code
    response = post(payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.json["errors"]
    assert db.session.scalar(select(Conversion)) is None


@pytest.mark.parametrize(("body", "status"), [(b"[1, 2]", 422), (b"{not json", 400)])
def test_a_body_that_is_not_a_json_object_is_refused_with_a_reason(app, post, body, status):
    """The API's input guard answers these before the view, as for every JSON endpoint."""
    response = post(body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json" and "JSON" in response.json["detail"]
    assert db.session.scalar(select(Conversion)) is None


def test_without_any_secret_conversions_are_refused(make_app):
    app = make_app()
    with app.app_context():
        response = app.test_client().post("/api/v1/conversions", json={"ref": "x"})
        assert response.status_code == 401
        assert "no signing secret" in response.json["detail"]
        # found by the permission walk: reading the secret created the settings row
        assert db.session.scalar(select(ReachSettings)) is None
