"""Plugs notifications into the app: the receivers of the discussions core's signals (which never
imports notifications), the list and bell, the API, the e-mail and digest schedules, the
`queue-digests` command, the demo's notifications and the privacy export."""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from advocacy.demo import add_seed_step
from advocacy.discussions.membership import moderator_ids
from advocacy.discussions.notifications import api_routes, cli, personal_data, routes, service
from advocacy.discussions.notifications.demo import seed_notifications
from advocacy.discussions.notifications.jobs import FAN_OUT_JOB, SCHEDULES
from advocacy.discussions.notifications.models import NotificationKind
from advocacy.discussions.signals import (
    answer_accepted,
    join_requested,
    member_added,
    post_written,
    question_assigned,
    thread_read,
)
from advocacy.extensions import api
from advocacy.jobs import enqueue, register_schedules
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler


def _on_post_written(post, **_) -> None:
    enqueue(FAN_OUT_JOB, post.id)  # after the commit: the job reads the committed post


def _on_join_requested(space, user=None, **_) -> None:
    service.notify(moderator_ids(space), NotificationKind.JOIN_REQUEST, actor=user, space=space)


def _on_member_added(space, user=None, acting=None, **_) -> None:
    service.notify([user.id], NotificationKind.JOINED, actor=acting, space=space)


def _on_answer_accepted(thread, post=None, acting=None, **_) -> None:
    if post.author_id is not None:
        service.notify(
            [post.author_id], NotificationKind.ACCEPTED, actor=acting, thread=thread, post=post
        )


def _on_question_assigned(thread, assignee=None, acting=None, **_) -> None:
    service.notify([assignee.id], NotificationKind.ASSIGNMENT, actor=acting, thread=thread)


def _on_thread_read(thread, user=None, **_) -> None:
    service.mark_thread_notifications_read(user, thread)


def _notification_count() -> int:
    """The reader's unread count, read once per request (the bell and the tab bar both show it)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = service.unread_count(current_user)
    return g.unread_notifications


def init_app(app: Flask) -> None:
    """Register notifications after the discussions core (its demo step runs after the core's)."""
    # Module-level receivers: blinker holds them weakly, and the module keeps them alive.
    post_written.connect(_on_post_written)
    join_requested.connect(_on_join_requested)
    member_added.connect(_on_member_added)
    answer_accepted.connect(_on_answer_accepted)
    question_assigned.connect(_on_question_assigned)
    thread_read.connect(_on_thread_read)
    app.register_blueprint(routes.bp)
    api.register_blueprint(api_routes.bp)
    register_schedules(app, SCHEDULES)
    cli.init_app()
    add_seed_step(seed_notifications)
    app.jinja_env.globals["notification_count"] = _notification_count
    register_privacy_handler(
        app,
        PrivacyHandler(
            "notifications",
            personal_data.export_person,
            personal_data.anonymise_person,
            "the notifications you received and the digests you were sent.",
        ),
    )
