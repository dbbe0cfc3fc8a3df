"""Post extras: how other features (the bridge to the feed) add a badge or an action to the posts
of a thread page without discussions importing them. A feature registers a loader when the app
starts; the page calls each loader once with every post it shows (one query per feature, however
long the thread)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app

from advocacy.accounts.models import User
from advocacy.discussions.models import Post

EXTENSION_KEY = "discussions_post_extras"


@dataclass(frozen=True)
class PostExtra:
    """What a feature shows on one post: a badge, and/or an action link."""

    badge: str = ""
    action_label: str = ""
    action_href: str = ""


PostExtrasLoader = Callable[[User, list[Post]], Mapping[int, PostExtra]]


def register_post_extras(app: Flask, name: str, loader: PostExtrasLoader) -> None:
    """Add a feature's extras to thread pages (shown in registration order, each name once)."""
    loaders = app.extensions.setdefault(EXTENSION_KEY, {})
    loaders.setdefault(name, loader)


def load_post_extras(reader: User, posts: list[Post]) -> dict[int, list[PostExtra]]:
    """Every registered feature's extras for `posts`, by post id."""
    extras: dict[int, list[PostExtra]] = {}
    if not posts:
        return extras
    for loader in current_app.extensions.get(EXTENSION_KEY, {}).values():
        for post_id, extra in loader(reader, posts).items():
            extras.setdefault(post_id, []).append(extra)
    return extras
