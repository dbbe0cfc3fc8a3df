"""URLs for many rows at once: a page of 500 posts needs thousands of links, and building each
with url_for costs more than rendering the post. Each pattern is built once per request with
url_for and then filled in with an id."""

from __future__ import annotations

from flask import url_for

_SENTINEL = 2_147_483_647


class IdLink:
    """The URLs of one endpoint for any id, e.g. `IdLink("posts.react", "post_id")(42)`."""

    def __init__(self, endpoint: str, key: str, **values):
        self.pattern = url_for(endpoint, **{key: _SENTINEL}, **values).replace(
            str(_SENTINEL), "{}", 1
        )

    def __call__(self, value: int) -> str:
        return self.pattern.format(value)


class PostLinks:
    """Every link a post shows, for one thread page."""

    def __init__(self, thread_id: int):
        self.person = IdLink("people.profile", "user_id")
        self.history = IdLink("posts.history", "post_id")
        self.edit = IdLink("posts.edit_form", "post_id")
        self.delete = IdLink("posts.delete", "post_id")
        self.restore = IdLink("posts.restore", "post_id")
        self.flag = IdLink("posts.flag_form", "post_id")
        self.react = IdLink("posts.react", "post_id")
        self.quote = IdLink("threads.view", "quote", thread_id=thread_id)
        self.accept = url_for("threads.accept", thread_id=thread_id)
