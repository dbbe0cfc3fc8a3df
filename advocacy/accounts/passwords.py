"""Password hashing with Argon2id (argon2-cffi), the OWASP-recommended algorithm."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

PASSWORD_MIN = 10
PASSWORD_MAX = 256

_standard = PasswordHasher()
# Tests hash hundreds of passwords; the cheap profile keeps the suite fast and is never used live.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# Verified against when the e-mail is unknown, so timing does not reveal which e-mails exist.
_DUMMY_HASH = _standard.hash("not a real password")


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("PASSWORD_HASH_FAST") else _standard


def hash_password(password: str) -> str:
    """An Argon2id hash of `password`."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same effort when there is no hash."""
    try:
        return _hasher().verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str) -> list[str]:
    """What is wrong with a new password, in words a person can act on."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"Use at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        problems.append(f"Use at most {PASSWORD_MAX} characters.")
    return problems
