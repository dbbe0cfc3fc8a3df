"""Who is asking: session sign-in for pages, and the permission checks every view relies on.

Pages are private by default: a view must be marked `@public` to be reachable signed out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import InterfaceError, OperationalError

from advocacy.accounts import sessions
from advocacy.accounts.models import User
from advocacy.accounts.organisation import get_organisation
from advocacy.extensions import db, login_manager


def public(view: Callable) -> Callable:
    """Let signed-out visitors reach this view."""
    view.is_public = True
    return view


def admin_required(view: Callable) -> Callable:
    """403 unless the signed-in user is an admin."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def curator_required(view: Callable) -> Callable:
    """403 unless the signed-in user is a curator or an admin."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_curator:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _require_sign_in():
    """Send signed-out visitors of private pages to the sign-in page (the API has its own auth)."""
    if request.endpoint is None or request.path.startswith("/api/"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or getattr(view, "is_public", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The signed-in person, if their account is active and this browser's session has not
    ended (signed out, another password, deactivated) or expired."""
    try:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.active:
            return None
        row = sessions.live_session(user.id, session.get(sessions.KEY))
    except (OperationalError, InterfaceError):
        # The database went away (a restart). Roll back so that the next look-up (current_user
        # is asked for again, by the rate limits too) meets the same error, answered as a 503,
        # rather than a session stuck waiting for a rollback.
        db.session.rollback()
        raise
    if row is None:
        session.pop(sessions.KEY, None)
        return None
    sessions.note_seen(row, request.remote_addr or "", request.user_agent.string)
    return user


def sign_in(user: User, remember: bool = False) -> None:
    """Sign this browser in as `user`: a new server-side session, its key in the cookie (which
    outlives the browser only when `remember`)."""
    key = sessions.start_session(
        user, remember, request.remote_addr or "", request.user_agent.string
    )
    session[sessions.KEY] = key
    session.permanent = remember
    login_user(user)


def sign_out() -> None:
    """End this browser's session, here and wherever its cookie was copied to."""
    sessions.end_session(session.pop(sessions.KEY, None))
    logout_user()


def current_session_key() -> str | None:
    """The key of this browser's session (to keep it when ending the others)."""
    return session.get(sessions.KEY)


def init_app(app: Flask) -> None:
    """Configure sign-in and make every page private unless marked public."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(_require_sign_in)
    app.context_processor(_organisation_context)
    app.jinja_env.filters["device_label"] = sessions.device_label


def _organisation_context() -> dict:
    if "organisation_name" not in g:
        g.organisation_name = get_organisation().name
    return {"organisation_name": g.organisation_name}
