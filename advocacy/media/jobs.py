"""Background work of media: fetching an image once."""

from __future__ import annotations

from advocacy.media import images


def fetch_image(image_id: int) -> None:
    """Fetch one pending image through the outbound client and store it."""
    images.fetch_image(image_id)
