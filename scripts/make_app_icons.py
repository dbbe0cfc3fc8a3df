"""Draw the app icons (PNG) from the same shapes as static/icons/favicon.svg, with Pillow:
browsers that take no SVG favicon, the iOS home screen, and the installable app's icons.
Run by hand when the logo changes; the PNGs are committed (they are ours, not a package's)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "icons"
SIZE = 1024  # drawn large, scaled down smoothly
TOP, BOTTOM = (76, 110, 245), (47, 68, 173)


def draw(padding: float = 0.0) -> Image.Image:
    """The mark on its gradient square; `padding` (a fraction) for maskable icons."""
    gradient = Image.new("RGB", (SIZE, SIZE))
    pixels = gradient.load()
    for y in range(SIZE):
        for x in range(SIZE):
            t = (x + y) / (2 * SIZE)
            pixels[x, y] = tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True))
    mask = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, SIZE - 1, SIZE - 1), radius=SIZE * 14 // 64, fill=255
    )
    icon = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    icon.paste(gradient, (0, 0), mask if not padding else None)
    pen = ImageDraw.Draw(icon)
    scale = SIZE / 64 * (1 - 2 * padding)
    offset = SIZE * padding

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * scale, offset + y * scale)

    white = (255, 255, 255, 255)
    pen.rounded_rectangle((*at(17, 24), *at(27, 40)), radius=3 * scale, fill=white)
    pen.polygon([at(25, 24), at(40, 16), at(40, 48), at(25, 40)], fill=white)
    pen.polygon([at(24, 40), at(27, 49), at(32, 49), at(30, 40)], fill=white)
    pen.arc((*at(36, 23), *at(54, 41)), start=-60, end=60, fill=white, width=round(3.5 * scale))
    return icon


def main() -> None:
    plain, maskable = draw(), draw(padding=0.12)
    for name, image, size in (
        ("icon-32.png", plain, 32),
        ("apple-touch-icon.png", plain, 180),
        ("icon-192.png", plain, 192),
        ("icon-512.png", plain, 512),
        ("icon-maskable-512.png", maskable, 512),
    ):
        image.resize((size, size), Image.LANCZOS).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
