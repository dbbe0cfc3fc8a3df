"""Images from elsewhere, served from here: a content item's picture, an image in a post, a
link's preview image. Pointing a page at another host would let that host see every reader (a
tracking pixel) and needs a CSP open to any https host; instead each source URL is fetched once,
in a job, through the safe outbound client, and served from our own origin.

- One row per source URL (deduplicated by its SHA-256); pages use its random `key`.
- Fetched images are decoded and re-encoded with Pillow: only JPEG, PNG, GIF (first frame) and
  WebP are taken, at most MAX_PIXELS before decoding (decompression bombs) and MAX_BYTES on the
  wire; they are scaled down to MAX_SIDE and stored without their metadata (EXIF, GPS).
  Re-encoding also means the bytes served are ones Pillow wrote, not what the host sent.
- Until it is fetched, or when it cannot be, the image is a neutral placeholder.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings

from flask import current_app, has_request_context, url_for
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from advocacy import outbound
from advocacy.extensions import db
from advocacy.jobs import enqueue
from advocacy.media.models import SOURCE_URL_MAX, ImageState, StoredImage
from advocacy.models_base import utcnow

FETCH_JOB = "advocacy.media.jobs.fetch_image"
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
IMAGE_USE = outbound.Use(
    "image", max_bytes=MAX_BYTES, connect_timeout=5, read_timeout=10, total_seconds=30, redirects=3
)


class NotAnImage(Exception):  # noqa: N818
    """The bytes are not an image we take; the message says why."""


def _hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def stored_image(url: str | None) -> StoredImage | None:
    """The stored image of `url` (added, and its fetch queued after the commit, the first time;
    None for no URL or one the outbound client would never fetch)."""
    url = (url or "").strip()
    if not url or len(url) > SOURCE_URL_MAX or outbound.url_problem(url):
        return None
    image = db.session.scalar(select(StoredImage).where(StoredImage.source_hash == _hash(url)))
    if image is None:
        image = StoredImage(key=secrets.token_urlsafe(16), source_hash=_hash(url), source_url=url)
        db.session.add(image)
        db.session.flush()
        enqueue(FETCH_JOB, image.id, queue="default")
    return image


def store_image(raw: bytes, origin: str, square_side: int | None = None) -> StoredImage:
    """An image given to us rather than fetched (a profile picture, a demo picture): normalised
    like a fetched one, cropped to a centred square of `square_side` when asked, stored ready
    under a new key. NotAnImage when the bytes are not an image we take. Flushes, the caller
    commits."""
    data, mime, width, height = normalised(raw)
    if square_side:
        with Image.open(io.BytesIO(data)) as picture:
            square = ImageOps.fit(picture.convert("RGB"), (square_side, square_side))
        out = io.BytesIO()
        square.save(out, "JPEG", quality=88, optimize=True)
        data, mime, width, height = out.getvalue(), "image/jpeg", square_side, square_side
    source = f"{origin}:{secrets.token_urlsafe(12)}"
    image = StoredImage(
        key=secrets.token_urlsafe(16),
        source_hash=_hash(source),
        source_url=source,
        state=ImageState.READY.value,
        mime=mime,
        width=width,
        height=height,
        byte_size=len(data),
        data=data,
        fetched_at=utcnow(),
    )
    db.session.add(image)
    db.session.flush()
    return image


def image_path(image: StoredImage | None) -> str:
    """Where pages load the image from (our own origin); also outside a request (a post is
    rendered when written, which may be in a job or the demo)."""
    if image is None:
        return ""
    if has_request_context():
        return url_for("media.image", key=image.key)
    return current_app.url_map.bind("localhost").build("media.image", {"key": image.key})


def image_by_key(key: str) -> StoredImage | None:
    """The stored image behind a page's link, if any."""
    return db.session.scalar(select(StoredImage).where(StoredImage.key == key))


def fetch_image(image_id: int) -> StoredImage | None:
    """Fetch a pending image and store it (ready) or why it could not be (failed); commits.
    Safe to run twice: only a pending image is fetched."""
    image = db.session.get(StoredImage, image_id)
    if image is None or image.state != ImageState.PENDING:
        return image
    try:
        answer = outbound.fetch(image.source_url, IMAGE_USE, headers={"Accept": "image/*"})
        if answer.status != 200:
            raise NotAnImage(f"The host answered HTTP {answer.status}.")
        data, mime, width, height = normalised(answer.body)
    except (outbound.OutboundRefused, outbound.OutboundFailed) as error:
        _fail(image, error.reason)
    except NotAnImage as error:
        _fail(image, str(error))
    else:
        image.data, image.mime, image.width, image.height = data, mime, width, height
        image.byte_size, image.state, image.error = len(data), ImageState.READY.value, ""
        image.fetched_at = utcnow()
    db.session.commit()
    return image


def _fail(image: StoredImage, reason: str) -> None:
    image.state, image.error, image.fetched_at = ImageState.FAILED.value, reason[:500], utcnow()


def normalised(raw: bytes) -> tuple[bytes, str, int, int]:
    """The image re-encoded: at most MAX_SIDE on its longer side, upright, without metadata;
    PNG when it has transparency, else JPEG. NotAnImage for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format not in FORMATS:
                    raise NotAnImage(f"{probe.format or 'These'} images are not taken.")
                if probe.width * probe.height > MAX_PIXELS:
                    raise NotAnImage("The image is too large (over 40 megapixels).")
                probe.seek(0)  # an animation: its first frame
                picture = ImageOps.exif_transpose(probe.convert("RGBA"))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise NotAnImage("The image is too large (over 40 megapixels).") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise NotAnImage("This is not an image that can be shown.") from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if picture.getextrema()[3][0] < 255:  # some transparency
        picture.save(out, "PNG", optimize=True)
        mime = "image/png"
    else:
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
        mime = "image/jpeg"
    return out.getvalue(), mime, picture.width, picture.height
