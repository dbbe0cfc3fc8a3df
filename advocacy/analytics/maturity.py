"""The social maturity stage, computed from what Advocacy measured over the last WINDOW_DAYS,
not from a questionnaire (the stages follow the Social Maturity Model of the product's founding
documents; being at an early stage is not a failure, and many organisations stay there).

Stages, each requiring the previous one:
- Social Advocate: a few people share (at least one employee shared).
- Social Team: several teams are active (a team is active when ACTIVE_TEAM_SHARERS of its
  members shared), at least TEAM_STAGE_TEAMS of them.
- Social Business: most teams are active (at least half) and people talk internally in two
  directions: at least TWO_WAY_REPLIES replies by someone other than the thread's author.
- Social Enterprise: internal engagement on par with outward sharing (internal posts at least
  ENGAGEMENT_PARITY times the shares) and participants across at least TIME_ZONES time zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.discussions.models import Post, Thread
from advocacy.extensions import db
from advocacy.feeds.models import Share
from advocacy.models_base import utcnow

WINDOW_DAYS = 90
ACTIVE_TEAM_SHARERS = 2
TEAM_STAGE_TEAMS = 2
BUSINESS_TEAM_SHARE = 0.5
TWO_WAY_REPLIES = 10
ENGAGEMENT_PARITY = 0.8
TIME_ZONES = 2

STAGES = ("Social Advocate", "Social Team", "Social Business", "Social Enterprise")


@dataclass(frozen=True)
class Criterion:
    """One threshold of a stage, with the organisation's measured figure."""

    stage: str
    label: str
    measured: float
    needed: float
    unit: str = ""

    @property
    def met(self) -> bool:
        return self.measured >= self.needed


@dataclass(frozen=True)
class Assessment:
    stage: str | None  # None: nobody has shared yet
    criteria: list[Criterion]
    next_stage: str | None
    to_move_up: list[Criterion]  # the unmet criteria of the next stage
    window_days: int = WINDOW_DAYS


def assess() -> Assessment:
    """The organisation's stage, every threshold with its figure, and what would move it up."""
    since = utcnow() - timedelta(days=WINDOW_DAYS)
    sharers = set(db.session.scalars(select(Share.user_id).where(Share.created_at >= since)))
    shares = db.session.scalar(select(func.count(Share.id)).where(Share.created_at >= since)) or 0
    teams = db.session.scalar(select(func.count(Team.id))) or 0
    per_team = db.session.execute(
        select(TeamMembership.team_id, func.count(TeamMembership.user_id))
        .where(TeamMembership.user_id.in_(sharers or {-1}))
        .group_by(TeamMembership.team_id)
    )
    active_teams = sum(1 for _, count in per_team if count >= ACTIVE_TEAM_SHARERS)
    posts = select(Post).where(Post.created_at >= since, Post.deleted_at.is_(None))
    internal = db.session.scalar(select(func.count()).select_from(posts.subquery())) or 0
    replies = (
        db.session.scalar(
            select(func.count(Post.id))
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.created_at >= since, Post.deleted_at.is_(None))
            .where(Post.author_id.is_not(None), Post.author_id != Thread.author_id)
        )
        or 0
    )
    posters = set(
        db.session.scalars(
            select(Post.author_id).where(Post.created_at >= since, Post.author_id.is_not(None))
        )
    )
    zones = (
        db.session.scalar(
            select(func.count(func.distinct(User.timezone))).where(
                User.id.in_((sharers | posters) or {-1})
            )
        )
        or 0
    )
    team_share = round(active_teams / teams, 2) if teams else 0.0
    parity = round(internal / shares, 2) if shares else 0.0
    criteria = [
        Criterion(STAGES[0], "Employees who shared", len(sharers), 1, "people"),
        Criterion(
            STAGES[1],
            f"Teams with {ACTIVE_TEAM_SHARERS}+ sharers",
            active_teams,
            TEAM_STAGE_TEAMS,
            "teams",
        ),
        Criterion(STAGES[2], "Share of teams active", team_share, BUSINESS_TEAM_SHARE),
        Criterion(
            STAGES[2], "Replies to someone else's thread", replies, TWO_WAY_REPLIES, "replies"
        ),
        Criterion(STAGES[3], "Internal posts per share", parity, ENGAGEMENT_PARITY),
        Criterion(STAGES[3], "Time zones of active people", zones, TIME_ZONES, "time zones"),
    ]
    reached = None
    for name in STAGES:
        if all(c.met for c in criteria if c.stage == name):
            reached = name
        else:
            break
    position = STAGES.index(reached) + 1 if reached else 0
    next_stage = STAGES[position] if position < len(STAGES) else None
    missing = [c for c in criteria if c.stage == next_stage and not c.met]
    return Assessment(reached, criteria, next_stage, missing)
