"""Export everything Advocacy holds about a person (JSON files in a ZIP) and erase a person
(anonymise the account; aggregates stay without identity).

Decisions:
- The export is built in the request, in memory: one person's data is small (their own posts,
  shares and settings: a few MB for the most active), so it needs no job or stored file that
  would then need its own access control and cleanup.
- Erasure is immediate once confirmed (the person types their e-mail and their password, or an
  admin confirms for someone who left): there is no queue of requests to forget about. What a
  person wrote in discussions stays, under "Former employee #id", because colleagues' replies and
  accepted answers depend on it; the person can delete posts before asking for erasure.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import select

from advocacy.accounts.models import Role, User
from advocacy.accounts.passwords import verify_password
from advocacy.errors import Conflict, Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.privacy.models import ErasureRecord
from advocacy.privacy.registry import privacy_handlers

README = """Your data in Advocacy ({organisation})
Exported {when} UTC for {email}.

Each file holds what one part of Advocacy stores about you, as JSON:
{files}
Times are in UTC (ISO 8601). API tokens are listed without their secret (only a hash is kept).
Searches are logged without any identity, so none of them can be yours to export.
"""


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def export_archive(user: User, organisation: str = "Advocacy") -> bytes:
    """The ZIP of `user`'s data: README.txt and one `<feature>.json` per registered exporter."""
    buffer = io.BytesIO()
    files = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for handler in privacy_handlers():
            if handler.export is None:
                continue
            data = handler.export(user)
            archive.writestr(
                f"{handler.name}.json",
                json.dumps(data, default=_json_default, ensure_ascii=False, indent=2),
            )
            files.append(f"- {handler.name}.json: {handler.description}")
        archive.writestr(
            "README.txt",
            README.format(
                organisation=organisation,
                when=utcnow().strftime("%Y-%m-%d %H:%M"),
                email=user.email,
                files="\n".join(files) + "\n",
            ),
        )
    return buffer.getvalue()


def export_filename(user: User) -> str:
    """The download's name, dated."""
    return f"advocacy-data-{user.id}-{utcnow():%Y%m%d}.zip"


def is_erased(user: User) -> bool:
    """Whether this account was already anonymised."""
    return (
        db.session.scalar(select(ErasureRecord.id).where(ErasureRecord.user_id == user.id))
        is not None
    )


def erase_own_account(user: User, email: str, password: str) -> ErasureRecord:
    """The person's own request: confirmed by typing their e-mail and their password."""
    errors: dict[str, list[str]] = {}
    if (email or "").strip().lower() != user.email.lower():
        errors["confirm_email"] = ["Type your own e-mail address to confirm."]
    if not verify_password(user.password_hash, password or ""):
        errors["password"] = ["The password is not right."]
    if errors:
        raise ValidationFailed("Nothing was erased.", errors)
    return _erase(user, requested_by="self")


def erase_account(user: User, acting: User) -> ErasureRecord:
    """An admin erases someone (typically a leaver who can no longer sign in)."""
    if not acting.is_admin:
        raise Forbidden("Only admins erase other people's accounts.")
    if user.id == acting.id:
        raise Conflict("Erase your own account from your settings page.")
    return _erase(user, requested_by="admin")


def _erase(user: User, requested_by: str) -> ErasureRecord:
    if is_erased(user):
        raise Conflict("This account is already erased.")
    if user.role == Role.ADMIN and _active_admins() <= 1 and user.active:
        raise Conflict("The last admin cannot be erased: make someone else an admin first.")
    for handler in privacy_handlers():
        if handler.anonymise is not None:
            handler.anonymise(user)
    record = ErasureRecord(user_id=user.id, requested_by=requested_by)
    db.session.add(record)
    db.session.commit()
    return record


def _active_admins() -> int:
    query = select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
    return len(list(db.session.scalars(query)))


def erasures(limit: int = 200) -> list[ErasureRecord]:
    """The latest erasures, for admins."""
    query = select(ErasureRecord).order_by(ErasureRecord.id.desc()).limit(limit)
    return list(db.session.scalars(query))
