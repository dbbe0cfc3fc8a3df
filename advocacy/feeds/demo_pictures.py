"""Pictures for the demo's content, drawn here (the demo makes no call to the internet): an
abstract gradient with soft shapes per item, in a palette per kind, so the demo feed looks like
a real one without shipping stock photos."""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFilter

from advocacy.media.images import store_image
from advocacy.media.models import StoredImage

WIDTH, HEIGHT = 800, 420
PALETTES = {
    "link": [((59, 91, 219), (21, 170, 191)), ((54, 79, 199), (132, 94, 247))],
    "culture_story": [((230, 119, 0), (240, 62, 62)), ((214, 51, 108), (250, 176, 5))],
    "job_opening": [((47, 158, 68), (21, 170, 191)), ((12, 166, 120), (59, 91, 219))],
    "announcement": [((73, 80, 87), (59, 91, 219))],
}


def _blend(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def demo_picture(title: str, kind: str) -> bytes:
    """A PNG for one demo item: the same title always draws the same picture."""
    rng = random.Random(hashlib.sha256(title.encode()).digest())  # noqa: S311 - not a secret
    start, end = rng.choice(PALETTES.get(kind, PALETTES["link"]))
    gradient = Image.linear_gradient("L").rotate(rng.choice((45, 135, 90)), expand=False)
    gradient = gradient.resize((WIDTH, HEIGHT))
    picture = Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), end), Image.new("RGB", (WIDTH, HEIGHT), start), gradient
    )
    shapes = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(rng.randint(3, 6)):
        radius = rng.randint(60, 220)
        x, y = rng.randint(-60, WIDTH + 60), rng.randint(-60, HEIGHT + 60)
        tint = _blend(start, (255, 255, 255), rng.uniform(0.3, 0.8))
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill=(*tint, rng.randint(40, 110))
        )
    shapes = shapes.filter(ImageFilter.GaussianBlur(18))
    picture.paste(shapes, (0, 0), shapes)
    lines = ImageDraw.Draw(picture)
    for offset in range(0, WIDTH + HEIGHT, 48):
        lines.line(
            (offset, 0, offset - HEIGHT, HEIGHT), fill=_blend(end, (255, 255, 255), 0.12), width=1
        )
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def store_demo_picture(title: str, kind: str) -> StoredImage:
    return store_image(demo_picture(title, kind), origin="demo")
