"""The first-run checklist on a new employee's feed: the few steps that make the product theirs
(profile, topics, picture, a first share, and what other features add, such as a first
question). It disappears once every step is done; from then on it costs the feed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, url_for
from sqlalchemy import exists, select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.feeds.models import Share, TopicSubscription
from advocacy.models_base import utcnow

EXTENSION_KEY = "feeds_onboarding_steps"


@dataclass(frozen=True)
class OnboardingStep:
    """One step: what to do, where (an endpoint), and whether this person has done it."""

    key: str
    label: str
    endpoint: str
    done: Callable[[User], bool]
    anchor: str | None = None


@dataclass(frozen=True)
class StepState:
    key: str
    label: str
    url: str
    done: bool


@dataclass(frozen=True)
class Onboarding:
    steps: list[StepState]

    @property
    def done(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)


def register_onboarding_step(app: Flask, step: OnboardingStep) -> None:
    """Add a feature's step to the checklist (steps show in registration order)."""
    app.extensions.setdefault(EXTENSION_KEY, []).append(step)


def _profile_done(user: User) -> bool:
    return bool(user.languages)


def _topics_done(user: User) -> bool:
    return db.session.scalar(select(exists().where(TopicSubscription.user_id == user.id)))


def _picture_done(user: User) -> bool:
    return user.avatar_id is not None


def _shared_done(user: User) -> bool:
    return db.session.scalar(select(exists().where(Share.user_id == user.id)))


FEED_STEPS = (
    OnboardingStep("profile", "Set your time zone and languages", "settings.index", _profile_done),
    OnboardingStep(
        "topics", "Follow the topics you care about", "feeds_topics.index", _topics_done
    ),
    OnboardingStep(
        "picture", "Add a profile picture", "settings.index", _picture_done, anchor="picture"
    ),
    OnboardingStep(
        "share", "Share your first post", "home.index", _shared_done, anchor="feed-list"
    ),
)


def register_feed_steps(app: Flask) -> None:
    for step in FEED_STEPS:
        register_onboarding_step(app, step)


def onboarding_for(user: User) -> Onboarding | None:
    """The checklist for this person, or None once they completed it (remembered, so the feed
    stops asking)."""
    if user.onboarded_at is not None:
        return None
    steps = [
        StepState(
            step.key,
            step.label,
            url_for(step.endpoint, _anchor=step.anchor) if step.anchor else url_for(step.endpoint),
            bool(step.done(user)),
        )
        for step in current_app.extensions.get(EXTENSION_KEY, [])
    ]
    checklist = Onboarding(steps)
    if checklist.done:
        user.onboarded_at = utcnow()
        db.session.commit()
        return None
    return checklist
