"""E-mail digests: daily or weekly, at each person's chosen local hour (default 08:00) in their
own time zone, with only what they may read.

Rules:
- Each profile stores its next due instant in UTC, computed from the local wall time (so DST
  changes move it correctly); a periodic job queues every digest that is due.
- A digest run row (person, due time) is committed as "sending" before the e-mail leaves and
  as "sent" after: a retried or duplicated job finds it and sends nothing, unless the run was
  left "sending" for longer than DIGEST_SEND_LEASE (its worker was killed), when it sends it.
  If sending fails the row is removed again so the retry sends it.
- People active since their last digest get none (the run is recorded as skipped); an empty
  digest is not sent either. Quiet hours push the due time to their end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.discussions import access
from advocacy.discussions.models import DigestFrequency, MemberProfile, Post, Thread, ThreadFollow
from advocacy.discussions.notifications.models import DigestRun
from advocacy.discussions.notifications.preferences import digest_period, schedule_next_digest
from advocacy.discussions.notifications.service import unread_count
from advocacy.discussions.profiles import ensure_profiles
from advocacy.discussions.qa import unanswered
from advocacy.extensions import db
from advocacy.jobs import enqueue
from advocacy.mail import send_mail
from advocacy.models_base import utcnow
from advocacy.web.urls import external_url

DIGEST_ITEMS = 10
DIGEST_QUESTIONS = 5
SEND_DIGEST_JOB = "advocacy.discussions.notifications.jobs.send_digest"
SENDING = "sending"
DIGEST_SEND_LEASE = 15 * 60  # seconds: longer than any send job may run (jobs.DEFAULT_TIMEOUT)


@dataclass
class Digest:
    """What one person's digest says."""

    new_threads: list[Thread] = field(default_factory=list)
    followed: list[tuple[Thread, int]] = field(default_factory=list)
    questions: list = field(default_factory=list)
    unread_notifications: int = 0

    @property
    def size(self) -> int:
        return len(self.new_threads) + len(self.followed) + len(self.questions)

    @property
    def empty(self) -> bool:
        return self.size == 0 and not self.unread_notifications


def build_digest(user: User, since: datetime, now: datetime) -> Digest:
    """New threads, activity in followed threads and waiting questions since `since`, from
    spaces the person may read only, never their own posts."""
    visible = access.visible_space_ids(user)
    new_threads = list(
        db.session.scalars(
            select(Thread)
            .where(
                Thread.space_id.in_(visible),
                Thread.deleted_at.is_(None),
                Thread.created_at > since,
                Thread.created_at <= now,
                or_(Thread.author_id.is_(None), Thread.author_id != user.id),
            )
            .options(selectinload(Thread.space), selectinload(Thread.author))
            .order_by(Thread.reply_count.desc(), Thread.created_at.desc())
            .limit(DIGEST_ITEMS)
        )
    )
    shown = {t.id for t in new_threads}
    followed = [
        (thread, count)
        for thread, count in db.session.execute(
            select(Thread, func.count(Post.id))
            .join(Post, Post.thread_id == Thread.id)
            .join(
                ThreadFollow,
                (ThreadFollow.thread_id == Thread.id) & (ThreadFollow.user_id == user.id),
            )
            .where(
                ThreadFollow.following.is_(True),
                Thread.space_id.in_(visible),
                Thread.deleted_at.is_(None),
                Post.deleted_at.is_(None),
                Post.created_at > since,
                Post.created_at <= now,
                or_(Post.author_id.is_(None), Post.author_id != user.id),
            )
            .group_by(Thread.id)
            .order_by(func.count(Post.id).desc())
            .limit(DIGEST_ITEMS)
        )
        if thread.id not in shown
    ]
    return Digest(
        new_threads=new_threads,
        followed=followed,
        questions=[
            q for q in unanswered(user, scope="mine", now=now) if q.thread.author_id != user.id
        ][:DIGEST_QUESTIONS],
        unread_notifications=unread_count(user),
    )


def queue_due_digests(now: datetime | None = None) -> int:
    """Queue a digest job for everyone whose digest is due; reschedule people whose time zone
    changed. Returns how many were queued."""
    now = now or utcnow()
    ensure_profiles()
    stale = db.session.execute(
        select(MemberProfile, User.timezone)
        .join(User, User.id == MemberProfile.user_id)
        .where(
            MemberProfile.digest != DigestFrequency.OFF.value,
            or_(MemberProfile.next_digest_at.is_(None), MemberProfile.digest_zone != User.timezone),
        )
    ).all()
    for profile, zone in stale:
        schedule_next_digest(profile, zone, now)
    due = db.session.execute(
        select(MemberProfile.user_id, MemberProfile.next_digest_at)
        .join(User, User.id == MemberProfile.user_id)
        .where(
            User.active.is_(True),
            MemberProfile.digest != DigestFrequency.OFF.value,
            MemberProfile.next_digest_at <= now,
        )
    ).all()
    for user_id, due_at in due:
        enqueue(SEND_DIGEST_JOB, user_id, due_at.isoformat(), queue="mail")
    db.session.commit()
    return len(due)


def deliver_digest(user_id: int, due_at: datetime, now: datetime | None = None) -> str:
    """Send one person's digest for one due time, once; returns what happened.

    The run row is the idempotency key, committed as "sending" before the e-mail leaves and
    marked "sent" (with the person's next digest scheduled) after it. Another job for the same
    due time sends nothing while that run is fresh; one that finds it still "sending" after
    DIGEST_SEND_LEASE seconds knows the sender died mid-run (a killed worker) and sends it. The
    one case that can still send twice: the mail server took the message and the process died
    before its next commit, a window of a few milliseconds, preferred to a lost digest."""
    now = now or utcnow()
    user = db.session.get(User, user_id)
    profile = db.session.get(MemberProfile, user_id)
    if user is None or profile is None or not user.active:
        return "gone"
    if profile.next_digest_at is None or profile.next_digest_at != due_at:
        return "stale"
    run = _claim_run(user_id, due_at, now)
    if run is None:
        return "duplicate"
    since = profile.last_digest_at or (due_at - digest_period(profile))
    if profile.last_seen_at is not None and profile.last_seen_at > since:
        return _finish_run(run, profile, user, now, due_at, "skipped")
    digest = build_digest(user, since, now)
    if digest.empty:
        return _finish_run(run, profile, user, now, due_at, "empty")
    run.items = digest.size
    db.session.commit()
    try:
        send_mail(
            user.email,
            _subject(profile, digest),
            "discussions/email/digest",
            user=user,
            digest=digest,
            since=since,
            external_url=external_url,
        )
    except Exception:
        _forget_run(run.id)
        raise
    return _finish_run(run, profile, user, now, due_at, "sent")


def _claim_run(user_id: int, due_at: datetime, now: datetime) -> DigestRun | None:
    """This job's run for the due time: a new one, or one abandoned while "sending"."""
    run = DigestRun(user_id=user_id, due_at=due_at, outcome=SENDING)
    db.session.add(run)
    try:
        db.session.commit()
        return run
    except IntegrityError:
        db.session.rollback()
    lease = timedelta(seconds=current_app.config.get("DIGEST_SEND_LEASE", DIGEST_SEND_LEASE))
    abandoned = db.session.scalar(
        select(DigestRun)
        .where(
            DigestRun.user_id == user_id,
            DigestRun.due_at == due_at,
            DigestRun.outcome == SENDING,
            DigestRun.created_at <= now - lease,
        )
        .with_for_update()
    )
    if abandoned is None:
        db.session.rollback()
        return None
    abandoned.created_at = now  # this job holds the lease now
    db.session.commit()
    return abandoned


def _finish_run(run, profile, user, now: datetime, due_at: datetime, outcome: str) -> str:
    """Record the run's outcome and schedule the person's next digest, in one commit."""
    run.outcome = outcome
    profile.last_digest_at = now
    schedule_next_digest(profile, user.timezone, max(now, due_at))
    db.session.commit()
    return outcome


def _forget_run(run_id: int) -> None:
    """Undo a digest run whose e-mail failed, so the retried job sends it."""
    db.session.rollback()
    run = db.session.get(DigestRun, run_id)
    if run is not None:
        db.session.delete(run)
    db.session.commit()


def _subject(profile: MemberProfile, digest: Digest) -> str:
    period = "week" if profile.digest == DigestFrequency.WEEKLY else "day"
    parts = []
    if digest.new_threads:
        parts.append(f"{len(digest.new_threads)} new thread{'s' * (len(digest.new_threads) > 1)}")
    if digest.questions:
        parts.append(f"{len(digest.questions)} waiting question{'s' * (len(digest.questions) > 1)}")
    summary = ", ".join(parts) or f"{digest.unread_notifications} unread notifications"
    return f"Your discussions this {period}: {summary}"


def digest_runs(user: User) -> list[DigestRun]:
    """A person's digest runs, newest first (for tests and support)."""
    return list(
        db.session.scalars(
            select(DigestRun).where(DigestRun.user_id == user.id).order_by(DigestRun.due_at.desc())
        )
    )
