"""Domain errors raised by services; web/errors.py turns each into the HTTP status that fits."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a service raises for a caller's mistake (never for our bugs)."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class ValidationFailed(ServiceError):
    """Input broke a rule; `errors` maps field names to messages."""

    status = 422
    title = "Invalid input"

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls(message, {name: [message]})


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate, an illegal transition)."""

    status = 409
    title = "Conflict"


class NotFound(ServiceError):
    """No such item, or the caller may not know it exists."""

    status = 404
    title = "Not found"


class Forbidden(ServiceError):
    """The caller is known but may not do this."""

    status = 403
    title = "Forbidden"


class Gone(ServiceError):
    """A link or token that was valid once but no longer is (expired, used, revoked)."""

    status = 410
    title = "Gone"
