"""Typed domain errors. Services raise them; the UI shows them as form errors, the API as JSON.

Every message is translated and tells the person what to do next.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class Invalid(DomainError):
    """The input breaks a rule (400)."""


class NotAllowed(DomainError):
    """The actor may not do this (403)."""

    status_code = 403
    code = "not_allowed"


class NotFound(DomainError):
    """Missing or not visible to the actor: the two look the same (404)."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (409)."""

    status_code = 409
    code = "conflict"
