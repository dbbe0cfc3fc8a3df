"""URL converters: an id in a URL is at most what the database's integer columns hold."""

from __future__ import annotations

from flask import Flask
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.routing import IntegerConverter

from advocacy.models_base import MAX_ID


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` with an upper bound, so /threads/99999999999999999999 is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's own parameter name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask, api) -> None:
    """Make every `<int:...>` in the app (routes registered afterwards) a bounded id."""
    app.url_map.converters["int"] = DatabaseIdConverter
    api.register_converter(DatabaseIdConverter, integerconverter2paramschema)
