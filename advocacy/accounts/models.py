"""Accounts tables: the organisation, users, teams and their leaders, API tokens, invitations."""

from __future__ import annotations

import enum
from datetime import datetime, time

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.extensions import db
from advocacy.media.models import StoredImage
from advocacy.models_base import UTCDateTime, utcnow

EMAIL_MAX = 254
NAME_MAX = 120
SHORT_TEXT_MAX = 120


class Role(enum.StrEnum):
    """Organisation-wide roles. Team leadership is per team, on the membership."""

    ADMIN = "admin"
    CURATOR = "curator"
    MEMBER = "member"


class Theme(enum.StrEnum):
    """Appearance: follow the device's light or dark setting, or force one."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class Organisation(db.Model):
    """The one organisation of this install."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    default_timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, db.Model):
    """An employee. Deactivated users keep their rows so their history stays attributed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    job_title: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX), default="")
    department: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX), default="")
    location: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    working_hours_start: Mapped[time] = mapped_column(Time, default=lambda: time(9, 0))
    working_hours_end: Mapped[time] = mapped_column(Time, default=lambda: time(17, 0))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The uploaded profile picture (a square, stored by advocacy.media); initials otherwise.
    avatar_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_image.id", ondelete="SET NULL"), index=True
    )
    theme: Mapped[str] = mapped_column(String(8), default=Theme.SYSTEM.value)
    # When the first-run checklist was completed (then the feed stops checking it).
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    avatar: Mapped[StoredImage | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_curator(self) -> bool:
        return self.role in (Role.ADMIN, Role.CURATOR)

    @property
    def led_team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships if m.is_leader}

    @property
    def team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Team(db.Model):
    """A team; users may belong to several, and some members lead it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class TeamMembership(db.Model):
    """A user in a team, possibly as one of its leaders."""

    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the prefix tells tokens apart."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """An e-mailed invitation; the link carries a token whose SHA-256 is stored here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class UserSession(db.Model):
    """One signed-in browser. Its cookie carries a random key; only the key's hash is stored, and
    every request checks the row: ending it signs that browser out, wherever the cookie was
    copied to (sessions.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(32), default="")

    user: Mapped[User] = relationship()
