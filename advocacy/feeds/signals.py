"""Signals other features subscribe to, so the feed never has to import them."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new Share (added and flushed, not yet committed): receivers (the points ledger)
# may add rows that commit or roll back with it.
share_recorded = _signals.signal("share-recorded")

# Sent with the approved Content and `actor` (flushed, not committed) on every approval, single
# or in bulk: receivers' rows (the webhook outbox) commit or roll back with it.
content_approved = _signals.signal("content-approved")

# Sent with Content when it goes live in the feed: at approval when its publish-at has passed,
# else by the periodic publication job. Same transaction rule as above.
content_published = _signals.signal("content-published")
