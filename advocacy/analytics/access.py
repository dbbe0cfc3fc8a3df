"""Who may open the reporting pages: admins, curators and team leaders (leaders see their
teams' figures only: the services scope every query by the viewer)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def can_report(user) -> bool:
    """Admins, curators and leaders of at least one team."""
    return user.is_authenticated and (user.is_admin or user.is_curator or bool(user.led_team_ids))


def reporting_required(view):
    """Signed in, and an admin, a curator or a team leader."""

    @login_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not can_report(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper
