"""Signals other features subscribe to, so discussions never has to import them."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new Thread (its opening post flushed, not yet committed): receivers may add rows
# that commit or roll back with it.
thread_created = _signals.signal("thread-created")

# The signals below are what notifications listen to, so the core never imports them. Each is
# sent inside the writing transaction (rows receivers add commit or roll back with it).

# Sent with the Post when it is written or edited (receivers notify the people it concerns:
# mentions, followers; an edit notifies only the newly mentioned).
post_written = _signals.signal("post-written")

# Sent with the Space and `user` who asked to join it (a private space).
join_requested = _signals.signal("join-requested")

# Sent with the Space, the `user` let in and the `acting` moderator, when someone new is added.
member_added = _signals.signal("member-added")

# Sent with the question Thread, the accepted `post` and the `acting` person.
answer_accepted = _signals.signal("answer-accepted")

# Sent with the question Thread, the `assignee` and the `acting` person who asked them.
question_assigned = _signals.signal("question-assigned")

# Sent with the Thread and the `user` who has just read it up to its end.
thread_read = _signals.signal("thread-read")
