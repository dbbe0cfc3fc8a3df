"""What the app shell serves at fixed addresses: /favicon.ico, which browsers and link
unfurlers ask for whatever the page's <link rel="icon"> says."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, send_from_directory

bp = Blueprint("shell", __name__)


@bp.get("/favicon.ico")
def favicon():
    """The 32 px app icon (a PNG: every browser takes one under this name)."""
    response = send_from_directory(
        current_app.static_folder + "/icons", "icon-32.png", mimetype="image/png", max_age=86400
    )
    return response


favicon.is_public = True  # signed out too: the sign-in page has a tab icon as well


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
