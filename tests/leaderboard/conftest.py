"""Helpers for points and standings tests: clicks shaped like the signal contract, sent the way
the click ingest sends them (inside the writing transaction, then committed)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from advocacy.accounts.service import get_organisation
from advocacy.extensions import db
from advocacy.leaderboard.periods import local_day
from advocacy.leaderboard.signals import conversion_recorded, human_clicks_recorded

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


def set_org_timezone(name: str) -> None:
    get_organisation().default_timezone = name
    db.session.commit()


@pytest.fixture
def org_timezone(app):
    """Set the organisation's time zone."""
    return set_org_timezone
