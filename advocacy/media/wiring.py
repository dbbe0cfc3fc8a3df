"""Plugs media into the app: the image route and the `image_src` template helper."""

from __future__ import annotations

from flask import Flask

from advocacy.media import routes
from advocacy.media.images import image_path


def init_app(app: Flask) -> None:
    """Register the route and make `image_src(stored_image)` available to templates."""
    app.register_blueprint(routes.bp)
    app.jinja_env.globals["image_src"] = image_path
