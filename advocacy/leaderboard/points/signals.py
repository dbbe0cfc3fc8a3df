"""Signals the points ledger sends, so that webhooks (and anything else) hear of them without
points importing their receivers."""

from blinker import Namespace

_signals = Namespace()

# Sent with `data` (a JSON-ready dict: the period's kind, key, first and last day, and its final
# standings) inside the transaction that records a week, month or quarter as closed.
period_closed = _signals.signal("period-closed")
