"""The record that an account was erased (anonymised): when and on whose request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow


class ErasureRecord(db.Model):
    """One erasure. Holds no identity: the user row it points at is anonymous from then on."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    requested_by: Mapped[str] = mapped_column(String(8))  # "self" or "admin"
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
