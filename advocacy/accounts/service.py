"""Accounts use-cases: the organisation, users, profiles, teams, sign-in and deactivation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import (
    EMAIL_MAX,
    NAME_MAX,
    SHORT_TEXT_MAX,
    Organisation,
    Role,
    Team,
    TeamMembership,
    User,
)
from advocacy.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from advocacy.accounts.signals import team_created
from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow

LANGUAGE_MAX = 12


# --- validation shared by forms, the API and CSV import -------------------------------------


def normalise_email(email: str) -> str:
    """The canonical, lower-cased form of an e-mail address, or ValidationFailed saying why."""
    email = (email or "").strip()
    if not email:
        raise ValidationFailed.field("email", "Enter an e-mail address.")
    if len(email) > EMAIL_MAX:
        raise ValidationFailed.field("email", f"Use at most {EMAIL_MAX} characters.")
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationFailed.field(
            "email", f"This is not a valid e-mail address: {error}"
        ) from None


def check_timezone(name: str) -> str:
    """An IANA time zone name known to zoneinfo, or ValidationFailed."""
    name = (name or "").strip()
    try:
        if name and name in _timezone_names():
            ZoneInfo(name)
            return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValidationFailed.field(
        "timezone", f"Unknown time zone {name[:64]!r}: use an IANA name such as Europe/London."
    )


def _timezone_names() -> set[str]:
    names = current_app.extensions.get("timezone_names")
    if names is None:
        names = current_app.extensions["timezone_names"] = available_timezones()
    return names


def timezone_choices() -> list[str]:
    """Every IANA zone name, sorted, for select boxes."""
    return sorted(_timezone_names())


def _check_text(errors: dict, field: str, value: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(field, []).append("This field is required.")
    if len(value) > limit:
        errors.setdefault(field, []).append(f"Use at most {limit} characters.")
    return value


def _check_languages(errors: dict, languages: Iterable[str]) -> list[str]:
    cleaned = []
    for code in languages:
        code = code.strip().lower()
        if not code:
            continue
        if len(code) > 8 or not code.replace("-", "").isalpha():
            errors.setdefault("languages", []).append(
                f"{code[:20]!r} is not a language code (en, fr, zh-hans)."
            )
        elif code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > LANGUAGE_MAX:
        errors.setdefault("languages", []).append(f"List at most {LANGUAGE_MAX} languages.")
    return cleaned


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
            "display_name": _check_text(errors, "display_name", self.display_name, NAME_MAX, True),
            "job_title": _check_text(errors, "job_title", self.job_title, SHORT_TEXT_MAX),
            "department": _check_text(errors, "department", self.department, SHORT_TEXT_MAX),
            "location": _check_text(errors, "location", self.location, SHORT_TEXT_MAX),
            "languages": _check_languages(errors, self.languages),
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


def get_organisation() -> Organisation:
    """The install's organisation, created with the configured name on first use."""
    organisation = db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    if organisation is None:
        organisation = Organisation(
            name=current_app.config["ORGANISATION_NAME"], default_timezone="UTC"
        )
        db.session.add(organisation)
        db.session.flush()
    return organisation


def update_organisation(name: str, default_timezone: str) -> Organisation:
    """Rename the organisation and set its default time zone."""
    errors: dict[str, list[str]] = {}
    name = _check_text(errors, "name", name, NAME_MAX, True)
    try:
        default_timezone = check_timezone(default_timezone)
    except ValidationFailed as error:
        errors["default_timezone"] = error.errors["timezone"]
    if errors:
        raise ValidationFailed("The organisation settings are not valid.", errors)
    organisation = get_organisation()
    organisation.name, organisation.default_timezone = name, default_timezone
    db.session.commit()
    return organisation


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


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed.field("current_password", "This is not your current password.")
    set_password(user, new_password)


def set_password(user: User, new_password: str) -> None:
    """Store a new password hash (also ends any pending reset link, which is bound to the hash)."""
    if problems := password_problems(new_password):
        raise ValidationFailed("The password is not acceptable.", {"password": problems})
    user.password_hash = hash_password(new_password)
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


def get_team(team_id: int) -> Team:
    """A team by id, or NotFound."""
    team = db.session.get(Team, team_id)
    if team is None:
        raise NotFound("No such team.")
    return team


def ensure_team(name: str) -> Team:
    """The team with this name, added (not committed) when missing."""
    team = db.session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))
    if team is None:
        team = Team(name=name.strip())
        db.session.add(team)
        db.session.flush()
        team_created.send(team)
    return team


def create_team(name: str, description: str = "") -> Team:
    """Create a team with a unique name."""
    errors: dict[str, list[str]] = {}
    name = _check_text(errors, "name", name, NAME_MAX, True)
    description = _check_text(errors, "description", description, 2000)
    if errors:
        raise ValidationFailed("The team could not be created.", errors)
    # Both sides: SQLite's lower() folds ASCII only.
    same_name = or_(Team.name == name, func.lower(Team.name) == name.lower())
    if db.session.scalar(select(Team.id).where(same_name)):
        raise Conflict(f"A team called {name} already exists.", {"name": ["Already in use."]})
    team = Team(name=name, description=description)
    db.session.add(team)
    db.session.flush()
    team_created.send(team)
    db.session.commit()
    return team


def list_teams():
    """A select of teams by name, with members loaded."""
    return select(Team).options(selectinload(Team.memberships)).order_by(func.lower(Team.name))


def can_manage_team(user: User, team: Team) -> bool:
    """Admins manage every team; leaders manage their own."""
    return user.is_admin or team.id in user.led_team_ids


def add_team_member(team: Team, user: User, leader: bool = False) -> TeamMembership:
    """Put a user in a team (or change whether they lead it)."""
    if not user.active:
        raise Conflict(f"{user.display_name} is deactivated and cannot join teams.")
    membership = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == user.id
        )
    )
    if membership is None:
        membership = TeamMembership(team=team, user=user)
        db.session.add(membership)
    membership.is_leader = leader
    db.session.commit()
    return membership


def remove_team_member(team: Team, user: User) -> None:
    """Take a user out of a team."""
    membership = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == user.id
        )
    )
    if membership is None:
        raise NotFound(f"{user.display_name} is not in {team.name}.")
    db.session.delete(membership)
    db.session.commit()
