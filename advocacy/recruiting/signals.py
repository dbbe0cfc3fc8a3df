"""Signals recruiting sends, so webhooks hear of referrals without recruiting importing them."""

from blinker import Namespace

_signals = Namespace()

# Sent with `data` (a JSON-ready dict: referral id, opening, employee, from/to stage) inside the
# writing transaction when a referred candidate's stage changes.
referral_stage_changed = _signals.signal("referral-stage-changed")
