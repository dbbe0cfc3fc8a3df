"""Notifications: the list, the bell in the header (polled by htmx), marking read, and each
person's notification and digest settings."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from advocacy.discussions import profiles
from advocacy.discussions.notifications import service
from advocacy.discussions.notifications.forms import PreferencesForm
from advocacy.discussions.notifications.preferences import Preferences, update_preferences
from advocacy.errors import Conflict, ValidationFailed
from advocacy.web.api import paginate
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, render
from advocacy.web.params import page_arg
from advocacy.web.templating import day_label

bp = Blueprint("notifications", __name__)
PER_PAGE = 30


def _list_page(trigger: str | None = None):
    unread_only = request.args.get("unread") == "1"
    listing = paginate(
        service.notifications_query(current_user, unread_only),
        page_arg(),
        PER_PAGE,
    )
    # grouped by the reader's day, in the list's own order (newest first)
    days = [
        (day, list(items))
        for day, items in groupby(listing["items"], key=lambda item: day_label(item.created_at))
    ]
    return render(
        "discussions/notifications.html",
        "discussions/_notifications.html",
        trigger=trigger,
        listing=listing,
        days=days,
        unread_only=unread_only,
        sentence=service.sentence,
    )


@bp.get("/notifications")
def index():
    """My notifications, newest first."""
    return _list_page()


@bp.get("/notifications/bell")
def bell():
    """The header's bell with the unread count (polled, and refreshed after actions)."""
    return render(
        "discussions/_bell.html",
        "discussions/_bell.html",
        unread=service.unread_count(current_user),
    )


@bp.post("/notifications/read")
def mark_read():
    """Mark one (`id`) or every notification read."""
    raw = request.form.getlist("id")
    if any(not value.isdigit() for value in raw):
        raise ValidationFailed.field("id", "Notification ids are numbers.")
    count = service.mark_read(current_user, [int(v) for v in raw] if raw else None)
    flash(f"{count} notification{'s' * (count != 1)} marked read.", "success")
    return fragment_or_redirect(
        lambda: _list_page(trigger="notificationsChanged"), url_for("notifications.index")
    )


def _preferences_page(form=None, status: int = 200):
    profile = profiles.ensure_own_profile(current_user)
    return render(
        "discussions/preferences.html",
        status=status,
        profile=profile,
        form=form or PreferencesForm(formdata=None, obj=profile),
    )


@bp.get("/settings/notifications")
def preferences():
    """My @handle, e-mail switches, digest schedule and quiet hours."""
    return _preferences_page()


@bp.post("/settings/notifications")
def save_preferences():
    """Save my notification settings; nothing is saved if anything is wrong."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _preferences_page(form, 422)
    try:
        update_preferences(
            current_user,
            Preferences(
                handle=form.handle.data,
                email_mention=form.email_mention.data,
                email_reply=form.email_reply.data,
                email_assignment=form.email_assignment.data,
                email_announcement=form.email_announcement.data,
                digest=form.digest.data,
                digest_hour=form.digest_hour.data,
                digest_weekday=form.digest_weekday.data,
                quiet_start=form.quiet_start.data,
                quiet_end=form.quiet_end.data,
            ),
        )
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        return _preferences_page(form, error.status)
    flash("Your notification settings are saved.", "success")
    return redirect(url_for("notifications.preferences"), code=303)
