"""How a person appears and what they see: their profile picture and the light or dark theme."""

from __future__ import annotations

from advocacy.accounts.models import Theme, User
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.media.images import NotAnImage, store_image

AVATAR_SIDE = 256
PICTURE_MAX_BYTES = 8 * 1024 * 1024


def set_picture(user: User, raw: bytes) -> User:
    """Store an uploaded picture as the person's avatar (a centred square), replacing the old
    one; ValidationFailed when it is not an image we take (nothing changes then)."""
    if not raw:
        raise ValidationFailed.field("picture", "The file is empty: choose a picture.")
    if len(raw) > PICTURE_MAX_BYTES:
        raise ValidationFailed.field("picture", "The picture is too large (over 8 MB).")
    try:
        image = store_image(raw, origin="avatar", square_side=AVATAR_SIDE)
    except NotAnImage as error:
        raise ValidationFailed.field("picture", str(error)) from None
    _drop_picture(user)
    user.avatar = image
    db.session.commit()
    return user


def remove_picture(user: User) -> User:
    """Back to initials."""
    _drop_picture(user)
    db.session.commit()
    return user


def _drop_picture(user: User) -> None:
    if user.avatar is not None:
        old = user.avatar
        user.avatar = None
        db.session.delete(old)


def set_theme(user: User, theme: str) -> User:
    """Light, dark, or as the device says; ValidationFailed for anything else."""
    if theme not in {choice.value for choice in Theme}:
        raise ValidationFailed.field("theme", "Choose As my device, Light or Dark.")
    user.theme = theme
    db.session.commit()
    return user
