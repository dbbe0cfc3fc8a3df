"""The catalogue of event types admins can subscribe to. Each is made from a signal its feature
owns and sends (webhooks/sources.py listens to them all)."""

from __future__ import annotations

TEST_EVENT = "webhook.test"

# type -> what it means (shown on the subscription form and in the README).
EVENT_TYPES: dict[str, str] = {
    "content.approved": "Content was approved (it may be scheduled for later).",
    "content.published": "Approved content went live in the feed (its share window opened).",
    "share.created": "An employee shared content (a share intent with their tracked link).",
    "click.human": "Human clicks on tracked links: one event per ingest batch, with a list.",
    "conversion.recorded": "A conversion (sign-up, application...) was attributed to a link.",
    "referral.stage_changed": "A referred candidate moved to another stage.",
    "thread.created": "A discussion thread was started.",
    "leaderboard.period_closed": "A leaderboard period closed with its final standings.",
}

# Chat targets get a readable post, not the JSON event: only what makes sense in a channel.
CHAT_EVENTS = ("content.published",)
