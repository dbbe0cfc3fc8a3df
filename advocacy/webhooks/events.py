"""The catalogue of event types admins can subscribe to, and the signals webhooks define itself
for features that do not exist yet (referrals, leaderboard periods): their senders will send
these, and every subscription sees them without another change here."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with `data` (a JSON-ready dict: referral id, opening, employee, from/to stage) inside the
# writing transaction, by the referrals feature when a candidate's stage changes.
referral_stage_changed = _signals.signal("referral-stage-changed")

# Sent with `data` (period start/end, top standings) inside the transaction that closes a
# leaderboard period.
leaderboard_period_closed = _signals.signal("leaderboard-period-closed")

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
