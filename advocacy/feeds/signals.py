"""Signals other features subscribe to, so the feed never has to import them."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new Share (added and flushed, not yet committed): receivers (the points ledger)
# may add rows that commit or roll back with it.
share_recorded = _signals.signal("share-recorded")
