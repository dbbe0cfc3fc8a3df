"""The Manage area: one page listing the curator, HR and admin tools this person may use (each
feature registers its own with `templating.register_manage_tool`), and the style guide."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template
from flask_login import current_user

from advocacy.web.emoji import EMOJI_FILES
from advocacy.web.forms import StyleguideForm
from advocacy.web.icons import ICONS
from advocacy.web.templating import manage_tools, register_nav

bp = Blueprint("manage", __name__)


@bp.get("/manage")
def index():
    """The tools of the Manage area this person may open (404 when there is none)."""
    tools = manage_tools(current_user)
    if not tools:
        abort(404)
    return render_template("manage/index.html", tools=tools)


@bp.get("/admin/styleguide")
def styleguide():
    """Every component of the design system, rendered (docs/design.md describes them)."""
    if not current_user.is_admin:
        abort(404)
    form = StyleguideForm(formdata=None, name="Alex Morgan", zone="Mars/Olympus")
    form.zone.errors = ["“Mars/Olympus” is not a time zone: pick one from the list."]
    return render_template(
        "manage/styleguide.html",
        form=form,
        icon_names=ICONS,
        reaction_emoji=list(EMOJI_FILES),
    )


def has_tools(user) -> bool:
    return bool(manage_tools(user))


def init_app(app: Flask) -> None:
    """Register the pages; called after every feature, so "Admin" ends the Manage group."""
    app.register_blueprint(bp)
    register_nav(
        app,
        "Admin",
        "manage.index",
        visible=has_tools,
        group="Manage",
        icon="wrench",
        also=(
            "manage.*",
            "admin.*",
            "feeds_admin.*",
            "points_admin.*",
            "reach_admin.*",
            "webhooks_admin.*",
            "search_admin.*",
            "privacy.erasures",
        ),
    )
