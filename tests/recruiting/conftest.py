"""Recruiting fixtures: an app with a conversions secret, a job opening, a referrer, and a
client that signs reports the way an applicant-tracking system would."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory
from tests.leaderboard.conftest import ingest, post_signed, visit  # noqa: F401 - fixtures

SECRET = "ats-secret-for-tests"


@pytest.fixture
def app(make_app):
    app = make_app(CONVERSIONS_SECRET=SECRET)
    with app.app_context():
        yield app


@pytest.fixture
def teams(app):
    return TeamFactory(name="Engineering"), TeamFactory(name="Sales")


@pytest.fixture
def referrer(app, teams):
    person = UserFactory(display_name="Rita Referrer", email="rita@example.com")
    MembershipFactory(team=teams[0], user=person)
    return person


@pytest.fixture
def opening(app):
    return ContentFactory(
        title="Backend engineer", kind="job_opening", destination_url="https://acme.example/jobs/7"
    )


@pytest.fixture
def signed(client):
    """POST a signed JSON body to an API path; returns the response."""

    def send(path: str, payload: dict):
        return post_signed(client, path, payload, SECRET)

    return send
