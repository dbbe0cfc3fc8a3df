"""Signals other features subscribe to, so accounts never has to import them."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new Team (added and flushed, not yet committed): receivers may add rows that
# commit or roll back with it.
team_created = _signals.signal("team-created")
