"""The stored-image table: one row per source URL, its bytes once fetched."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow

SOURCE_URL_MAX = 2048


class ImageState(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class StoredImage(db.Model):
    """An image a person or a feed pointed at, fetched once (images.py). Pages link to it by
    `key`, a random name, so neither the source host (a tracking pixel) nor the row id shows."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    source_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of source_url
    source_url: Mapped[str] = mapped_column(String(SOURCE_URL_MAX))
    state: Mapped[str] = mapped_column(String(8), default=ImageState.PENDING.value)
    mime: Mapped[str] = mapped_column(String(32), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    byte_size: Mapped[int] = mapped_column(Integer, default=0)
    # Deferred: lists load the row (its key, its state) without the image itself.
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ready(self) -> bool:
        return self.state == ImageState.READY
