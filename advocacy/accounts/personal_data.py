"""What accounts holds about a person, for the privacy export, and how it is anonymised."""

from __future__ import annotations

from datetime import time

from sqlalchemy import delete, select

from advocacy.accounts import sessions
from advocacy.accounts.models import ApiToken, Invitation, TeamMembership, User
from advocacy.extensions import db
from advocacy.models_base import utcnow


def export_person(user: User) -> dict:
    """Profile, teams, API tokens (metadata only) and invitations."""
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    invitations = db.session.scalars(select(Invitation).where(Invitation.user_id == user.id))
    return {
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "job_title": user.job_title,
            "department": user.department,
            "location": user.location,
            "timezone": user.timezone,
            "working_hours": [
                user.working_hours_start.isoformat(),
                user.working_hours_end.isoformat(),
            ],
            "languages": user.languages,
            "appearance": user.theme,
            # the picture itself is the one shown on the settings page
            "picture": {"width": user.avatar.width, "height": user.avatar.height}
            if user.avatar
            else None,
            "active": user.active,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
        },
        "teams": [
            {"team": m.team.name, "leader": m.is_leader, "joined_at": m.joined_at}
            for m in user.memberships
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in tokens
        ],
        "invitations": [
            {"created_at": i.created_at, "expires_at": i.expires_at, "accepted_at": i.accepted_at}
            for i in invitations
        ],
    }


def anonymise_person(user: User) -> None:
    """Replace name and e-mail, clear the profile, leave every team, revoke tokens, and end
    sessions (an inactive user's session no longer loads). The row stays for aggregates."""
    now = utcnow()
    user.display_name = f"Former employee #{user.id}"
    user.email = f"former-{user.id}@erased.invalid"
    user.password_hash = None
    user.job_title = user.department = user.location = ""
    user.timezone = "UTC"
    user.working_hours_start, user.working_hours_end = time(9, 0), time(17, 0)
    user.languages = []
    if user.avatar is not None:  # a face is personal data: the picture goes, not just the link
        picture, user.avatar = user.avatar, None
        db.session.delete(picture)
    user.theme = "system"
    user.role = "member"
    user.active = False
    user.deactivated_at = user.deactivated_at or now
    user.last_login_at = None
    db.session.execute(delete(TeamMembership).where(TeamMembership.user_id == user.id))
    db.session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked_at = token.revoked_at or now
        token.name = "revoked"
    sessions.forget_sessions(user)
    db.session.expire(user, ["memberships"])
