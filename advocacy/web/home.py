"""The signed-in home page (the advocacy feed takes it over once it exists)."""

from flask import Blueprint

from advocacy.web.htmx import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """The home page."""
    return render("web/home.html")
