"""Accounts use-cases: the organisation, users, profiles, teams, sign-in and deactivation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from advocacy.accounts import sessions
from advocacy.accounts.models import NAME_MAX, SHORT_TEXT_MAX, Role, TeamMembership, User
from advocacy.accounts.organisation import get_organisation
from advocacy.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from advocacy.accounts.teams import ensure_team
from advocacy.accounts.validation import (
    check_languages,
    check_text,
    check_timezone,
    normalise_email,
)
from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow


@dataclass
class Profile:
    """The editable parts of a user, validated together so every problem is reported at once."""

    display_name: str
    job_title: str = ""
    department: str = ""
    location: str = ""
    timezone: str | None = None
    working_hours_start: time | None = None
    working_hours_end: time | None = None
    languages: tuple[str, ...] = ()

    def validated(self) -> dict:
        """The cleaned values, or ValidationFailed listing every problem."""
        errors: dict[str, list[str]] = {}
        values = {
            "display_name": check_text(errors, "display_name", self.display_name, NAME_MAX, True),
            "job_title": check_text(errors, "job_title", self.job_title, SHORT_TEXT_MAX),
            "department": check_text(errors, "department", self.department, SHORT_TEXT_MAX),
            "location": check_text(errors, "location", self.location, SHORT_TEXT_MAX),
            "languages": check_languages(errors, self.languages),
            "timezone": get_organisation().default_timezone,
        }
        if self.timezone:
            try:
                values["timezone"] = check_timezone(self.timezone)
            except ValidationFailed as error:
                errors.update(error.errors)
        if self.working_hours_start and self.working_hours_end:
            if self.working_hours_start == self.working_hours_end:
                errors.setdefault("working_hours_end", []).append(
                    "The day cannot end when it starts."
                )
            values["working_hours_start"] = self.working_hours_start
            values["working_hours_end"] = self.working_hours_end
        if errors:
            raise ValidationFailed("Some profile fields are not valid.", errors)
        return values


# --- the organisation -----------------------------------------------------------------------


# --- users ----------------------------------------------------------------------------------


def get_user(user_id: int) -> User:
    """A user by id, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail (any capitalisation), if any."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def check_role(role: str) -> str:
    """A known role name, or ValidationFailed."""
    if role not in {r.value for r in Role}:
        raise ValidationFailed.field(
            "role", f"Unknown role {role[:20]!r}: use admin, curator or member."
        )
    return role


def add_user(
    email: str,
    profile: Profile,
    password: str | None = None,
    role: str = Role.MEMBER.value,
    team_names: Iterable[str] = (),
) -> User:
    """Validate and add a user (flushed, not committed); teams are created when missing."""
    errors: dict[str, list[str]] = {}
    try:
        email = normalise_email(email)
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        values = profile.validated()
    except ValidationFailed as error:
        errors.update(error.errors)
        values = {}
    try:
        role = check_role(role)
    except ValidationFailed as error:
        errors.update(error.errors)
    if password is not None and (problems := password_problems(password)):
        errors["password"] = problems
    team_names = [n.strip() for n in team_names if n.strip()]
    for team_name in team_names:
        if len(team_name) > NAME_MAX:
            errors.setdefault("teams", []).append(f"Team names have at most {NAME_MAX} characters.")
    if errors:
        raise ValidationFailed("The user could not be created.", errors)
    if find_user_by_email(email) is not None:
        raise Conflict(
            f"A user with the e-mail {email} already exists.", {"email": ["Already in use."]}
        )
    user = User(
        email=email,
        role=role,
        password_hash=hash_password(password) if password else None,
        **values,
    )
    db.session.add(user)
    for team_name in team_names:
        db.session.add(TeamMembership(team=ensure_team(team_name), user=user))
    db.session.flush()
    return user


def create_user(
    email: str,
    profile: Profile,
    password: str | None = None,
    role: str = "member",
    team_names: Iterable[str] = (),
) -> User:
    """Add a user and commit."""
    user = add_user(email, profile, password, role, team_names)
    db.session.commit()
    return user


def update_profile(user: User, profile: Profile) -> User:
    """Save a user's own profile fields."""
    for name, value in profile.validated().items():
        setattr(user, name, value)
    db.session.commit()
    return user


def change_password(
    user: User, current_password: str, new_password: str, keep_session: str | None = None
) -> None:
    """Change a password after checking the current one; every session but `keep_session` (the
    browser that changed it) ends."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed.field("current_password", "This is not your current password.")
    set_password(user, new_password, keep_session)


def set_password(user: User, new_password: str, keep_session: str | None = None) -> None:
    """Store a new password hash and end the person's sessions but `keep_session` (a reset
    ends them all). Any pending reset link ends too: it is bound to the hash."""
    if problems := password_problems(new_password):
        raise ValidationFailed("The password is not acceptable.", {"password": problems})
    user.password_hash = hash_password(new_password)
    sessions.end_sessions(user, "password changed", keep_key=keep_session, commit=False)
    db.session.commit()


def set_role(user: User, role: str, acting: User) -> User:
    """Change a user's organisation role; an admin cannot demote themself (someone must remain)."""
    role = check_role(role)
    if user.id == acting.id and role != Role.ADMIN:
        raise Conflict("You cannot remove your own admin role; ask another admin.")
    user.role = role
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; upgrades old hashes on the way."""
    user = find_user_by_email(email or "")
    if not verify_password(user.password_hash if user else None, password or ""):
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def deactivate_user(user: User, acting: User) -> User:
    """Stop a user signing in or using tokens; their content, clicks and posts stay theirs."""
    if user.id == acting.id:
        raise Conflict("You cannot deactivate yourself.")
    if not user.active:
        raise Conflict(f"{user.display_name} is already deactivated.")
    user.active = False
    user.deactivated_at = utcnow()
    sessions.end_sessions(user, "deactivated", commit=False)
    db.session.commit()
    return user


def reactivate_user(user: User) -> User:
    """Let a deactivated user sign in again."""
    if user.active:
        raise Conflict(f"{user.display_name} is already active.")
    user.active = True
    user.deactivated_at = None
    db.session.commit()
    return user


def list_users(search: str = "", include_inactive: bool = True):
    """A select of users by name, optionally filtered by a name or e-mail fragment."""
    search = search.replace("\x00", "")  # PostgreSQL refuses NUL in text; it matches nothing
    query = select(User).options(selectinload(User.memberships).selectinload(TeamMembership.team))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            func.lower(User.display_name).like(pattern) | func.lower(User.email).like(pattern)
        )
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return query.order_by(func.lower(User.display_name), User.id)


# --- teams ----------------------------------------------------------------------------------
