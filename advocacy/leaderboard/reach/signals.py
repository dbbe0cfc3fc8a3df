"""Signals between the click pipeline and the points ledger, so neither imports the other."""

from blinker import Namespace

_signals = Namespace()

# Each is sent inside the writing transaction, after a flush, so receivers' rows commit or roll
# back with the events that caused them.

# Sent by the click ingest with `clicks`: the newly stored human clicks of one batch (rows already
# de-duplicated by event id, so a retried batch sends nothing twice).
human_clicks_recorded = _signals.signal("human-clicks-recorded")

# Sent with `conversion`: a newly recorded conversion (a repeated external id sends nothing).
conversion_recorded = _signals.signal("conversion-recorded")

# Sent with `share_ids`: share intents that the first human click on their link just verified.
shares_verified = _signals.signal("shares-verified")
