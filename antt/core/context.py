"""Per-request context (request id, client IP) for logs and the audit trail."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("antt_request_id", default="")
client_ip: ContextVar[str | None] = ContextVar("antt_client_ip", default=None)
