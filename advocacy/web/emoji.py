"""Reaction emoji drawn from bundled Twemoji SVGs (CC-BY 4.0), never the system's emoji font:
many company machines have none, and a box where a heart should be looks broken."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

# Twemoji names its files by code point, without the variation selector (U+FE0F).
EMOJI_FILES = {
    "👍": "1f44d.svg",
    "❤️": "2764.svg",
    "🎉": "1f389.svg",
    "😄": "1f604.svg",
    "🤔": "1f914.svg",
    "👀": "1f440.svg",
}
EMOJI_NAMES = {
    "👍": "thumbs up",
    "❤️": "heart",
    "🎉": "party",
    "😄": "smile",
    "🤔": "thinking",
    "👀": "eyes",
}


def emoji_image(emoji: str) -> Markup:
    """An <img> of a bundled emoji (the character itself when it is not one we ship)."""
    file_name = EMOJI_FILES.get(emoji)
    if file_name is None:
        return escape(emoji)
    src = url_for("static", filename=f"vendor/emoji/{file_name}")
    return Markup('<img class="emoji" src="{}" alt="{}" width="20" height="20">').format(src, emoji)


def emoji_name(emoji: str) -> str:
    return EMOJI_NAMES.get(emoji, emoji)
