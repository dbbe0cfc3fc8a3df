"""Points tables: rule versions, the append-only ledger, its rollups, and leaderboard privacy."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow

SOURCE_KEY_MAX = 120
REASON_MAX = 500


class Action(enum.StrEnum):
    """What earns points. Adjustments are an admin's corrections."""

    SHARE_INTENT = "share_intent"
    VERIFIED_SHARE = "verified_share"
    HUMAN_CLICK = "human_click"
    CONVERSION = "conversion"
    HIRE = "hire"
    ADJUSTMENT = "adjustment"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SHARE_INTENT: "Shared",
    Action.VERIFIED_SHARE: "Share verified by a first click",
    Action.HUMAN_CLICK: "Click on your link",
    Action.CONVERSION: "Conversion",
    Action.HIRE: "A candidate you referred was hired",
    Action.ADJUSTMENT: "Correction",
}


class Withheld(enum.StrEnum):
    """Why an entry earned fewer points than its rule's value."""

    NONE = ""
    DAILY_CAP = "daily_cap"
    FACEBOOK = "facebook"


class PointRules(db.Model):
    """One version of the point values; the version in force at an action's time scores it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    share_intent: Mapped[int] = mapped_column(Integer)
    verified_share: Mapped[int] = mapped_column(Integer)
    human_click: Mapped[int] = mapped_column(Integer)
    conversion: Mapped[int] = mapped_column(Integer)
    # Added with referrals: older versions get the default through the migration.
    hire: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    daily_cap: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()


class PointEntry(db.Model):
    """One ledger line. Never updated or deleted: corrections are new lines. `source_key` makes
    every award happen once ("click:<event id>", "share:<user>:<content>:<network>"...)."""

    __table_args__ = (Index("ix_point_entry_user_id_occurred_at", "user_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(SOURCE_KEY_MAX), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(Integer)
    rule_points: Mapped[int] = mapped_column(Integer)
    rules_id: Mapped[int | None] = mapped_column(ForeignKey("point_rules.id", ondelete="SET NULL"))
    withheld: Mapped[str] = mapped_column(String(16), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date)
    network: Mapped[str] = mapped_column(String(16), default="")
    content_id: Mapped[int | None] = mapped_column(
        ForeignKey("content.id", ondelete="SET NULL"), index=True
    )
    campaign: Mapped[str] = mapped_column(String(120), default="")
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def action_label(self) -> str:
        return Action(self.action).label


class PointDailyTotal(db.Model):
    """Capped points a user earned on an org-local day: the daily cap's counter (a row lock on
    it serialises concurrent awards to one user on PostgreSQL)."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    local_day: Mapped[date] = mapped_column(Date, primary_key=True)
    earned: Mapped[int] = mapped_column(Integer, default=0)


class PointUserDay(db.Model):
    """Daily rollup: a user's points per org-local day and network ("" for corrections)."""

    __table_args__ = (Index("ix_point_user_day_user_id_local_day", "user_id", "local_day"),)

    local_day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    network: Mapped[str] = mapped_column(String(16), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointTeamDay(db.Model):
    """Daily rollup of the points credited to a team through one member (credit frozen at the
    time of the action: later team changes do not move history)."""

    __table_args__ = (Index("ix_point_team_day_team_id_local_day", "team_id", "local_day"),)

    local_day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    network: Mapped[str] = mapped_column(String(16), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointUserPeriod(db.Model):
    """A user's total per standard period ("all", "2024-W05", "2024-03", "2024-Q1"), per day
    ("2024-03-14") and before a snapshot boundary ("<2024-03-14"), kept on write: a standard
    board is one index range read in points order, a custom range the difference of two
    snapshots or the sum of a few keys (periods.range_keys)."""

    __table_args__ = (
        Index("ix_point_user_period_period_key_points_user_id", "period_key", "points", "user_id"),
    )

    period_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointUserNetworkPeriod(db.Model):
    """A user's total per period key and network: the boards filtered by network."""

    __table_args__ = (
        Index(
            "ix_point_user_network_period_key_network_points",
            "period_key",
            "network",
            "points",
            "user_id",
        ),
    )

    period_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    network: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointMemberPeriod(db.Model):
    """Points a user earned for a team per period key (credit frozen at the time of the
    action): the boards filtered by team."""

    __table_args__ = (
        Index(
            "ix_point_member_period_key_team_id_points",
            "period_key",
            "team_id",
            "points",
            "user_id",
        ),
    )

    period_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointTeamPeriod(db.Model):
    """A team's total per period key (standard periods and days)."""

    period_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointTeamNetworkPeriod(db.Model):
    """A team's total per period key and network: team boards filtered by network."""

    period_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    network: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointSnapshot(db.Model):
    """A boundary day whose running totals exist: every period-total table holds, under the key
    "<day" (periods.snapshot_key), each total of the days before it. The row is written in the
    same transaction as the totals, so a listed boundary is complete (snapshots.py)."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set when no longer wanted: reads stop using it, its rows are deleted a little later
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClosedPeriod(db.Model):
    """A week, month or quarter whose end was announced (closing.py): the row is the idempotency
    key, written in the transaction that sends the announcement, so it goes out once."""

    period_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Visibility(enum.StrEnum):
    """An employee's choice about the leaderboard; DEFAULT follows the organisation's setting."""

    DEFAULT = "default"
    SHOWN = "shown"
    HIDDEN = "hidden"


class LeaderboardPreference(db.Model):
    """Whether an employee appears by name on leaderboards."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    visibility: Mapped[str] = mapped_column(String(8), default=Visibility.DEFAULT.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LeaderboardSettings(db.Model):
    """Organisation-wide leaderboard settings (one row)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonymous_by_default: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
