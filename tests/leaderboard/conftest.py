"""Leaderboard fixtures: clicks shaped like the signal contract (sent the way the click ingest
sends them) for points and standings tests; for reach tests, a sharer in two teams with a tracked
link, clicks through the real redirect, and the real ingest."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from advocacy.accounts.organisation import get_organisation, local_day
from advocacy.extensions import db
from advocacy.feeds.sharing import get_or_create_link
from advocacy.leaderboard.reach.conversions import SIGNATURE_HEADER, sign
from advocacy.leaderboard.reach.ingest import ingest_clicks
from advocacy.leaderboard.reach.signals import conversion_recorded, human_clicks_recorded
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory

_ids = itertools.count(1)


@dataclass(frozen=True)
class Click:
    """What leaderboard/signals.py promises a click carries."""

    user_id: int
    occurred_at: datetime
    network: str = "linkedin"
    content_id: int | None = None
    campaign: str = "spring"
    team_ids: tuple[int, ...] = ()
    event_id: str = field(default_factory=lambda: f"evt-{next(_ids)}")
    local_day: date | None = None

    def __post_init__(self):
        if self.local_day is None:
            object.__setattr__(self, "local_day", local_day(self.occurred_at))


@dataclass(frozen=True)
class Conversion:
    id: int
    user_id: int
    occurred_at: datetime
    network: str = "linkedin"
    content_id: int | None = None
    campaign: str = ""
    team_ids: tuple[int, ...] = ()
    local_day: date | None = None


def send_clicks(*clicks: Click) -> None:
    """Send one ingest batch and commit it, like the click ingest does."""
    human_clicks_recorded.send(None, clicks=list(clicks))
    db.session.commit()


def send_conversion(conversion: Conversion) -> None:
    conversion_recorded.send(None, conversion=conversion)
    db.session.commit()


def post_signed(client, path: str, payload, secret: str, timestamp=None, header=None):
    """POST a JSON body (or raw bytes) signed as the applicant-tracking system or CRM would,
    or with `header` as the signature when a test forges one."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signature = header if header is not None else sign(secret, body, timestamp or int(time.time()))
    return client.post(
        path, data=body, headers={SIGNATURE_HEADER: signature, "Content-Type": "application/json"}
    )


def set_org_timezone(name: str) -> None:
    get_organisation().default_timezone = name
    db.session.commit()


@pytest.fixture
def org_timezone(app):
    """Set the organisation's time zone."""
    return set_org_timezone


BROWSER_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.104 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
]
BROWSER = BROWSER_UAS[0]


@pytest.fixture
def teams(app):
    return TeamFactory(name="Sales"), TeamFactory(name="Marketing")


@pytest.fixture
def sharer(app, teams):
    person = UserFactory(display_name="Sam Sharer", email="sam@example.com")
    for team in teams:
        MembershipFactory(team=team, user=person)
    return person


@pytest.fixture
def content(app):
    return ContentFactory(destination_url="https://acme.example/jobs?x=1#top", campaign="spring")


@pytest.fixture
def link(sharer, content):
    return get_or_create_link(sharer, content, "linkedin")


@pytest.fixture
def visit(client):
    """Follow a tracked link like a browser at `ip` would; returns the response."""

    def follow(code: str, ip: str = "203.0.113.7", ua: str = BROWSER, method: str = "GET", **kw):
        return client.open(
            f"/r/{code}",
            method=method,
            headers={"User-Agent": ua, **kw.pop("headers", {})},
            environ_base={"REMOTE_ADDR": ip},
            **kw,
        )

    return follow


@pytest.fixture
def ingest(app):
    """Run the ingest job now and reload rows."""

    def run() -> int:
        stored = ingest_clicks()
        db.session.expire_all()
        return stored

    return run
