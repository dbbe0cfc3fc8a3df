"""Signals other features subscribe to, so discussions never has to import them."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new Thread (its opening post flushed, not yet committed): receivers may add rows
# that commit or roll back with it.
thread_created = _signals.signal("thread-created")
