"""The click ingest: buffered hits -> stored events, daily rollups, verified shares, signals.

Each batch is one transaction: events are inserted with ON CONFLICT (event_id) DO NOTHING, and
only the rows that were really new are counted and signalled, so a retried batch (its job died
after the commit, before the ack) counts nothing twice. The buffer acks a batch only after its
commit, so a batch that fails stays buffered and is retried: nothing is lost.

The 24 h rule: a visitor's human hit counts as a click unless the same visitor (under today's or
yesterday's salt) had a counted click on the same link less than 24 hours before; otherwise it
is a repeat. The window starts at the counted click, so a visitor counts at most once a day.
Unique visitors: a counted click whose visitor has no earlier counted click in the same rollup
row (employee/content/network/day, or team/network/day); ranges add up the daily figures.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from advocacy.accounts.models import TeamMembership
from advocacy.accounts.organisation import get_organisation
from advocacy.extensions import db
from advocacy.feeds.models import Content, Share, TrackedLink
from advocacy.feeds.sharing import mark_share_verified
from advocacy.leaderboard.bulk import any_of, upsert_rows
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.models import ClickEvent, HitKind, ReachDaily, TeamReachDaily
from advocacy.leaderboard.reach.signals import human_clicks_recorded, shares_verified
from advocacy.leaderboard.reach.tracking import forget_old_salts

log = logging.getLogger("advocacy.leaderboard.reach.ingest")

BATCH_SIZE = 2000
DEDUPE_WINDOW = timedelta(hours=24)
COUNTERS = ("raw_hits", "bot_hits", "human_clicks", "unique_visitors", "conversions")


@dataclass(frozen=True, slots=True)
class Click:
    """A newly stored human click, as sent in `human_clicks_recorded(clicks=[...])`."""

    event_id: str
    link_id: int
    user_id: int
    content_id: int
    network: str
    campaign: str
    team_ids: tuple[int, ...]
    occurred_at: datetime
    local_day: date


@dataclass(frozen=True, slots=True)
class LinkFacts:
    user_id: int
    content_id: int
    network: str
    campaign: str


def local_day_of(moment: datetime, zone: ZoneInfo) -> date:
    """The organisation's calendar day at `moment`."""
    return moment.astimezone(zone).date()


def ingest_batch(hits: list[Hit]) -> int:
    """Store one batch of hits and everything that follows from them; returns how many were
    new. Commits."""
    if not hits:
        return 0
    hits = sorted(hits, key=lambda hit: hit.at)
    links = _link_facts({hit.link_id for hit in hits})
    hits = [hit for hit in hits if hit.link_id in links]  # a link deleted since: nothing to credit
    if not hits:
        return 0
    zone = ZoneInfo(get_organisation().default_timezone)
    teams = team_ids_of({facts.user_id for facts in links.values()})
    kinds, uniques = _classify(hits, links, teams, zone)
    rows = []
    for hit in hits:
        facts = links[hit.link_id]
        moment = datetime.fromtimestamp(hit.at, UTC)
        rows.append(
            {
                "event_id": hit.event_id,
                "tracked_link_id": hit.link_id,
                "user_id": facts.user_id,
                "content_id": facts.content_id,
                "network": facts.network,
                "campaign": facts.campaign,
                "team_ids": list(teams.get(facts.user_id, ())),
                "kind": kinds[hit.event_id],
                "visitor_key": hit.visitor_key,
                "referrer_domain": hit.referrer_domain,
                "country": hit.country,
                "occurred_at": moment,
                "local_day": local_day_of(moment, zone),
                "recorded_at": datetime.now(UTC),
            }
        )
    new_ids = _insert_new(rows)
    new_rows = [row for row in rows if row["event_id"] in new_ids]
    _roll_up(new_rows, uniques)
    clicks = [_click(row) for row in new_rows if row["kind"] == HitKind.HUMAN]
    _verify_shares(clicks)
    if clicks:
        human_clicks_recorded.send(current_app._get_current_object(), clicks=clicks)
    db.session.commit()
    return len(new_rows)


def _link_facts(link_ids: set[int]) -> dict[int, LinkFacts]:
    rows = db.session.execute(
        select(
            TrackedLink.id,
            TrackedLink.user_id,
            TrackedLink.content_id,
            TrackedLink.network,
            Content.campaign,
        )
        .join(Content, Content.id == TrackedLink.content_id)
        .where(any_of(TrackedLink.id, link_ids))
    )
    return {row[0]: LinkFacts(*row[1:]) for row in rows}


def team_ids_of(user_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Each user's teams now: clicks are credited to every one of them, frozen at ingest."""
    teams: dict[int, list[int]] = defaultdict(list)
    rows = db.session.execute(
        select(TeamMembership.user_id, TeamMembership.team_id)
        .where(any_of(TeamMembership.user_id, user_ids))
        .order_by(TeamMembership.team_id)
    )
    for user_id, team_id in rows:
        teams[user_id].append(team_id)
    return {user_id: tuple(ids) for user_id, ids in teams.items()}


def _classify(hits, links, teams, zone) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Each hit's kind (a human candidate may be a repeat) and which (event id, row kind) pairs
    are unique visitors ("person" for the employee rollup, "team:<id>" for a team's)."""
    keys = {hit.visitor_key for hit in hits} | {hit.previous_visitor_key for hit in hits}
    since = datetime.fromtimestamp(hits[0].at, UTC) - 2 * DEDUPE_WINDOW
    last_counted: dict[tuple[int, str], datetime] = {}
    seen: set[tuple] = set()
    earlier = db.session.execute(
        select(
            ClickEvent.tracked_link_id,
            ClickEvent.visitor_key,
            ClickEvent.occurred_at,
            ClickEvent.local_day,
            ClickEvent.user_id,
            ClickEvent.content_id,
            ClickEvent.network,
            ClickEvent.campaign,
            ClickEvent.team_ids,
        ).where(
            any_of(ClickEvent.visitor_key, keys),
            ClickEvent.kind == HitKind.HUMAN.value,
            ClickEvent.occurred_at >= since,
        )
    )
    for link_id, key, at, day, user_id, content_id, network, campaign, team_ids in earlier:
        last_counted[(link_id, key)] = max(at, last_counted.get((link_id, key), at))
        seen.add((key, day, "person", user_id, content_id, network, campaign))
        seen.update((key, day, "team", team_id, network) for team_id in team_ids or ())
    kinds: dict[str, str] = {}
    uniques: set[tuple[str, str]] = set()
    for hit in hits:
        if hit.kind != HitKind.HUMAN:
            kinds[hit.event_id] = hit.kind
            continue
        moment = datetime.fromtimestamp(hit.at, UTC)
        previous = [
            last_counted.get((hit.link_id, key))
            for key in (hit.visitor_key, hit.previous_visitor_key)
        ]
        if any(at is not None and moment - at < DEDUPE_WINDOW for at in previous):
            kinds[hit.event_id] = HitKind.REPEAT.value
            continue
        kinds[hit.event_id] = HitKind.HUMAN.value
        last_counted[(hit.link_id, hit.visitor_key)] = moment
        facts, day = links[hit.link_id], local_day_of(moment, zone)
        rollup_keys = [("person", facts.user_id, facts.content_id, facts.network, facts.campaign)]
        rollup_keys += [("team", team, facts.network) for team in teams.get(facts.user_id, ())]
        for rollup in rollup_keys:
            visitor_seen = any(
                (key, day, *rollup) in seen for key in (hit.visitor_key, hit.previous_visitor_key)
            )
            if not visitor_seen:
                uniques.add((hit.event_id, f"{rollup[0]}:{rollup[1]}"))
            seen.add((hit.visitor_key, day, *rollup))
    return kinds, uniques


def _insert_new(rows: list[dict]) -> set[str]:
    """Insert the events not stored before; their ids. ON CONFLICT (event_id) DO NOTHING skips
    an event a retried batch already stored, and RETURNING names the rows really inserted."""
    inserted = upsert_rows(ClickEvent, rows, ["event_id"], returning=["event_id"])
    return {event_id for (event_id,) in inserted}


def _roll_up(rows: list[dict], uniques: set[tuple[str, str]]) -> None:
    people: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    teams: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for row in rows:
        person_key = (
            row["local_day"],
            row["user_id"],
            row["content_id"],
            row["network"],
            row["campaign"],
        )
        targets = [(people[person_key], f"person:{row['user_id']}")]
        targets += [
            (teams[(row["local_day"], team, row["network"])], f"team:{team}")
            for team in row["team_ids"]
        ]
        for counters, unique_key in targets:
            counters["raw_hits"] += 1
            if row["kind"] == HitKind.BOT:
                counters["bot_hits"] += 1
            elif row["kind"] == HitKind.HUMAN:
                counters["human_clicks"] += 1
                if (row["event_id"], unique_key) in uniques:
                    counters["unique_visitors"] += 1
    upsert_rows(
        ReachDaily,
        [
            dict(zip(("local_day", "user_id", "content_id", "network", "campaign"), k, strict=True))
            | c
            for k, c in people.items()
        ],
        ("local_day", "user_id", "content_id", "network", "campaign"),
        add=COUNTERS,
    )
    upsert_rows(
        TeamReachDaily,
        [
            dict(zip(("local_day", "team_id", "network"), k, strict=True)) | c
            for k, c in teams.items()
        ],
        ("local_day", "team_id", "network"),
        add=COUNTERS,
    )


def _click(row: dict) -> Click:
    return Click(
        event_id=row["event_id"],
        link_id=row["tracked_link_id"],
        user_id=row["user_id"],
        content_id=row["content_id"],
        network=row["network"],
        campaign=row["campaign"],
        team_ids=tuple(row["team_ids"]),
        occurred_at=row["occurred_at"],
        local_day=row["local_day"],
    )


def _verify_shares(clicks: list[Click]) -> None:
    """The first human click on a link verifies its sharer's share intents."""
    first_click: dict[int, datetime] = {}
    for click in clicks:
        first_click.setdefault(click.link_id, click.occurred_at)
    if not first_click:
        return
    unverified = db.session.execute(
        select(Share.id, Share.tracked_link_id).where(
            any_of(Share.tracked_link_id, first_click), Share.verified_at.is_(None)
        )
    ).all()
    for link_id in {link_id for _share, link_id in unverified}:
        mark_share_verified(link_id, first_click[link_id], commit=False)
    if unverified:
        shares_verified.send(
            current_app._get_current_object(), share_ids=[share for share, _link in unverified]
        )


# --- draining the buffer ----------------------------------------------------------------------


def drain(source, time_budget: float = 50.0, batch_size: int = BATCH_SIZE) -> int:
    """Ingest claimed batches from one buffer until it is empty or the budget is spent."""
    stored, deadline = 0, time.monotonic() + time_budget
    while time.monotonic() < deadline:
        hits = source.claim(batch_size)
        if not hits:
            break
        try:
            stored += ingest_batch(hits)
        except Exception:
            db.session.rollback()
            raise  # the batch stays claimed, unacked: the next run takes it again
        source.ack()
    return stored


def forget_stale_salts() -> None:
    """Delete visitor-key salts past their two days (commits)."""
    forget_old_salts(datetime.now(UTC).date())
    db.session.commit()


INGEST_LOCK_KEY = "advocacy:clicks:ingest-lock"
INGEST_LOCK_SECONDS = 120


def ingest_clicks() -> int:
    """Job (every few seconds): write buffered clicks to the database. With Redis, one run at a
    time holds a lock, so batches are claimed by one process in order."""
    buffer = current_app.extensions["click_buffer"]
    redis = buffer.redis.redis if buffer.redis is not None else None
    if redis is not None and not redis.set(INGEST_LOCK_KEY, "1", nx=True, ex=INGEST_LOCK_SECONDS):
        return 0
    try:
        stored = sum(drain(source) for source in buffer.sources())
        forget_stale_salts()
        return stored
    finally:
        if redis is not None:
            redis.delete(INGEST_LOCK_KEY)


def flush_local_buffer(app) -> None:
    """The in-process buffer's flush: ingest what this process holds."""
    with app.app_context():
        drain(app.extensions["click_buffer"].local)
